import type { JsonSchema } from '../../singer/src/messages.js';
import { toPgName } from './identifiers.js';
import { type SqlType, sqlTypeOf } from './sql-types.js';

export type MetadataField =
  | 'extracted_at'
  | 'received_at'
  | 'batched_at'
  | 'deleted_at'
  | 'sequence'
  | 'table_version';

/** One column of a stream's table: where its value comes from and what it is in PostgreSQL. */
export type Column = {
  /** The PostgreSQL column name (see identifiers.ts). */
  name: string;
  type: SqlType;
  /** Property path in the record (`['address', 'city']` for the flattened `address__city`). */
  path: string[];
  /** Set for the `_sdc_*` columns the target fills itself. */
  metadata?: MetadataField;
};

export const METADATA_COLUMNS: { name: string; type: SqlType; field: MetadataField }[] = [
  { name: '_sdc_extracted_at', type: 'timestamptz', field: 'extracted_at' },
  { name: '_sdc_received_at', type: 'timestamptz', field: 'received_at' },
  { name: '_sdc_batched_at', type: 'timestamptz', field: 'batched_at' },
  { name: '_sdc_deleted_at', type: 'timestamptz', field: 'deleted_at' },
  { name: '_sdc_sequence', type: 'bigint', field: 'sequence' },
  { name: '_sdc_table_version', type: 'bigint', field: 'table_version' },
];

/** PostgreSQL's MaxHeapAttributeNumber: a table has at most 1,600 columns (dropped ones count too). */
export const MAX_COLUMNS = 1600;

export class SchemaMappingError extends Error {
  override name = 'SchemaMappingError';
}

export type ColumnOptions = {
  flatteningEnabled: boolean;
  flatteningMaxDepth: number;
  addRecordMetadata: boolean;
  /** The stream uses ACTIVATE_VERSION or versioned records: `_sdc_table_version` is needed even without metadata. */
  versioned: boolean;
};

const isPlainObjectSchema = (s: JsonSchema): boolean => {
  if (s['x-sql-datatype'] !== undefined || s.anyOf || s.oneOf) return false;
  const types = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type];
  return (
    types.length === 1 && types[0] === 'object' && !!s.properties && Object.keys(s.properties).length > 0
  );
};

/**
 * The columns of a stream, in a stable order: properties in schema order (objects with declared
 * properties flattened into `parent__child` up to the depth limit when flattening is on), then the
 * `_sdc_*` metadata columns that the schema does not already declare.
 */
export function columnsOf(stream: string, schema: JsonSchema, opts: ColumnOptions): Column[] {
  if (!schema.properties || typeof schema.properties !== 'object') {
    throw new SchemaMappingError(
      `SCHEMA of stream "${stream}" has no "properties": declare the record's fields as a JSON Schema object`,
    );
  }
  if (toPgName(stream) === '') {
    throw new SchemaMappingError(
      `stream ${JSON.stringify(stream)} has no character PostgreSQL can put in a table name (NUL is dropped): rename the stream in the tap`,
    );
  }
  const out: Column[] = [];
  const walk = (props: Record<string, JsonSchema>, path: string[], depth: number) => {
    for (const [key, prop] of Object.entries(props)) {
      const here = [...path, key];
      const sub = (prop ?? {}) as JsonSchema;
      if (opts.flatteningEnabled && depth < opts.flatteningMaxDepth && isPlainObjectSchema(sub)) {
        walk(sub.properties!, here, depth + 1);
      } else {
        out.push({ name: toPgName(here.join('__')), type: sqlTypeOf(sub), path: here });
      }
    }
  };
  try {
    walk(schema.properties, [], 0);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new SchemaMappingError(
      `stream "${stream}": the schema's objects are nested too deeply to flatten (${err.message}): lower flattening_max_depth (deeper objects stay jsonb columns)`,
    );
  }
  const taken = new Map<string, Column>();
  for (const c of out) {
    if (c.name === '') {
      throw new SchemaMappingError(
        `stream "${stream}", field ${JSON.stringify(c.path.join('.'))}: a property with an empty name (or only NUL) cannot be a PostgreSQL column: rename it in the tap's schema, or deselect it`,
      );
    }
    const other = taken.get(c.name);
    if (other) {
      throw new SchemaMappingError(
        `stream "${stream}": properties "${other.path.join('.')}" and "${c.path.join('.')}" both map to column "${c.name}": rename one in the tap (or turn flattening off)`,
      );
    }
    taken.set(c.name, c);
  }
  for (const m of METADATA_COLUMNS) {
    const wanted = opts.addRecordMetadata || (m.field === 'table_version' && opts.versioned);
    if (!wanted) continue;
    const declared = taken.get(m.name);
    if (declared) {
      // A tap that sends its own _sdc_deleted_at (deletes) keeps its value; the column stays a timestamp.
      if (m.field === 'deleted_at' || m.field === 'extracted_at') declared.type = m.type;
      continue;
    }
    const col: Column = { name: m.name, type: m.type, path: [m.name], metadata: m.field };
    out.push(col);
    taken.set(m.name, col);
  }
  if (out.length > MAX_COLUMNS) {
    const metadata = out.filter((c) => c.metadata).length;
    throw new SchemaMappingError(
      `stream "${stream}": the schema maps to ${out.length} columns (${out.length - metadata} from its properties${opts.flatteningEnabled ? ' after flattening' : ''}, ${metadata} _sdc_ metadata) and a PostgreSQL table holds at most ${MAX_COLUMNS}: select fewer properties in the catalog${opts.flatteningEnabled ? ', lower flattening_max_depth or turn flattening off' : ''}${metadata > 0 && out.length - metadata <= MAX_COLUMNS ? ', or set add_record_metadata: false' : ''}`,
    );
  }
  return out;
}

/** The PostgreSQL names of the key columns, checking that every key property is a column. */
export function keyColumnsOf(stream: string, columns: Column[], keyProperties: string[]): string[] {
  return keyProperties.map((k) => {
    const col = columns.find((c) => c.path.length === 1 && c.path[0] === k);
    if (!col) {
      throw new SchemaMappingError(
        `stream "${stream}": key property "${k}" is not a top-level property of the schema: add it to "properties" or fix "key_properties"`,
      );
    }
    return col.name;
  });
}
