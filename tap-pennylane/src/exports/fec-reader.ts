import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import {
  FEC_AMOUNT_COLUMNS,
  FEC_COLUMNS,
  FEC_DATE_COLUMNS,
  type FecColumn,
  type FecRow,
} from '../../../pennylane/src/export-formats.js';
import { decodeIso885915 } from '../../../pennylane/src/iso-8859-15.js';

/** A FecRow as a record of the `fec` stream: empty values become null (the schema's dates and decimals). */
export const fecRecord = (row: FecRow): Record<FecColumn, string | null> =>
  Object.fromEntries(
    FEC_COLUMNS.map((column) => [column, row[column] === '' ? null : row[column]]),
  ) as Record<FecColumn, string | null>;

/** A FEC file that cannot be read; `line` is 1-based, `column` the FEC column name when one is at fault. */
export class FecFormatError extends Error {
  constructor(
    readonly line: number,
    readonly column: string | undefined,
    detail: string,
  ) {
    super(`FEC line ${line}${column ? `, column ${column}` : ''}: ${detail}`);
    this.name = 'FecFormatError';
  }
}

/** A record longer than this is not a FEC line (e.g. a binary file, or CR-only line ends): fail, don't buffer. */
export const MAX_FEC_LINE_BYTES = 1 << 20;

const EXPECTED_HEADER = FEC_COLUMNS.join('|');

/**
 * Parses a FEC flat file chunk by chunk, yielding each data row in neutral form (FecRow: dot-decimal
 * amount strings, YYYY-MM-DD dates, values trimmed) with its 1-based line number in the file.
 *
 * Detection: the separator is tab or `|`, whichever the header row holds. The encoding is UTF-8 when
 * the file starts with a UTF-8 BOM; otherwise it is decided at the first line holding a non-ASCII
 * byte (before that both encodings read the same): UTF-8 if that line is valid UTF-8, else ISO-8859-15.
 * Lines are split on LF bytes (never part of a multi-byte UTF-8 character), with an optional CR.
 */
export async function* readFec(input: Readable): AsyncGenerator<{ line: number; row: FecRow }> {
  const decoder = new LineDecoder();
  let header: Header | undefined;
  for await (const { bytes, line } of splitLines(input)) {
    const text = decoder.decode(line === 1 ? checkStart(bytes) : bytes, line);
    if (text.trim() === '') continue;
    if (!header) header = parseHeader(text, line);
    else yield { line, row: parseRow(text, line, header) };
  }
  if (!header)
    throw new FecFormatError(1, undefined, `the file is empty; expected a header row ${EXPECTED_HEADER}`);
}

/** Yields each line's bytes (LF and a trailing CR removed) and its number; holds at most one line. */
async function* splitLines(input: Readable): AsyncGenerator<{ bytes: Buffer; line: number }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const finish = (bytes: Buffer) => {
    line++;
    return { bytes: bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes, line };
  };
  for await (const chunk of input) {
    const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let lf = buffer.indexOf(0x0a); lf >= 0; lf = buffer.indexOf(0x0a, start)) {
      let bytes = buffer.subarray(start, lf);
      if (pendingBytes > 0) {
        bytes = Buffer.concat([...pending, bytes]);
        pending = [];
        pendingBytes = 0;
      }
      start = lf + 1;
      yield finish(bytes);
    }
    if (start < buffer.length) {
      pending.push(buffer.subarray(start));
      pendingBytes += buffer.length - start;
      if (pendingBytes > MAX_FEC_LINE_BYTES) {
        throw new FecFormatError(
          line + 1,
          undefined,
          `line longer than ${MAX_FEC_LINE_BYTES} bytes; this is not a FEC flat file (records must end with LF or CRLF)`,
        );
      }
    }
  }
  if (pendingBytes > 0) yield finish(Buffer.concat(pending));
}

/** Rejects what is clearly not a FEC text file, and strips a UTF-8 BOM (noted by the decoder). */
function checkStart(bytes: Buffer): Buffer {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new FecFormatError(
      1,
      undefined,
      'this is a zip archive (an xlsx workbook?), not a FEC flat text file',
    );
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new FecFormatError(
      1,
      undefined,
      'the file is UTF-16; only UTF-8 and ISO-8859-15 FEC files are read',
    );
  }
  return bytes;
}

class LineDecoder {
  private encoding: 'utf-8' | 'iso-8859-15' | undefined;
  private reason = '';

  decode(bytes: Buffer, line: number): string {
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      this.encoding = 'utf-8';
      this.reason = 'the file starts with a UTF-8 byte order mark';
      bytes = bytes.subarray(3);
    }
    if (this.encoding === undefined) {
      if (isAscii(bytes)) return bytes.toString('latin1');
      this.encoding = isUtf8(bytes) ? 'utf-8' : 'iso-8859-15';
      this.reason = `line ${line} is valid UTF-8`;
    }
    if (this.encoding === 'iso-8859-15') return decodeIso885915(bytes);
    if (!isUtf8(bytes)) {
      throw new FecFormatError(
        line,
        undefined,
        `invalid UTF-8, although ${this.reason}; the file mixes encodings (re-save it wholly as UTF-8 or ISO-8859-15)`,
      );
    }
    return bytes.toString('utf8');
  }
}

type Header = { separator: '\t' | '|'; positions: number[]; width: number };

function parseHeader(text: string, line: number): Header {
  const separator = text.includes('\t') ? '\t' : text.includes('|') ? '|' : undefined;
  if (!separator) {
    throw new FecFormatError(
      line,
      undefined,
      `the header row has neither tab nor | separators; expected the columns ${EXPECTED_HEADER}`,
    );
  }
  // Case is ignored: software writes MontantDevise / IDevise as often as the law's Montantdevise / Idevise.
  const names = text.split(separator).map((name) => name.trim().toLowerCase());
  const positions = FEC_COLUMNS.map((column) => names.indexOf(column.toLowerCase()));
  const missing = FEC_COLUMNS.filter((_, i) => positions[i]! < 0);
  if (missing.length > 0) {
    throw new FecFormatError(
      line,
      undefined,
      `the header row lacks ${missing.join(', ')}; expected the columns ${EXPECTED_HEADER} (separated by tab or |)`,
    );
  }
  return { separator, positions, width: names.length };
}

function parseRow(text: string, line: number, header: Header): FecRow {
  const fields = text.split(header.separator);
  // A trailing separator (an empty extra field) is tolerated; anything else means a value held the
  // separator and the columns are shifted, which must not be loaded silently.
  if (fields.length < header.width || fields.slice(header.width).some((f) => f.trim() !== '')) {
    const name = header.separator === '\t' ? 'tab' : '|';
    throw new FecFormatError(
      line,
      undefined,
      `${fields.length} fields separated by ${name} where the header has ${header.width}; a value may contain the separator`,
    );
  }
  const row = {} as FecRow;
  FEC_COLUMNS.forEach((column, i) => {
    row[column] = fromFecValue(column, fields[header.positions[i]!]!.trim(), line);
  });
  return row;
}

function fromFecValue(column: FecColumn, value: string, line: number): string {
  if (value === '') return '';
  if (FEC_AMOUNT_COLUMNS.has(column)) {
    const amount = fromFecAmount(value);
    if (amount === undefined) {
      throw new FecFormatError(
        line,
        column,
        `"${value}" is not an amount; expected digits with a comma decimal mark, e.g. 1234,50 or -12,00`,
      );
    }
    return amount;
  }
  if (FEC_DATE_COLUMNS.has(column)) {
    const date = fromFecDate(value);
    if (date === undefined) {
      throw new FecFormatError(
        line,
        column,
        `"${value}" is not a date in the FEC's YYYYMMDD form, e.g. 20250131`,
      );
    }
    return date;
  }
  return value;
}

const FEC_AMOUNT = /^([+-]?)(\d*)(?:[,.](\d*))?$/;

/**
 * `-1234,50` → `-1234.50`, exactly (string work, no float). A dot decimal mark is accepted too.
 * Returns undefined when the text is not an amount.
 */
export function fromFecAmount(text: string): string | undefined {
  const m = FEC_AMOUNT.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = ''] = m;
  if (int === '' && frac === '') return undefined;
  const digits = int.replace(/^0+(?=\d)/, '') || '0';
  return (sign === '-' ? '-' : '') + digits + (frac ? `.${frac}` : '');
}

/** `20250131` → `2025-01-31`; undefined when not a real calendar date in that form. */
export function fromFecDate(text: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return `${y}-${mo}-${d}`;
}
