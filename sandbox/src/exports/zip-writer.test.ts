import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import { deflateEntry, zipDeflated } from './zip-writer.js';

/** Reads an archive back through its central directory, checking each local header against it. */
function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.length - 22;
  assert.equal(archive.readUInt32LE(end), 0x06054b50);
  const count = archive.readUInt16LE(end + 10);
  let p = archive.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(archive.readUInt32LE(p), 0x02014b50);
    const crc = archive.readUInt32LE(p + 16);
    const compressedSize = archive.readUInt32LE(p + 20);
    const size = archive.readUInt32LE(p + 24);
    const nameLength = archive.readUInt16LE(p + 28);
    const offset = archive.readUInt32LE(p + 42);
    const name = archive.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    assert.equal(archive.readUInt32LE(offset), 0x04034b50);
    assert.equal(archive.readUInt32LE(offset + 14), crc);
    const start = offset + 30 + archive.readUInt16LE(offset + 26);
    const data = inflateRawSync(archive.subarray(start, start + compressedSize));
    assert.equal(data.length, size);
    assert.equal(crc32(data), crc);
    files.set(name, data);
    p += 46 + nameLength;
  }
  return files;
}

describe('zip writer', () => {
  it('writes entries, in order, that inflate back to their bytes with matching sizes and CRCs', async () => {
    const big = Buffer.alloc(300_000, 'Grand livre ');
    const archive = zipDeflated([
      await deflateEntry({ name: '[Content_Types].xml', data: [Buffer.from('<Types/>')] }),
      await deflateEntry({ name: 'xl/données.xml', data: [big.subarray(0, 100_000), big.subarray(100_000)] }),
      await deflateEntry({ name: 'empty', data: [] }),
    ]);
    const files = unzip(archive);
    assert.deepEqual([...files.keys()], ['[Content_Types].xml', 'xl/données.xml', 'empty']);
    assert.equal(files.get('[Content_Types].xml')!.toString(), '<Types/>');
    assert.ok(files.get('xl/données.xml')!.equals(big));
    assert.equal(files.get('empty')!.length, 0);
    assert.ok(archive.length < 20_000, 'the repetitive entry is compressed');
  });
});
