import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FEC_COLUMNS, type FecDialect, type FecRow } from '../../../pennylane/src/export-formats.js';
import { encodeIso885915 } from '../../../pennylane/src/iso-8859-15.js';
import { writeFec } from '../../../sandbox/src/exports/fec-writer.js';
import { FecFormatError, fecRecord, fromFecAmount, fromFecDate, readFec } from './fec-reader.js';

const row = (fields: Partial<FecRow>): FecRow =>
  Object.fromEntries(FEC_COLUMNS.map((c) => [c, fields[c] ?? ''])) as FecRow;

const collect = async (input: Readable) => {
  const out: { line: number; row: FecRow }[] = [];
  for await (const r of readFec(input)) out.push(r);
  return out;
};

/** Splits a buffer into small chunks so that lines and multi-byte characters straddle chunk boundaries. */
const chunked = (bytes: Buffer, size = 7): Readable => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
};

const ROWS: FecRow[] = [
  row({
    JournalCode: 'VT',
    JournalLib: 'Journal des ventes',
    EcritureNum: 'VT-2025-0001',
    EcritureDate: '2025-01-31',
    CompteNum: '411000',
    CompteLib: 'Clients — Société Générale',
    CompAuxNum: 'C0001',
    CompAuxLib: 'Œuvres d’Ÿvette & Šarko',
    PieceRef: 'F-2025-001',
    PieceDate: '2025-01-30',
    EcritureLib: 'Facture à régler 1 200 €',
    Debit: '1200.00',
    Credit: '0.00',
    EcritureLet: 'AA',
    DateLet: '2025-02-15',
    ValidDate: '2025-02-01',
    Montantdevise: '-1300.55',
    Idevise: 'USD',
  }),
  row({
    JournalCode: 'VT',
    EcritureNum: 'VT-2025-0001',
    EcritureDate: '2025-01-31',
    CompteNum: '706000',
    CompteLib: 'Prestations de services',
    EcritureLib: 'Avoir n°3 — remise',
    Debit: '0.00',
    Credit: '-0.01',
  }),
];

const DIALECTS: FecDialect[] = [
  { separator: '\t', encoding: 'utf-8' },
  { separator: '|', encoding: 'utf-8' },
  { separator: '\t', encoding: 'iso-8859-15' },
  { separator: '|', encoding: 'iso-8859-15' },
];

describe('readFec', () => {
  for (const dialect of DIALECTS) {
    const name = `${dialect.separator === '\t' ? 'tab' : 'pipe'} + ${dialect.encoding}`;
    it(`reads back exactly what writeFec wrote in the ${name} dialect, whatever the chunk boundaries`, async () => {
      // ISO-8859-15 has no — nor ’: the writer puts ? in their place.
      const expected =
        dialect.encoding === 'utf-8'
          ? ROWS
          : ROWS.map((r) =>
              Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.replace(/[—’]/g, '?')])),
            );
      const file = writeFec(ROWS, dialect);
      assert.deepEqual(await collect(chunked(file)), [
        { line: 2, row: expected[0] },
        { line: 3, row: expected[1] },
      ]);
    });
  }

  it('detects ISO-8859-15 at the first non-ASCII line, even after thousands of ASCII lines', async () => {
    const ascii = Array.from({ length: 5000 }, (_, i) => row({ JournalCode: 'HA', EcritureNum: String(i) }));
    const file = writeFec([...ascii, row({ EcritureLib: 'Réglé 5 € à Œdipe' })], {
      separator: '|',
      encoding: 'iso-8859-15',
    });
    const rows = await collect(Readable.from([file]));
    assert.equal(rows.length, 5001);
    assert.equal(rows.at(-1)!.row.EcritureLib, 'Réglé 5 € à Œdipe');
  });

  it('takes a UTF-8 BOM, LF line ends, a trailing separator, padded values and MontantDevise/IDevise spelling', async () => {
    const header = FEC_COLUMNS.join('\t')
      .replace('Montantdevise', 'MontantDevise')
      .replace('Idevise', 'IDevise');
    const line = [
      'AC',
      ' Achats ',
      '7',
      '20250228',
      '601000',
      'Achats',
      '',
      '',
      'P1',
      '20250227',
      'Lib',
      ' 12,5 ',
      ',50',
      '',
      '',
      '',
      '',
      '',
      '',
    ];
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${header}\n${line.join('\t')}\n\n`),
    ]);
    const [first, ...rest] = await collect(Readable.from([file]));
    assert.equal(rest.length, 0);
    assert.equal(first!.line, 2);
    assert.equal(first!.row.JournalLib, 'Achats');
    assert.equal(first!.row.EcritureDate, '2025-02-28');
    assert.equal(first!.row.Debit, '12.5');
    assert.equal(first!.row.Credit, '0.50');
    assert.equal(first!.row.Montantdevise, '');
  });

  it('maps columns by name when the header orders them differently', async () => {
    const columns = [...FEC_COLUMNS].reverse();
    const values: Record<string, string> = { JournalCode: 'BQ', Debit: '10,00', EcritureDate: '20250101' };
    const file = `${columns.join('|')}\r\n${columns.map((c) => values[c] ?? '').join('|')}\r\n`;
    const [only] = await collect(Readable.from([Buffer.from(file)]));
    assert.equal(only!.row.JournalCode, 'BQ');
    assert.equal(only!.row.Debit, '10.00');
    assert.equal(only!.row.EcritureDate, '2025-01-01');
  });

  it('names line 1 and the expected columns when the header lacks a column', async () => {
    const file = Buffer.from(`${FEC_COLUMNS.filter((c) => c !== 'Credit').join('\t')}\r\n`);
    await assert.rejects(collect(Readable.from([file])), (err: unknown) => {
      assert.ok(err instanceof FecFormatError);
      assert.equal(err.line, 1);
      assert.match(
        err.message,
        /^FEC line 1: the header row lacks Credit; expected the columns JournalCode\|JournalLib\|/,
      );
      return true;
    });
  });

  it('rejects a header without tab or | separators, an empty file and an xlsx workbook with clear messages', async () => {
    await assert.rejects(
      collect(Readable.from([Buffer.from(`${FEC_COLUMNS.join(';')}\n`)])),
      /FEC line 1: the header row has neither tab nor \| separators; expected the columns JournalCode\|/,
    );
    await assert.rejects(collect(Readable.from([])), /FEC line 1: the file is empty; expected a header row/);
    await assert.rejects(
      collect(Readable.from([Buffer.from('PK\x03\x04\x14\x00rest of a zip')])),
      /FEC line 1: this is a zip archive \(an xlsx workbook\?\), not a FEC flat text file/,
    );
  });

  it('names the line and column of a bad amount or date, and the line of a shifted row', async () => {
    const file = (cells: Partial<FecRow>, extra = '') =>
      Buffer.from(
        `${FEC_COLUMNS.join('|')}\n${FEC_COLUMNS.map(() => '').join('|')}\n${
          FEC_COLUMNS.map((c) => cells[c] ?? '').join('|') + extra
        }\n`,
      );
    await assert.rejects(
      collect(Readable.from([file({ Credit: '12,3,4' })])),
      /^FecFormatError: FEC line 3, column Credit: "12,3,4" is not an amount; expected digits with a comma decimal mark/,
    );
    await assert.rejects(
      collect(Readable.from([file({ DateLet: '20250230' })])),
      /FEC line 3, column DateLet: "20250230" is not a date in the FEC's YYYYMMDD form/,
    );
    await assert.rejects(
      collect(Readable.from([file({ EcritureLib: 'a' }, '|oops')])),
      /FEC line 3: 19 fields separated by \| where the header has 18; a value may contain the separator/,
    );
  });

  it('refuses a file whose lines switch from UTF-8 to ISO-8859-15', async () => {
    const file = Buffer.concat([
      writeFec([row({ EcritureLib: 'Été' })], { separator: '\t', encoding: 'utf-8' }),
      encodeIso885915(`${FEC_COLUMNS.map((c) => (c === 'EcritureLib' ? 'Hiver à 5 €' : '')).join('\t')}\r\n`),
    ]);
    await assert.rejects(
      collect(Readable.from([file])),
      /FEC line 3: invalid UTF-8, although line 2 is valid UTF-8; the file mixes encodings/,
    );
  });

  it('fails on a line longer than 1 MiB instead of buffering it', async () => {
    const huge = Buffer.alloc(2 << 20, 0x41);
    await assert.rejects(collect(chunked(huge, 64 * 1024)), /FEC line 1: line longer than 1048576 bytes/);
  });

  it('reads a 200,000-row file with bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dialect: FecDialect = { separator: '\t', encoding: 'utf-8' };
    const TOTAL = 200_000;
    const BATCH = 2_000;
    // One batch is encoded once and streamed again and again: only the reader could hold the file.
    const batch = writeFec(
      Array.from({ length: BATCH }, (_, i) =>
        row({ ...ROWS[0], EcritureNum: `VT-${i}`, Debit: `${i}.${String(i % 100).padStart(2, '0')}` }),
      ),
      dialect,
    );
    const headerEnd = batch.indexOf(0x0a) + 1;
    let bytes = 0;
    async function* file() {
      for (let start = 0; start < TOTAL; start += BATCH) {
        const body = start === 0 ? batch : batch.subarray(headerEnd);
        bytes += body.length;
        yield body;
      }
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let debitSum = 0n;
    for await (const { row: r } of readFec(Readable.from(file()))) {
      count++;
      debitSum += BigInt(r.Debit.replace('.', ''));
      if (count % 20_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    assert.equal(count, TOTAL);
    // Each batch holds Σ (i + (i mod 100)/100) for i < 2000, in cents.
    let perBatch = 0n;
    for (let i = 0; i < BATCH; i++) perBatch += BigInt(i) * 100n + BigInt(i % 100);
    const expected = perBatch * BigInt(TOTAL / BATCH);
    assert.equal(debitSum, expected);
    assert.ok(bytes > 32 * 1024 * 1024, `the generated file (${bytes} bytes) must dwarf the memory bound`);
    assert.ok(peak < 16 * 1024 * 1024, `heap grew by ${peak} bytes while reading a ${bytes}-byte file`);
  });
});

describe('FEC value conversions', () => {
  it('turns a row into a stream record with null for each empty value', () => {
    const record = fecRecord(row({ JournalCode: 'VT', Debit: '1.00' }));
    assert.equal(record.JournalCode, 'VT');
    assert.equal(record.Debit, '1.00');
    assert.equal(record.DateLet, null);
    assert.equal(Object.keys(record).length, 18);
  });

  it('turns comma decimals into exact dot-decimal strings', () => {
    assert.equal(fromFecAmount('1234,50'), '1234.50');
    assert.equal(fromFecAmount('-0,01'), '-0.01');
    assert.equal(fromFecAmount('+007'), '7');
    assert.equal(fromFecAmount('12345678901234567890,123456789'), '12345678901234567890.123456789');
    assert.equal(fromFecAmount('1234.5'), '1234.5');
    for (const bad of ['', '-', ',', '1 234,50', '12,5,0', '1e3', 'abc'])
      assert.equal(fromFecAmount(bad), undefined);
  });

  it('turns YYYYMMDD into YYYY-MM-DD and rejects impossible dates', () => {
    assert.equal(fromFecDate('20240229'), '2024-02-29');
    for (const bad of ['20230229', '20251301', '2025-01-01', '2025011'])
      assert.equal(fromFecDate(bad), undefined);
  });
});
