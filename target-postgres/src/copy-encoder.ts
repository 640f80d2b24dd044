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

/** LosslessNumber values only occur in records the reader flagged, which take the slower writer. */
const jsonText = (value: unknown, lossless: boolean): string =>
  lossless ? stringifyLossless(value) : (JSON.stringify(value) ?? 'null');

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

const metaValue = (field: MetadataField, record: Record<string, unknown>, meta: RecordMeta): unknown => {
  switch (field) {
    case 'extracted_at':
      return meta.extractedAt;
    case 'received_at':
      return meta.receivedAt;
    case 'batched_at':
      return meta.batchedAt;
    case 'deleted_at':
      return record._sdc_deleted_at;
    case 'sequence':
      return meta.sequence;
    case 'table_version':
      return meta.version;
  }
};

export type RowEncoder = (record: Record<string, unknown>, meta: RecordMeta, stats: EncodeStats) => string;

/**
 * Compiles the encoder of one table layout: a record (and its metadata) → one COPY text line without
 * the trailing newline. Columns are written in the order given, which is the COPY column list.
 */
export function makeRowEncoder(columns: readonly Column[]): RowEncoder {
  const n = columns.length;
  const kinds = columns.map((c) => valueKindOf(c.type));
  const heads = columns.map((c) => c.path[0]!);
  const tails = columns.map((c) => c.path.slice(1));
  const metas = columns.map((c) => c.metadata);
  return (record, meta, stats) => {
    let line = '';
    for (let i = 0; i < n; i++) {
      let value: unknown;
      const m = metas[i];
      if (m !== undefined) value = metaValue(m, record, meta);
      else {
        value = record[heads[i]!];
        const tail = tails[i]!;
        for (let j = 0; j < tail.length && value !== null && value !== undefined; j++) {
          value =
            typeof value === 'object' && !Array.isArray(value)
              ? (value as Record<string, unknown>)[tail[j]!]
              : undefined;
        }
      }
      const text = encodeValue(value, kinds[i]!, stats, meta.lossless, meta.escapeFree);
      line = i === 0 ? text : `${line}\t${text}`;
    }
    return line;
  };
}
