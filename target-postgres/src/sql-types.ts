import type { JsonSchema } from '../../singer/src/messages.js';

/**
 * A column type as PostgreSQL DDL, in canonical spelling (`timestamptz`, `bigint`, `numeric(12,2)`).
 * The same spelling is produced from a JSON Schema and from the catalog (format_type), so they compare.
 */
export type SqlType = string;

const ALIASES: Record<string, string> = {
  int8: 'bigint',
  int: 'integer',
  int4: 'integer',
  int2: 'smallint',
  bool: 'boolean',
  float8: 'double precision',
  float4: 'real',
  float: 'double precision',
  decimal: 'numeric',
  json: 'json',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'character varying': 'varchar',
};

/** `format_type()` output or an `x-sql-datatype` value → canonical spelling. */
export function normalizeSqlType(raw: string): SqlType {
  const t = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  if (ALIASES[t]) return ALIASES[t];
  const m = /^(decimal|numeric)\s*\((.*)\)$/.exec(t);
  if (m) return `numeric(${m[2]!.replace(/\s/g, '')})`;
  const v = /^character varying\s*\((\d+)\)$/.exec(t);
  if (v) return `varchar(${v[1]})`;
  return t;
}

const DECIMAL_FORMATS = new Set(['singer.decimal', 'x-singer.decimal', 'decimal']);

function typeOfBranch(schema: JsonSchema): SqlType | undefined {
  const xsql = schema['x-sql-datatype'];
  if (typeof xsql === 'string' && xsql.trim() !== '') return normalizeSqlType(xsql);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) {
    const own =
      schema.type !== undefined ? typeOfBranch({ ...schema, anyOf: undefined, oneOf: undefined }) : undefined;
    return widestOf([own, ...alternatives.map((a) => typeOfBranch(a))]);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0 && schema.type === undefined) {
    return widestOf(schema.allOf.map((a) => typeOfBranch(a)));
  }
  if (schema.type === undefined) {
    if (schema.properties) return 'jsonb';
    return 'jsonb';
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const mapped = types.filter((t) => t !== 'null').map((t) => scalarType(t, schema.format));
  if (mapped.length === 0) return undefined; // only "null": no information
  return widestOf(mapped);
}

function scalarType(type: string, format: string | undefined): SqlType {
  switch (type) {
    case 'integer':
      return 'bigint';
    case 'number':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    case 'object':
    case 'array':
      return 'jsonb';
    case 'string':
      if (format === 'date-time') return 'timestamptz';
      if (format === 'date') return 'date';
      if (format === 'time') return 'time';
      if (format && DECIMAL_FORMATS.has(format)) return 'numeric';
      return 'text';
    default:
      // datatype-failsafe: a type name we do not know still loads, as text.
      return 'text';
  }
}

/**
 * The column type for one property schema: integer→bigint, number→numeric, string formats date-time/date/
 * time/singer.decimal, boolean, object/array→jsonb, x-sql-datatype honoured, several types or anyOf →
 * the widest type holding them all, no type at all → jsonb, only null → text.
 */
export function sqlTypeOf(schema: JsonSchema): SqlType {
  return typeOfBranch(schema) ?? 'text';
}

const INTEGER_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3, numeric: 4 };
const isNumericFamily = (t: SqlType): boolean => t === 'numeric' || t.startsWith('numeric(');
const rankOf = (t: SqlType): number | undefined => (isNumericFamily(t) ? 4 : INTEGER_RANK[t]);
const TEMPORAL: Record<string, number> = { date: 1, timestamp: 2, timestamptz: 3 };
const isTextual = (t: SqlType): boolean => t === 'text' || t === 'varchar' || t.startsWith('varchar(');

/** Whether a column of type `existing` holds every value of type `wanted` without loss. */
export function holds(existing: SqlType, wanted: SqlType): boolean {
  if (existing === wanted) return true;
  if (existing === 'text' || existing === 'jsonb') return true;
  if (existing === 'numeric')
    return rankOf(wanted) !== undefined || wanted === 'real' || wanted === 'double precision';
  const re = INTEGER_RANK[existing];
  const rw = INTEGER_RANK[wanted];
  if (re !== undefined && rw !== undefined && existing !== 'numeric') return re >= rw;
  if (existing === 'double precision')
    return wanted === 'real' || wanted === 'smallint' || wanted === 'integer';
  if (existing === 'timestamptz') return wanted === 'date' || wanted === 'timestamp';
  if (existing === 'timestamp') return wanted === 'date';
  return false;
}

/** The narrowest type that holds both: the rule for multi-type schemas and for in-place evolution. */
export function widen(a: SqlType, b: SqlType): SqlType {
  if (a === b) return a;
  // Objects in the mix: jsonb keeps them queryable (strings become JSON strings).
  if (a === 'jsonb' || b === 'jsonb' || a === 'json' || b === 'json') return 'jsonb';
  if (holds(a, b)) return a;
  if (holds(b, a)) return b;
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== undefined && rb !== undefined) return 'numeric';
  if (
    (ra !== undefined || a === 'real' || a === 'double precision') &&
    (rb !== undefined || b === 'real' || b === 'double precision')
  ) {
    return 'numeric';
  }
  if (TEMPORAL[a] && TEMPORAL[b]) return 'timestamptz';
  return 'text';
}

function widestOf(types: (SqlType | undefined)[]): SqlType | undefined {
  let out: SqlType | undefined;
  for (const t of types) if (t !== undefined) out = out === undefined ? t : widen(out, t);
  return out;
}

/** How a value is written in COPY text for a column: JSON text for json/jsonb, the plain value otherwise. */
export type ValueKind = 'json' | 'plain';
export const valueKindOf = (t: SqlType): ValueKind => (t === 'jsonb' || t === 'json' ? 'json' : 'plain');

/** The `USING` expression that converts a column in place when it widens from `from` to `to`. */
export function widenUsing(quotedColumn: string, from: SqlType, to: SqlType): string {
  if (to === 'jsonb') return from === 'json' ? `${quotedColumn}::jsonb` : `to_jsonb(${quotedColumn})`;
  if (isTextual(to) || to === 'text') return `${quotedColumn}::text`;
  return `${quotedColumn}::${to}`;
}
