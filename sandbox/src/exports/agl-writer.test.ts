import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { AGL_COLUMNS, type AglRow } from '../../../pennylane/src/export-formats.js';
import { AGL_SHEET_NAME, writeAglXlsx } from './agl-writer.js';

const row = (fields: Partial<AglRow>): AglRow =>
  Object.fromEntries(AGL_COLUMNS.map((c) => [c.key, fields[c.key] ?? null])) as AglRow;

const load = async (buffer: Buffer): Promise<ExcelJS.Worksheet> => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  assert.equal(workbook.worksheets.length, 1);
  return workbook.worksheets[0]!;
};

describe('writeAglXlsx', () => {
  it('writes one sheet with the header labels, then typed cells: dates, numbers, text, and no cell when empty', async () => {
    const sheet = await load(
      await writeAglXlsx([
        row({
          date: '2025-03-31',
          journal_code: 'VT',
          account_number: '411000',
          label: 'Facture Œuvre',
          debit: '1234.56',
          credit: '0.00',
          category_weight: '0.3333',
          ledger_entry_line_id: 5_000_000_123,
          thirdparty_label: '',
        }),
      ]),
    );
    assert.equal(sheet.name, AGL_SHEET_NAME);
    assert.deepEqual(
      (sheet.getRow(1).values as unknown[]).slice(1),
      AGL_COLUMNS.map((c) => c.header),
    );
    const cell = (key: string) => sheet.getRow(2).getCell(AGL_COLUMNS.findIndex((c) => c.key === key) + 1);
    assert.deepEqual(cell('date').value, new Date(Date.UTC(2025, 2, 31)));
    assert.equal(cell('date').numFmt, 'dd/mm/yyyy');
    assert.equal(cell('debit').value, 1234.56);
    assert.equal(cell('debit').numFmt, '#,##0.00');
    assert.equal(cell('credit').value, 0);
    assert.equal(cell('category_weight').value, 0.3333);
    assert.equal(cell('ledger_entry_line_id').value, 5_000_000_123);
    assert.equal(cell('account_number').value, '411000');
    assert.equal(cell('label').value, 'Facture Œuvre');
    assert.equal(cell('thirdparty_label').value, null);
    assert.equal(cell('invoice_number').value, null);
  });

  it('writes a decimal with more than 15 significant digits, or an id above 2^53, as text so it stays exact', async () => {
    const sheet = await load(
      await writeAglXlsx([row({ debit: '12345678901234.567', ledger_entry_id: '9007199254740993' })]),
    );
    const cell = (key: string) => sheet.getRow(2).getCell(AGL_COLUMNS.findIndex((c) => c.key === key) + 1);
    assert.equal(cell('debit').value, '12345678901234.567');
    assert.equal(cell('ledger_entry_id').value, '9007199254740993');
  });

  it('escapes XML markup in texts and drops the control characters XML cannot carry', async () => {
    const sheet = await load(
      await writeAglXlsx([row({ label: ' <a> & "b"\u0001\u000b ', account_number: '&amp;' })]),
    );
    const cell = (key: string) => sheet.getRow(2).getCell(AGL_COLUMNS.findIndex((c) => c.key === key) + 1);
    assert.equal(cell('label').value, ' <a> & "b" ');
    assert.equal(cell('account_number').value, '&amp;');
  });

  it('lays the parts out as Excel does when asked (the sheet before the styles and the shared strings), with the same content', async () => {
    const rows = [
      row({ date: '2025-03-31', journal_code: 'VT', label: 'Œuvre', debit: '1.50', credit: '0.00' }),
    ];
    const streaming = await writeAglXlsx(rows);
    const excel = await writeAglXlsx(rows, { partOrder: 'excel' });
    // The first occurrence of a part's name is its local header: the order of the parts in the file.
    const order = (file: Buffer) =>
      ['xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/sharedStrings.xml'].sort(
        (a, b) => file.indexOf(a) - file.indexOf(b),
      );
    assert.deepEqual(order(streaming), ['xl/styles.xml', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml']);
    assert.deepEqual(order(excel), ['xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/sharedStrings.xml']);
    const values = async (file: Buffer) =>
      (await load(file)).getSheetValues().map((cells) => (cells as unknown[] | undefined)?.slice(1));
    assert.deepEqual(await values(excel), await values(streaming));
  });

  it('rejects a value that is not in neutral form, naming the row and column', async () => {
    await assert.rejects(
      writeAglXlsx([row({}), row({ debit: '12,50' })]),
      /AGL row 2, column debit: "12,50" is not a dot-decimal string/,
    );
    await assert.rejects(
      writeAglXlsx([row({ date: '31/03/2025' })]),
      /AGL row 1, column date: "31\/03\/2025" is not a YYYY-MM-DD date/,
    );
  });
});
