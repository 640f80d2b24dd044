import { type FileHandle, open } from 'node:fs/promises';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

/** A zip archive that cannot be read: not a zip, truncated, corrupt, or using a feature we do not read. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

/** One file of the archive, as its central directory describes it. */
export type ZipEntry = {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
};

const EOCD = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** An xlsx directory holds a few dozen entries; anything near this size is not a workbook. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

/**
 * A zip archive on disk, read through its central directory: any entry, in any order, streamed and
 * inflated chunk by chunk (never held whole in memory) and checked against its CRC and size. Zip64
 * and data descriptors are read; encryption and methods other than stored and deflate are refused.
 */
export class ZipFile {
  private constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    /** By name, in the order of the central directory. */
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(path: string): Promise<ZipFile> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new ZipFile(handle, size, await readDirectory(handle, size));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The entry's content; it errors with a ZipFormatError when the data is corrupt or truncated. */
  async stream(entry: ZipEntry): Promise<Readable> {
    if (entry.flags & 1) throw new ZipFormatError(`${entry.name} is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      throw new ZipFormatError(
        `${entry.name} uses compression method ${entry.method} (only deflate is read)`,
      );
    }
    const local = await readAt(this.handle, entry.localHeaderOffset, 30, this.fileSize);
    if (local.readUInt32LE(0) !== LOCAL_HEADER) {
      throw new ZipFormatError(`${entry.name}: no local header at offset ${entry.localHeaderOffset}`);
    }
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (start + entry.compressedSize > this.fileSize) {
      throw new ZipFormatError(`${entry.name} runs past the end of the file (truncated)`);
    }
    const raw =
      entry.compressedSize === 0
        ? Readable.from([])
        : // autoClose off: the handle serves every entry and is closed by close().
          this.handle.createReadStream({ start, end: start + entry.compressedSize - 1, autoClose: false });
    const check = new CheckedContent(entry);
    // pipeline destroys every stream with the first error, so it reaches whoever reads `check`; a reader
    // that stops early destroys `check`, which ends the others (the premature close is not an error).
    const onEnd = () => {};
    if (entry.method === STORED) pipeline(raw, check, onEnd);
    else pipeline(raw, createInflateRaw().on('error', inflateError(entry)), check, onEnd);
    return check;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** zlib's message ("unexpected end of file", "invalid distance too far back") with the entry's name. */
const inflateError = (entry: ZipEntry) => (err: Error & { message: string }) => {
  err.message = `${entry.name}: corrupt compressed data (${err.message})`;
};

/** Passes the content through, then fails unless its CRC-32 and length are the directory's. */
class CheckedContent extends Transform {
  private crc = 0;
  private size = 0;

  constructor(private readonly entry: ZipEntry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { name, crc, size } = this.entry;
    if (this.size !== size) callback(new ZipFormatError(`${name}: ${this.size} bytes instead of ${size}`));
    else if (this.crc !== crc) callback(new ZipFormatError(`${name}: CRC mismatch (corrupt data)`));
    else callback();
  }
}

async function readAt(handle: FileHandle, position: number, length: number, fileSize: number) {
  if (position < 0 || position + length > fileSize) {
    throw new ZipFormatError(`a record at offset ${position} runs past the end of the file (truncated)`);
  }
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipFormatError(`short read at offset ${position}`);
  return buffer;
}

async function readDirectory(handle: FileHandle, fileSize: number): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tail = await readAt(handle, fileSize - tailLength, tailLength, fileSize);
  // The end record is followed by its comment only: search back from the last place it can start.
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new ZipFormatError('no end of central directory record (not a zip file, or a truncated one)');
  }
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffff_ffff || directoryOffset === 0xffff_ffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR) {
      throw new ZipFormatError('zip64 sizes without a zip64 end of central directory locator');
    }
    const recordOffset = Number(tail.readBigUInt64LE(locator + 8));
    const record = await readAt(handle, recordOffset, 56, fileSize);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) {
      throw new ZipFormatError('no zip64 end of central directory record where its locator points');
    }
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (directorySize > MAX_DIRECTORY_BYTES) {
    throw new ZipFormatError(`a central directory of ${directorySize} bytes is not a workbook's`);
  }
  const directory = await readAt(handle, directoryOffset, directorySize, fileSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_HEADER) {
      throw new ZipFormatError(`central directory entry ${n + 1} of ${count} is missing or corrupt`);
    }
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: directory.toString('utf8', p + 46, p + 46 + nameLength),
      flags: directory.readUInt16LE(p + 8),
      method: directory.readUInt16LE(p + 10),
      crc: directory.readUInt32LE(p + 16),
      compressedSize: directory.readUInt32LE(p + 20),
      size: directory.readUInt32LE(p + 24),
      localHeaderOffset: directory.readUInt32LE(p + 42),
    };
    readZip64Extra(entry, directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.set(entry.name, entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces the 32-bit fields saturated at 0xffffffff by their 64-bit values from the zip64 extra field. */
function readZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + length) throw new ZipFormatError(`${entry.name}: short zip64 extra field`);
        const value = Number(extra.readBigUInt64LE(q));
        q += 8;
        return value;
      };
      if (entry.size === 0xffff_ffff) entry.size = next();
      if (entry.compressedSize === 0xffff_ffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffff_ffff) entry.localHeaderOffset = next();
      return;
    }
    p += 4 + length;
  }
}
