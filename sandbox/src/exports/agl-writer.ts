import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AGL_COLUMNS, type AglColumn, type AglRow } from '../../../pennylane/src/export-formats.js';

/** Sheet name of the workbook (Pennylane's is unknown; readers take the first sheet whatever its name). */
export const AGL_SHEET_NAME = 'Grand livre analytique';

const NUMBER_FORMATS: Record<AglColumn['type'], string | undefined> = {
  date: 'dd/mm/yyyy',
  decimal: '#,##0.00',
  integer: '0',
  string: undefined,
};

/**
 * The AGL xlsx workbook for `rows`: one sheet, a header row of AGL_COLUMNS labels, then one row per
 * entry; typed cells as an accountant's spreadsheet has them: dates are date cells (dd/mm/yyyy),
 * amounts and weights number cells (#,##0.00), ids number cells, empty values no cell at all.
 * A decimal that a double cannot hold exactly to 15 significant digits (or an id above 2^53) is
 * written as a text cell instead, so no value ever changes; the reader accepts both.
 * Written with exceljs's streaming writer: rows are serialised as they come, never held as cell objects.
 */
export async function writeAglXlsx(rows: Iterable<AglRow>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: true,
  });
  const sheet = workbook.addWorksheet(AGL_SHEET_NAME);
  sheet.columns = AGL_COLUMNS.map((column) => {
    const numFmt = NUMBER_FORMATS[column.type];
    return { header: column.header, key: column.key, width: 16, ...(numFmt ? { style: { numFmt } } : {}) };
  });
  let index = 0;
  for (const row of rows) {
    index++;
    const cells: Record<string, ExcelJS.CellValue> = {};
    for (const column of AGL_COLUMNS) cells[column.key] = toCell(column, row[column.key], index);
    sheet.addRow(cells).commit();
  }
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

function toCell(
  column: AglColumn,
  value: string | number | null | undefined,
  index: number,
): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  const fail = (expected: string) =>
    new Error(`AGL row ${index}, column ${column.key}: ${JSON.stringify(value)} is not ${expected}`);
  switch (column.type) {
    case 'string':
      return String(value);
    case 'date': {
      const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      if (!m) throw fail('a YYYY-MM-DD date');
      return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    }
    case 'integer': {
      const text = String(value);
      if (!/^-?\d+$/.test(text)) throw fail('an integer');
      return Number.isSafeInteger(Number(text)) ? Number(text) : text;
    }
    case 'decimal': {
      const text = String(value);
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw fail('a dot-decimal string');
      return doubleHoldsExactly(text) ? Number(text) : text;
    }
  }
}

/** True when the double nearest to `text` reads back as the same decimal at 15 significant digits. */
function doubleHoldsExactly(text: string): boolean {
  const significant = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15;
}
