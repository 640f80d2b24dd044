import { stringifyJson } from '../../singer/src/json-deep.js';
import { LosslessNumber, stringifyLossless } from '../../singer/src/json-lossless.js';
import type { Column, MetadataField } from './columns.js';
import { type ValueKind, valueKindOf } from './sql-types.js';

/** Counters the encoder keeps while it works (NUL characters cannot be stored in PostgreSQL text). */
export type EncodeStats = { nulRemoved: number };

/** Per-record values the target supplies for the `_sdc_*` columns. */
export type RecordMeta = {
  extractedAt: string | undefined;
  receivedAt: string;
  batchedAt: string;
  sequence: number;
  version: number | undefined;
  /** The record holds LosslessNumber values (PlacedMessage.lossless). */
  lossless: boolean;
  /** No string of the record needs escaping (PlacedMessage.escapeFree): the per-value scan is skipped. */
  escapeFree: boolean;
  /** The record's strings are byte strings (PlacedMessage.byteStrings): the row is written as latin1. */
  byteStrings: boolean;
};

const SPECIAL = /[\\\n\r\t\0]/;
const SPECIAL_ALL = /[\\\n\r\t\0]/g;
const REPLACEMENT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '' };

/** COPY text format escaping: backslash, newline, carriage return and tab escaped; NUL removed and counted. */
export function escapeCopyText(text: string, stats: EncodeStats): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(SPECIAL_ALL, (ch) => {
    if (ch === '\0') stats.nulRemoved++;
    return REPLACEMENT[ch]!;
  });
}

/** `\u0000` is valid JSON but jsonb refuses it: drop it (an escaped backslash before `u0000` is kept). */
const JSON_NUL = /\\\\|\\u0000/g;
function stripJsonNul(json: string, stats: EncodeStats): string {
  if (!json.includes('\\u0000')) return json;
  return json.replace(JSON_NUL, (m) => {
    if (m === '\\\\') return m;
    stats.nulRemoved++;
    return '';
  });
}

/**
 * LosslessNumber values only occur in records the reader flagged, which take the slower writer. A value
 * nested deeper than JSON.stringify's recursion goes (about 4,000 levels; jsonb takes about 16,000) is
 * written by the iterative writer instead.
 */
function jsonText(value: unknown, lossless: boolean): string {
  if (lossless) return stringifyLossless(value);
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    if (err instanceof RangeError) return stringifyJson(value);
    throw err;
  }
}

/** One value in COPY text format (without the column separator). `\N` is NULL. */
export function encodeValue(
  value: unknown,
  kind: ValueKind,
  stats: EncodeStats,
  lossless = false,
  escapeFree = false,
): string {
  if (value === null || value === undefined) return '\\N';
  if (kind === 'json') {
    const json = jsonText(value, lossless);
    return escapeFree ? json : escapeCopyText(stripJsonNul(json, stats), stats);
  }
  switch (typeof value) {
    case 'string':
      return escapeFree ? value : escapeCopyText(value, stats);
    case 'number':
      // Non-finite numbers cannot come from JSON; numeric accepts the exponent form of large doubles.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    default:
      if (value instanceof LosslessNumber) return value.text;
      return escapeCopyText(stripJsonNul(jsonText(value, lossless), stats), stats);
  }
}

/** Where each metadata column's value comes from, as an expression of the generated encoder. */
const META_SOURCE: Record<MetadataField, string> = {
  extracted_at: 'm.extractedAt',
  received_at: 'm.receivedAt',
  batched_at: 'm.batchedAt',
  deleted_at: 'r._sdc_deleted_at',
  sequence: 'm.sequence',
  table_version: 'm.version',
};

/**
 * Encodes a record (and its metadata) as one COPY text line: the columns, then `tail` (the newline, or
 * extra staging columns and the newline).
 */
export type RowEncoder = (
  record: Record<string, unknown>,
  meta: RecordMeta,
  stats: EncodeStats,
  tail: string,
) => string;

/** The generated statements that read column `i`'s value into `v${i}` (a flattened column walks its path). */
function readValue(column: Column, i: number): string {
  const v = `v${i}`;
  if (column.metadata) return `const ${v} = ${META_SOURCE[column.metadata]};`;
  const [head, ...tail] = column.path.map((p) => JSON.stringify(p));
  return [
    `let ${v} = r[${head}];`,
    ...tail.map(
      (p) =>
        `if (${v} != null) ${v} = typeof ${v} === 'object' && !Array.isArray(${v}) ? ${v}[${p}] : undefined;`,
    ),
  ].join('\n  ');
}

/**
 * Compiles the encoder of one table layout, columns in the order given (the COPY column list). The
 * function is generated (as ajv does for schemas) so that each column reads its property at its own
 * site with a constant name, and strings from escape-free lines and numbers take an inline path;
 * everything else goes through encodeValue. The values are joined in one go, which builds the line as
 * one flat string (no chain of concatenations for the buffer write to flatten first). Property names
 * enter the source only as JSON string literals.
 */
export function makeRowEncoder(columns: readonly Column[]): RowEncoder {
  if (columns.length === 0) return (_record, _meta, _stats, tail) => tail;
  const NULL = JSON.stringify('\\N');
  const texts = columns.map((c, i) => {
    const v = `v${i}`;
    return valueKindOf(c.type) === 'json'
      ? `${v} == null ? ${NULL} : encodeValue(${v}, 'json', st, ll, ef)`
      : `${v} == null ? ${NULL} : typeof ${v} === 'string' && ef ? ${v} : typeof ${v} === 'number' ? '' + ${v} : encodeValue(${v}, 'plain', st, ll, ef)`;
  });
  const source = `return function encodeRow(r, m, st, tail) {
  const ll = m.lossless, ef = m.escapeFree;
  ${columns.map(readValue).join('\n  ')}
  return [
    ${texts.map((t, i) => (i === texts.length - 1 ? `(${t}) + tail` : `(${t})`)).join(',\n    ')}
  ].join('\\t');
};`;
  return new Function('encodeValue', source)(encodeValue) as RowEncoder;
}
