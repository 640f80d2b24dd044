import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { AGL_COLUMNS, type AglColumn, type AglRow } from '../../../pennylane/src/export-formats.js';
import { spoolToTempFile } from './temp-file.js';
import { type CellValue, readFirstSheet, type SheetRow, XlsxFormatError } from './xlsx-first-sheet.js';

/** An AGL workbook that cannot be read; `row` is the worksheet row (1-based, as Excel shows it; 0: none). */
export class AglFormatError extends Error {
  constructor(
    readonly row: number,
    readonly column: string | undefined,
    detail: string,
  ) {
    super(`AGL xlsx${row > 0 ? ` row ${row}` : ''}${column ? `, column "${column}"` : ''}: ${detail}`);
    this.name = 'AglFormatError';
  }
}

/** Rows searched for the header row (an export may carry a title block above it). */
const HEADER_SEARCH_ROWS = 20;

/**
 * Parses an AGL xlsx workbook. The download is first written to a temporary file (0600, in
 * `tempDir`, the system's by default; removed however the reading ends): the parts of an xlsx can come
 * in any order (Excel stores the shared strings after the sheet), and a file can be read in the order
 * the sheet needs them, while memory holds only the distinct shared strings and one row. Reads the
 * first worksheet: finds the header row, maps its labels to AGL_COLUMNS keys (case, accents and
 * column order ignored; unknown columns skipped; absent optional columns null), and yields each
 * non-empty row after it with its worksheet row number, in neutral form: dates YYYY-MM-DD, decimals as
 * exact dot-decimal strings, ids as numbers, null when empty.
 *
 * A file that cannot be read as an AGL workbook fails with an AglFormatError; a download that breaks
 * off, or a temporary file that cannot be written, fails with the stream's or the file system's error.
 */
export async function* readAglXlsx(
  input: Readable,
  options: { tempDir?: string } = {},
): AsyncGenerator<{ row: number; values: AglRow }> {
  const path = await spoolToTempFile(input, options.tempDir ?? tmpdir(), 'tap-pennylane-agl-');
  try {
    yield* readSheet(readFirstSheet(path));
  } catch (error) {
    throw error instanceof XlsxFormatError ? new AglFormatError(0, undefined, error.message) : error;
  } finally {
    await rm(path, { force: true });
  }
}

type Mapping = { column: AglColumn; cell: number }[];

async function* readSheet(
  worksheet: AsyncIterable<SheetRow>,
): AsyncGenerator<{ row: number; values: AglRow }> {
  let mapping: Mapping | undefined;
  let best: { row: number; missing: AglColumn[] } | undefined;
  for await (const row of worksheet) {
    const cells = row.cells;
    if (!cells.some((v) => cellText(v) !== '')) continue;
    if (mapping) {
      yield { row: row.number, values: toAglRow(cells, mapping, row.number) };
      continue;
    }
    const attempt = mapHeader(cells);
    if (attempt.missing.length === 0) mapping = attempt.mapping;
    else if (!best || attempt.missing.length < best.missing.length)
      best = { row: row.number, missing: attempt.missing };
    if (!mapping && row.number >= HEADER_SEARCH_ROWS) break;
  }
  if (!mapping) {
    const where = best ? best.row : 1;
    const missing = (best?.missing ?? AGL_COLUMNS.filter((c) => c.required)).map((c) => `"${c.header}"`);
    throw new AglFormatError(
      where,
      undefined,
      `no header row with the required columns: ${missing.join(', ')} missing (looked at the first ${HEADER_SEARCH_ROWS} rows)`,
    );
  }
}

/** `Numéro de compte`, `numero de compte`, `NUMERO_DE_COMPTE` are the same label. */
const normalizeLabel = (label: string): string =>
  label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();

const COLUMN_BY_LABEL = new Map<string, AglColumn>(
  AGL_COLUMNS.flatMap((c) => [
    [normalizeLabel(c.header), c],
    [normalizeLabel(c.key), c],
  ]),
);

function mapHeader(cells: CellValue[]): { mapping: Mapping; missing: AglColumn[] } {
  const mapping: Mapping = [];
  cells.forEach((value, cell) => {
    // forEach skips the holes of a sparse row (columns without a cell).
    const column = COLUMN_BY_LABEL.get(normalizeLabel(cellText(value)));
    if (column && !mapping.some((m) => m.column === column)) mapping.push({ column, cell });
  });
  const missing = AGL_COLUMNS.filter((c) => c.required && !mapping.some((m) => m.column === c));
  return { mapping, missing };
}

/** Every column null: copied for each row (cheaper than building the object key by key). */
const EMPTY_ROW = Object.fromEntries(AGL_COLUMNS.map((c) => [c.key, null])) as AglRow;

function toAglRow(cells: CellValue[], mapping: Mapping, row: number): AglRow {
  const values = { ...EMPTY_ROW };
  for (const { column, cell } of mapping) {
    values[column.key] = toNeutral(column, cells[cell] ?? null, row);
  }
  return values;
}

type Plain = CellValue;

function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  return value instanceof Date ? value.toISOString() : String(value).trim();
}

function toNeutral(column: AglColumn, value: Plain, row: number): string | number | null {
  if (value === null || (typeof value === 'string' && value.trim() === '')) return null;
  const fail = (expected: string): never => {
    const shown = value instanceof Date ? value.toISOString() : JSON.stringify(value);
    throw new AglFormatError(row, column.header, `${shown} is not ${expected}`);
  };
  switch (column.type) {
    case 'string':
      return value instanceof Date ? isoDate(value) : String(value);
    case 'date':
      if (value instanceof Date) return isoDate(value);
      if (typeof value === 'number') return isoDate(excelSerialToDate(value));
      return parseDateText(String(value).trim()) ?? fail('a date (a date cell, YYYY-MM-DD or DD/MM/YYYY)');
    case 'decimal':
      if (typeof value === 'number')
        return Number.isFinite(value) ? decimalFromDouble(value) : fail('a number');
      return decimalFromText(String(value)) ?? fail('a decimal amount');
    case 'integer': {
      const n =
        typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
      return Number.isSafeInteger(n) ? n : fail('an integer id below 2^53');
    }
  }
}

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

/** Excel's 1900 date system (serial 25569 is 1970-01-01); a time of day is dropped. */
const excelSerialToDate = (serial: number): Date => new Date(Math.round((serial - 25569) * 86400) * 1000);

function parseDateText(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text);
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1]!, iso[2]!, iso[3]!] : french ? [french[3]!, french[2]!, french[1]!] : [];
  if (!y || !m || !d) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
    ? `${y}-${m}-${d}`
    : undefined;
}

/**
 * The decimal a number cell stands for. An xlsx number is a double; every decimal of up to 15
 * significant digits (any amount below 10^13 with cents) comes back exactly from its nearest double
 * at 15 significant digits, which also removes binary noise such as 0.30000000000000004.
 * At least two decimals are kept, as amounts are shown.
 */
export function decimalFromDouble(value: number): string {
  // Fast path, the usual amount: a whole number of cents. c / 100 is the double nearest to that
  // decimal, so it is the decimal the 15-digit rule below gives too, without its string work.
  const cents = Math.round(value * 100);
  if (Math.abs(value) < 1e13 && cents / 100 === value) {
    const abs = Math.abs(cents);
    const frac = abs % 100;
    return `${cents < 0 ? '-' : ''}${(abs - frac) / 100}.${frac < 10 ? '0' : ''}${frac}`;
  }
  const [mantissa = '', exponentText] = Math.abs(value).toPrecision(15).split('e');
  const exponent = Number(exponentText ?? 0);
  const [intPart = '', fracPart = ''] = mantissa.split('.');
  // Shift the decimal point by the exponent, on the digit string.
  let digits = intPart + fracPart;
  let point = intPart.length + exponent;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) digits = digits.padEnd(point, '0');
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point).replace(/0+$/, '').padEnd(2, '0');
  const sign = value < 0 && /[1-9]/.test(int + frac) ? '-' : '';
  return `${sign}${int}.${frac}`;
}

/** A decimal written as text: `1234.56`, `-1234,56`, `1 234,56` → exact dot-decimal; undefined otherwise. */
export function decimalFromText(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:[.,](\d*))?$/.exec(text.replace(/[\s\u00a0\u202f]/g, ''));
  if (!m || (m[2] === '' && m[3] === undefined) || (m[2] === '' && m[3] === '')) return undefined;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  return (m[1] === '-' ? '-' : '') + int + (m[3] ? `.${m[3]}` : '');
}
