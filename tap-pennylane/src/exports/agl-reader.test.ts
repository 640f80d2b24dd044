import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { AGL_COLUMNS, type AglRow } from '../../../pennylane/src/export-formats.js';
import { writeAglXlsx } from '../../../sandbox/src/exports/agl-writer.js';
import { AglFormatError, decimalFromDouble, decimalFromText, readAglXlsx } from './agl-reader.js';

const row = (fields: Partial<AglRow>): AglRow =>
  Object.fromEntries(AGL_COLUMNS.map((c) => [c.key, fields[c.key] ?? null])) as AglRow;

const collect = async (bytes: Buffer, chunkSize = 4096) => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: { row: number; values: AglRow }[] = [];
  for await (const r of readAglXlsx(Readable.from(chunks))) out.push(r);
  return out;
};

/** A workbook built cell by cell, as another program than our writer would lay it out. */
const handMade = async (rows: unknown[][]): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Export');
  for (const cells of rows) sheet.addRow(cells);
  return Buffer.from(await workbook.xlsx.writeBuffer());
};

const ROWS: AglRow[] = [
  row({
    date: '2025-03-31',
    journal_code: 'VT',
    journal_label: 'Ventes',
    piece_number: 'F-2025-001',
    account_number: '411000',
    account_label: 'Clients',
    thirdparty_account_number: 'C0001',
    thirdparty_label: 'Œuvres d’Ÿvette',
    label: 'Facture <1 200 €> & co',
    invoice_number: 'F-2025-001',
    debit: '1234.56',
    credit: '0.00',
    lettering: 'AA',
    category_group: 'Projets',
    category_label: 'Chantier Šibenik',
    analytical_code: 'P-01',
    category_weight: '0.3333',
    ledger_entry_id: 4_300_000_001,
    ledger_entry_line_id: 4_300_000_002,
  }),
  row({
    date: '2024-12-01',
    journal_code: 'HA',
    account_number: '601000',
    label: 'Avoir',
    debit: '0.10',
    credit: '-99999999999.99',
    category_weight: '1.00',
  }),
  row({
    date: '2025-01-15',
    journal_code: 'OD',
    account_number: '471000',
    label: 'Big',
    debit: '12345678901234.567',
    credit: '0.30',
  }),
];

describe('readAglXlsx', () => {
  it('reads back what writeAglXlsx wrote, with exact amounts, dates and ids, whatever the chunk size', async () => {
    const rows = await collect(await writeAglXlsx(ROWS), 1000);
    assert.deepEqual(rows, [
      { row: 2, values: ROWS[0] },
      { row: 3, values: ROWS[1] },
      { row: 4, values: ROWS[2] },
    ]);
  });

  it('maps reordered, differently cased and unaccented headers, skips unknown columns and a title block', async () => {
    const file = await handMade([
      ['Grand livre analytique du 01/01/2025 au 31/12/2025'],
      [],
      [
        'Commentaire',
        'CREDIT',
        'debit',
        'libelle',
        'Numero de compte',
        'code journal',
        'date',
        'Identifiant ligne',
      ],
      [
        'ignored',
        0.1 + 0.2,
        '1 234,56',
        'Loyer',
        613200,
        'HA',
        new Date(Date.UTC(2025, 5, 30)),
        4_300_000_009,
      ],
      [],
      ['x', '-12.5', 7, 'Remise', '613200', 'HA', '31/05/2025', '4300000010'],
    ]);
    const rows = await collect(file);
    assert.deepEqual(
      rows.map((r) => [
        r.row,
        r.values.date,
        r.values.debit,
        r.values.credit,
        r.values.account_number,
        r.values.label,
      ]),
      [
        [4, '2025-06-30', '1234.56', '0.30', '613200', 'Loyer'],
        [6, '2025-05-31', '7.00', '-12.5', '613200', 'Remise'],
      ],
    );
    assert.deepEqual(
      rows.map((r) => [r.values.ledger_entry_line_id, r.values.journal_label, r.values.category_weight]),
      [
        [4_300_000_009, null, null],
        [4_300_000_010, null, null],
      ],
    );
  });

  it('names the missing required column when no header row has it', async () => {
    const file = await handMade([
      ['Date', 'Code journal', 'Numéro de compte', 'Libellé', 'Débit'],
      [new Date(), 'VT', '411000', 'x', 1],
    ]);
    await assert.rejects(collect(file), (err: unknown) => {
      assert.ok(err instanceof AglFormatError);
      assert.equal(err.row, 1);
      assert.match(err.message, /^AGL xlsx row 1: no header row with the required columns: "Crédit" missing/);
      return true;
    });
  });

  it('names the row and column of a value of the wrong kind', async () => {
    const file = await handMade([
      ['Date', 'Code journal', 'Numéro de compte', 'Libellé', 'Débit', 'Crédit'],
      ['2025-01-01', 'VT', '411000', 'ok', 1, 0],
      ['2025-01-02', 'VT', '411000', 'bad', 'douze', 0],
    ]);
    await assert.rejects(collect(file), /AGL xlsx row 3, column "Débit": "douze" is not a decimal amount/);
  });

  it('rejects a file that is not an xlsx workbook', async () => {
    await assert.rejects(
      collect(Buffer.from('JournalCode\tJournalLib\r\nVT\tVentes\r\n')),
      /^AglFormatError: AGL xlsx: (not a readable xlsx workbook|the workbook has no worksheet)/,
    );
  });
});

/** Rows whose every column is filled, with texts that put multi-byte characters at every chunk offset. */
const manyRows = (count: number): AglRow[] =>
  Array.from({ length: count }, (_, i) =>
    row({
      date: `202${i % 6}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      journal_code: ['VT', 'HA', 'OD', 'BQ'][i % 4]!,
      journal_label: ['Ventes', 'Achats', 'Opérations diverses', 'Banque'][i % 4]!,
      piece_number: `F-${i}`,
      account_number: String(401000 + (i % 997)),
      account_label: `Compte n°${i % 997} — Œuvres d’été`,
      thirdparty_account_number: `C${String(i % 311).padStart(5, '0')}`,
      thirdparty_label: `Société ${'é'.repeat(i % 5)}Ÿ ${i % 311} & fils <SARL>`,
      label: `Écriture ${i} ${'€'.repeat(i % 3)} 😀`,
      invoice_number: i % 3 ? `FAC-${i}` : null,
      debit: `${i * 37}.${String(i % 100).padStart(2, '0')}`,
      credit: i % 7 ? '0.00' : '12345678901234.567',
      lettering: i % 2 ? 'AA' : null,
      category_group: 'Projets',
      category_label: `Chantier Šibenik ${i % 13}`,
      analytical_code: `P-${i % 13}`,
      category_weight: i % 2 ? '0.3333' : '1.00',
      ledger_entry_id: 4_300_000_000 + Math.floor(i / 2),
      ledger_entry_line_id: 5_300_000_000 + i,
    }),
  );

/** The file as a download delivers it: in chunks, some apart in time. */
const download = (bytes: Buffer, chunkSize: number, pauseMs: number): Readable =>
  Readable.from(
    (async function* () {
      for (let i = 0; i < bytes.length; i += chunkSize) {
        if (pauseMs > 0) await sleep(pauseMs);
        else await new Promise(setImmediate);
        yield bytes.subarray(i, i + chunkSize);
      }
    })(),
  );

describe("readAglXlsx on a workbook stored in Excel's part order (the sheet before the shared strings)", () => {
  let tempDir: string;
  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'agl-reader-test-'));
  });
  after(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });
  const read = async (input: Readable) => {
    const out: { row: number; values: AglRow }[] = [];
    for await (const r of readAglXlsx(input, { tempDir })) out.push(r);
    return out;
  };
  const leftInTempDir = () => readdir(tempDir);

  it('reads every cell of thousands of rows exactly, characters split between chunks included', async () => {
    const rows = manyRows(4000);
    const file = await writeAglXlsx(rows, { partOrder: 'excel' });
    assert.deepEqual(
      await read(download(file, 4096, 0)),
      rows.map((values, i) => ({ row: i + 2, values })),
    );
    assert.deepEqual(await leftInTempDir(), []);
  });

  it('reads a small workbook that arrives in one piece after a pause', async () => {
    // The case where exceljs's own zip-stream reader lost the shared strings most of the time: its
    // entry loop ended while they still waited in unzipper's buffer.
    const rows = manyRows(20);
    const file = await writeAglXlsx(rows, { partOrder: 'excel' });
    for (let attempt = 0; attempt < 5; attempt++) {
      const got = await read(download(file, file.length, 1));
      assert.deepEqual(
        got.map((r) => r.values),
        rows,
        `attempt ${attempt + 1}`,
      );
    }
    assert.deepEqual(await leftInTempDir(), []);
  });

  it('keeps the download and its shared strings in files only its user can read while reading, and removes them when the consumer stops early', async () => {
    const rows = manyRows(3000);
    const file = await writeAglXlsx(rows, { partOrder: 'excel' });
    let seen = 0;
    for await (const r of readAglXlsx(download(file, 4096, 0), { tempDir })) {
      assert.deepEqual(r.values, rows[seen]);
      if (++seen === 1) {
        // The download, and its shared strings table beside it: both for this user's eyes only.
        const names = (await leftInTempDir()).sort();
        assert.equal(names.length, 2, names.join(', '));
        const [download, strings] = names as [string, string];
        assert.equal(strings, `${download}.strings`);
        for (const name of names) assert.equal((await stat(join(tempDir, name))).mode & 0o777, 0o600);
        assert.equal((await stat(join(tempDir, download))).size, file.length);
      }
      if (seen === 10) break;
    }
    assert.equal(seen, 10);
    assert.deepEqual(await leftInTempDir(), []);
  });

  it('fails on corrupt compressed data with an AglFormatError, and removes the temporary file', async () => {
    const file = await writeAglXlsx(manyRows(3000), { partOrder: 'excel' });
    // Overwrite a run of bytes in the middle of the sheet's compressed data.
    const at = file.indexOf('xl/worksheets/sheet1.xml') + 20_000;
    const corrupt = Buffer.from(file);
    corrupt.fill(0x5a, at, at + 64);
    let rowsBefore = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of readAglXlsx(download(corrupt, 4096, 0), { tempDir })) rowsBefore++;
      })(),
      (err: unknown) => {
        assert.ok(err instanceof AglFormatError, String(err));
        assert.match(err.message, /^AGL xlsx: not a readable xlsx workbook \(.+\)$/);
        return true;
      },
    );
    assert.ok(rowsBefore < 3000, `${rowsBefore} rows read before the corrupt data`);
    assert.deepEqual(await leftInTempDir(), []);
  });

  it('fails on a truncated file with an AglFormatError that says so, and removes the temporary file', async () => {
    const file = await writeAglXlsx(manyRows(100), { partOrder: 'excel' });
    await assert.rejects(
      read(download(file.subarray(0, file.length - 100), 4096, 0)),
      /^AglFormatError: AGL xlsx: not a readable xlsx workbook \(End of central directory record signature not found\. Either not a zip file, or file is truncated\.\)$/,
    );
    assert.deepEqual(await leftInTempDir(), []);
  });

  it('passes on the error of a download that breaks off (not a format error: worth reading again), and removes the temporary file', async () => {
    const file = await writeAglXlsx(manyRows(100), { partOrder: 'excel' });
    const broken = Readable.from(
      (async function* () {
        yield file.subarray(0, 2000);
        await sleep(1);
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      })(),
    );
    await assert.rejects(read(broken), (err: unknown) => {
      assert.ok(!(err instanceof AglFormatError));
      assert.equal((err as Error).message, 'socket hang up');
      return true;
    });
    assert.deepEqual(await leftInTempDir(), []);
  });
});

describe('AGL decimal conversions', () => {
  it('recovers the decimal a double stands for, without binary noise, with at least two decimals', () => {
    assert.equal(decimalFromDouble(0.1 + 0.2), '0.30');
    assert.equal(decimalFromDouble(1234.56), '1234.56');
    assert.equal(decimalFromDouble(-0.01), '-0.01');
    assert.equal(decimalFromDouble(-0), '0.00');
    assert.equal(decimalFromDouble(1e21), '1000000000000000000000.00');
    assert.equal(decimalFromDouble(1.5e-7), '0.00000015');
    assert.equal(decimalFromDouble(9999999999999.99), '9999999999999.99');
    // whole cents (the fast path) read back exactly, whatever the magnitude below 10^13
    for (let i = 0; i < 20_000; i++) {
      const cents = BigInt(Math.floor(Math.random() * 10 ** (1 + (i % 15)))) * (i % 2 ? -1n : 1n);
      const abs = cents < 0n ? -cents : cents;
      const text = `${cents < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
      assert.equal(decimalFromDouble(Number(text)), text, text);
    }
  });

  it('reads decimals written as text exactly, with either decimal mark and spaces as thousands separators', () => {
    assert.equal(decimalFromText('12345678901234.567'), '12345678901234.567');
    assert.equal(decimalFromText('-1 234,50'), '-1234.50');
    assert.equal(decimalFromText('0012'), '12');
    for (const bad of ['', '-', '.', 'douze', '1.2.3']) assert.equal(decimalFromText(bad), undefined);
  });
});
