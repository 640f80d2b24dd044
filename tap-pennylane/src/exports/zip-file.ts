import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/** A zip archive that cannot be read: not a zip, truncated, corrupt, or using a feature we do not read. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

export type ZipEntry = yauzl.Entry;

/**
 * A zip archive on disk, read through its central directory by yauzl (random access, zip64, sizes
 * checked, encryption and methods other than stored and deflate refused): any entry, in any order,
 * streamed and inflated chunk by chunk, never held whole in memory. yauzl leaves the CRC-32 to its
 * caller: each entry's content is checked against it here, so corrupt data fails instead of being read.
 */
export class ZipFile {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** By name, in the order of the central directory. */
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(path: string): Promise<ZipFile> {
    let zip: yauzl.ZipFile;
    try {
      // autoClose off: the file serves every entry, in any order, until close().
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false });
    } catch (err) {
      throw asFormatError(err);
    }
    try {
      return new ZipFile(zip, await readDirectory(zip));
    } catch (err) {
      zip.close();
      throw asFormatError(err);
    }
  }

  /** The entry's content; it errors with a ZipFormatError when the data is corrupt or truncated. */
  async stream(entry: ZipEntry): Promise<Readable> {
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(entry);
    } catch (err) {
      throw new ZipFormatError(`${entry.fileName}: ${(err as Error).message}`);
    }
    const check = new CrcCheck(entry);
    // zlib's message ("unexpected end of file", "invalid distance too far back") with the entry's name.
    raw.on('error', (err: Error) => {
      if (!(err instanceof ZipFormatError)) err.message = `${entry.fileName}: corrupt data (${err.message})`;
    });
    // pipeline destroys both streams with the first error, so it reaches whoever reads `check`; a
    // reader that stops early destroys `check`, which ends `raw` (the premature close is not an error).
    pipeline(raw, check, () => {});
    return check;
  }

  close(): Promise<void> {
    this.zip.close();
    return Promise.resolve();
  }
}

/** yauzl's errors (and zlib's, from inside an entry) are about the file's content: ZipFormatErrors. */
function asFormatError(err: unknown): unknown {
  if (err instanceof ZipFormatError) return err;
  // A file system error (no such file, permissions) is thrown as it is.
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') return err;
  return new ZipFormatError(err instanceof Error ? err.message : String(err));
}

async function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, ZipEntry>> {
  const entries = new Map<string, ZipEntry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: ZipEntry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve());
    zip.once('error', reject);
    zip.readEntry();
  });
  return entries;
}

/** Passes the content through, then fails unless its CRC-32 is the directory's. */
class CrcCheck extends Transform {
  private crc = 0;

  constructor(private readonly entry: ZipEntry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      callback(new ZipFormatError(`${this.entry.fileName}: CRC mismatch (corrupt data)`));
    } else callback();
  }
}
