import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';

/** One file of a zip archive; `data` may be produced piecewise, so a large part is never one string. */
export type ZipEntry = { name: string; data: Iterable<Buffer> | AsyncIterable<Buffer> };

/** An entry compressed and ready to be laid out in an archive. */
export type DeflatedEntry = { name: string; compressed: Buffer; crc: number; size: number };

/**
 * Compresses one entry through zlib's stream, so a large entry yields to the event loop between pieces.
 * Separate from the layout so that an entry can be placed before one whose content it determines.
 */
export async function deflateEntry(entry: ZipEntry): Promise<DeflatedEntry> {
  return { name: entry.name, ...(await deflate(entry.data)) };
}

/** A zip archive of deflated entries, in the given order (no zip64, sizes in the local headers, UTF-8 names). */
export function zipDeflated(entries: readonly DeflatedEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { compressed, crc, size, ...entry } of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    if (offset + compressed.length > 0xffff_ffff || size > 0xffff_ffff) {
      throw new Error(`zip entry ${entry.name} passes 4 GiB; zip64 is not supported`);
    }
    const fields = { crc, compressedSize: compressed.length, size, name };
    const local = header(LOCAL_HEADER, fields);
    central.push(header(CENTRAL_HEADER, { ...fields, offset }));
    parts.push(local, compressed);
    offset += local.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

async function deflate(data: ZipEntry['data']): Promise<{ compressed: Buffer; crc: number; size: number }> {
  const deflater = createDeflateRaw();
  const out: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(deflater, 'end');
  let crc = 0;
  let size = 0;
  for await (const chunk of data) {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflater.write(chunk)) await once(deflater, 'drain');
  }
  deflater.end();
  await ended;
  return { compressed: Buffer.concat(out), crc, size };
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
/** 1980-01-01 00:00 in DOS format: a fixed time keeps archives byte-for-byte reproducible. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function header(
  signature: number,
  f: { crc: number; compressedSize: number; size: number; name: Buffer; offset?: number },
): Buffer {
  const central = signature === CENTRAL_HEADER;
  const b = Buffer.alloc((central ? 46 : 30) + f.name.length);
  let p = 0;
  const u16 = (v: number) => {
    p = b.writeUInt16LE(v, p);
  };
  const u32 = (v: number) => {
    p = b.writeUInt32LE(v >>> 0, p);
  };
  u32(signature);
  if (central) u16(20); // version made by
  u16(20); // version needed: deflate
  u16(0x0800); // flags: UTF-8 name
  u16(8); // method: deflate
  u16(0); // time
  u16(DOS_DATE);
  u32(f.crc);
  u32(f.compressedSize);
  u32(f.size);
  u16(f.name.length);
  u16(0); // extra length
  if (central) {
    u16(0); // comment length
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(f.offset ?? 0);
  }
  f.name.copy(b, p);
  return b;
}
