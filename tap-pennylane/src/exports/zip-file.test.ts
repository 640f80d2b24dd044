import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { deflateEntry, zipDeflated } from '../../../sandbox/src/exports/zip-writer.js';
import { ZipFile, ZipFormatError } from './zip-file.js';

const contentOf = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Text that compresses, large enough to take many chunks through the inflater. */
const bigText = (lines: number): Buffer =>
  Buffer.from(
    Array.from({ length: lines }, (_, i) => `<row r="${i}"><c>Écriture ${i * 7919}</c></row>`).join(''),
  );

/**
 * An archive in zip64 form throughout, as writers do past 4 GiB: sizes and offsets saturated at
 * 0xffffffff with their values in zip64 extra fields, a zip64 end record and its locator, and a comment.
 */
function zip64Archive(entries: { name: string; data: Buffer; method: 0 | 8 }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name: text, data, method } of entries) {
    const name = Buffer.from(text);
    const body = method === 8 ? deflateRawSync(data) : data;
    const local = Buffer.alloc(30 + name.length + 20);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(0xffff_ffff, 18);
    local.writeUInt32LE(0xffff_ffff, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(20, 28);
    name.copy(local, 30);
    local.writeUInt16LE(1, 30 + name.length);
    local.writeUInt16LE(16, 32 + name.length);
    local.writeBigUInt64LE(BigInt(data.length), 34 + name.length);
    local.writeBigUInt64LE(BigInt(body.length), 42 + name.length);
    const record = Buffer.alloc(46 + name.length + 28);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(45, 4);
    record.writeUInt16LE(45, 6);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(crc32(data), 16);
    record.writeUInt32LE(0xffff_ffff, 20);
    record.writeUInt32LE(0xffff_ffff, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(28, 30);
    record.writeUInt32LE(0xffff_ffff, 42);
    name.copy(record, 46);
    record.writeUInt16LE(1, 46 + name.length);
    record.writeUInt16LE(24, 48 + name.length);
    record.writeBigUInt64LE(BigInt(data.length), 50 + name.length);
    record.writeBigUInt64LE(BigInt(body.length), 58 + name.length);
    record.writeBigUInt64LE(BigInt(offset), 66 + name.length);
    parts.push(local, body);
    central.push(record);
    offset += local.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeBigUInt64LE(BigInt(entries.length), 24);
  end64.writeBigUInt64LE(BigInt(entries.length), 32);
  end64.writeBigUInt64LE(BigInt(directory.length), 40);
  end64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const comment = Buffer.from('written by hand, with a comment that contains PK\u0005\u0006 too');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffff_ffff, 12);
  end.writeUInt32LE(0xffff_ffff, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...parts, directory, end64, locator, end, comment]);
}

describe('ZipFile (yauzl, with CRC checks)', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zip-file-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  /** Opens `bytes` written to a file, runs `use`, and closes the file whatever happens. */
  const withZip = async <T>(bytes: Buffer, use: (zip: ZipFile) => Promise<T>): Promise<T> => {
    const path = join(dir, `${++n}.zip`);
    await writeFile(path, bytes);
    const zip = await ZipFile.open(path);
    try {
      return await use(zip);
    } finally {
      await zip.close();
    }
  };

  it('lists the entries in stored order and reads each by name, in any order', async () => {
    const big = bigText(20_000);
    const small = Buffer.from('<sst count="1"><si><t>Œuvre</t></si></sst>');
    const archive = zipDeflated([
      await deflateEntry({ name: 'xl/worksheets/sheet1.xml', data: [big] }),
      await deflateEntry({ name: 'xl/sharedStrings.xml', data: [small] }),
      await deflateEntry({ name: 'empty.txt', data: [] }),
    ]);
    await withZip(archive, async (zip) => {
      assert.deepEqual(
        [...zip.entries.keys()],
        ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'empty.txt'],
      );
      const entry = (name: string) => zip.entries.get(name)!;
      assert.deepEqual(await contentOf(await zip.stream(entry('empty.txt'))), Buffer.alloc(0));
      assert.deepEqual(await contentOf(await zip.stream(entry('xl/sharedStrings.xml'))), small);
      assert.deepEqual(await contentOf(await zip.stream(entry('xl/worksheets/sheet1.xml'))), big);
      // and again: reading an entry does not use it up
      assert.deepEqual(await contentOf(await zip.stream(entry('xl/sharedStrings.xml'))), small);
    });
  });

  it('reads zip64 sizes and offsets, stored and deflated entries, and an end record followed by a comment', async () => {
    const big = bigText(5_000);
    const archive = zip64Archive([
      { name: 'stored.txt', data: Buffer.from('as is'), method: 0 },
      { name: 'deflated.xml', data: big, method: 8 },
    ]);
    await withZip(archive, async (zip) => {
      const stored = zip.entries.get('stored.txt')!;
      const deflated = zip.entries.get('deflated.xml')!;
      assert.equal(deflated.uncompressedSize, big.length);
      assert.ok(deflated.relativeOffsetOfLocalHeader > 0);
      assert.equal((await contentOf(await zip.stream(stored))).toString(), 'as is');
      assert.deepEqual(await contentOf(await zip.stream(deflated)), big);
    });
  });

  it('fails with a ZipFormatError when an entry does not match its CRC', async () => {
    const archive = zip64Archive([{ name: 'stored.txt', data: Buffer.from('as is'), method: 0 }]);
    archive[archive.indexOf('as is')] = 'A'.charCodeAt(0);
    await withZip(archive, async (zip) => {
      await assert.rejects(
        contentOf(await zip.stream(zip.entries.get('stored.txt')!)),
        (err: unknown) =>
          err instanceof ZipFormatError && err.message === 'stored.txt: CRC mismatch (corrupt data)',
      );
    });
  });

  it('fails naming the entry when its compressed data is corrupt', async () => {
    const archive = zipDeflated([await deflateEntry({ name: 'sheet.xml', data: [bigText(3_000)] })]);
    const at = archive.indexOf('sheet.xml') + 9 + 2_000;
    archive.fill(0xff, at, at + 200);
    await withZip(archive, async (zip) => {
      await assert.rejects(
        contentOf(await zip.stream(zip.entries.get('sheet.xml')!)),
        /^Error: sheet\.xml: corrupt data \(/,
      );
    });
  });

  it('refuses a file that is not a zip, or whose end was cut off, with a ZipFormatError', async () => {
    const archive = zipDeflated([await deflateEntry({ name: 'a.xml', data: [bigText(100)] })]);
    for (const bytes of [
      Buffer.from('JournalCode\tJournalLib\r\n'),
      archive.subarray(0, archive.length - 30),
    ]) {
      const path = join(dir, `${++n}.zip`);
      await writeFile(path, bytes);
      await assert.rejects(
        ZipFile.open(path),
        (err: unknown) =>
          err instanceof ZipFormatError &&
          /end of central directory record signature not found/i.test(err.message),
      );
    }
  });

  it('refuses encrypted entries and compression methods other than deflate', async () => {
    const archive = zipDeflated([await deflateEntry({ name: 'a.xml', data: [Buffer.from('<a/>')] })]);
    const record = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const encrypted = Buffer.from(archive);
    encrypted.writeUInt16LE(encrypted.readUInt16LE(record + 8) | 1, record + 8);
    await withZip(encrypted, async (zip) => {
      await assert.rejects(zip.stream(zip.entries.get('a.xml')!), /^ZipFormatError: a\.xml: .*encrypt/);
    });
    const lzma = Buffer.from(archive);
    lzma.writeUInt16LE(14, record + 10);
    await withZip(lzma, async (zip) => {
      await assert.rejects(
        zip.stream(zip.entries.get('a.xml')!),
        /^ZipFormatError: a\.xml: .*compression method: 14/,
      );
    });
  });

  it('lets a reader stop an entry early and still close the file', async () => {
    const archive = zipDeflated([await deflateEntry({ name: 'big.xml', data: [bigText(50_000)] })]);
    await withZip(archive, async (zip) => {
      for await (const chunk of await zip.stream(zip.entries.get('big.xml')!)) {
        assert.ok((chunk as Buffer).length > 0);
        break;
      }
    });
  });
});
