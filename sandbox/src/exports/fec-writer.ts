import {
  FEC_AMOUNT_COLUMNS,
  FEC_COLUMNS,
  FEC_DATE_COLUMNS,
  type FecColumn,
  type FecDialect,
  type FecRow,
} from '../../../pennylane/src/export-formats.js';
import { encodeIso885915 } from '../../../pennylane/src/iso-8859-15.js';

/** Records end with CRLF, as most French accounting software writes its FEC (the reader takes LF too). */
export const FEC_LINE_END = '\r\n';

/** Lines encoded per chunk: big enough to be fast, small enough that no huge string is ever built. */
const LINES_PER_CHUNK = 2000;

/**
 * The legal FEC flat file for `rows` (neutral form, see FecRow): a header row of the 18 column names,
 * one row per line, in the dialect's separator and encoding, no BOM. A value containing the separator,
 * CR or LF gets a space in its place, since the format has no quoting.
 */
export function writeFec(rows: Iterable<FecRow>, dialect: FecDialect): Buffer {
  const encode =
    dialect.encoding === 'utf-8' ? (s: string) => Buffer.from(s, 'utf8') : (s: string) => encodeIso885915(s);
  const chunks: Buffer[] = [];
  let lines: string[] = [FEC_COLUMNS.join(dialect.separator)];
  let index = 0;
  for (const row of rows) {
    index++;
    lines.push(
      FEC_COLUMNS.map((column) => fecField(row, column, dialect.separator, index)).join(dialect.separator),
    );
    if (lines.length >= LINES_PER_CHUNK) {
      chunks.push(encode(lines.join(FEC_LINE_END) + FEC_LINE_END));
      lines = [];
    }
  }
  if (lines.length > 0) chunks.push(encode(lines.join(FEC_LINE_END) + FEC_LINE_END));
  return Buffer.concat(chunks);
}

function fecField(row: FecRow, column: FecColumn, separator: string, index: number): string {
  const value = row[column] ?? '';
  if (value === '') return '';
  if (FEC_AMOUNT_COLUMNS.has(column)) return toFecAmount(value, column, index);
  if (FEC_DATE_COLUMNS.has(column)) return toFecDate(value, column, index);
  return value.replaceAll(separator, ' ').replace(/[\r\n]/g, ' ');
}

const NEUTRAL_AMOUNT = /^-?\d+(\.\d+)?$/;
const NEUTRAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `-1234.50` → `-1234,50`: the digits are kept as given, only the decimal mark changes. */
export function toFecAmount(value: string, column = 'amount', index = 0): string {
  if (!NEUTRAL_AMOUNT.test(value)) {
    throw new Error(`FEC row ${index}, column ${column}: "${value}" is not a dot-decimal amount string`);
  }
  return value.replace('.', ',');
}

/** `2025-01-31` → `20250131`. */
export function toFecDate(value: string, column = 'date', index = 0): string {
  const m = NEUTRAL_DATE.exec(value);
  if (!m) throw new Error(`FEC row ${index}, column ${column}: "${value}" is not a YYYY-MM-DD date`);
  return m[1]! + m[2]! + m[3]!;
}
