/**
 * Airbyte → Singer, for a Singer target run as an Airbyte destination: the configured catalog becomes one
 * SCHEMA per stream, and each destination sync mode becomes what the target already knows:
 * append = no key (plain inserts), append_dedup = key_properties (upsert, `_ab_cdc_deleted_at` deletes),
 * overwrite = versioned records then ACTIVATE_VERSION (old rows go only once the new ones are committed).
 * Pure functions; the stdin loop is in destination-stream.ts.
 */
import type { JsonSchema, RecordMessage, SchemaMessage } from '../../singer/src/messages.js';
import { AirbyteCatalogError } from './configured-catalog.js';
import type { ConfiguredAirbyteStream, DestinationSyncMode } from './messages.js';
import { AIRBYTE_DELETED_AT, SINGER_DELETED_AT } from './source-mapping.js';

export const SUPPORTED_DESTINATION_SYNC_MODES: DestinationSyncMode[] = [
  'append',
  'overwrite',
  'append_dedup',
];

/** Airbyte's well-known types (`$ref: WellKnownTypes.json#/definitions/<name>`) as plain JSON Schema. */
const WELL_KNOWN: Record<string, JsonSchema> = {
  String: { type: 'string' },
  BinaryData: { type: 'string' },
  Date: { type: 'string', format: 'date' },
  TimestampWithTimezone: { type: 'string', format: 'date-time' },
  TimestampWithoutTimezone: { type: 'string', format: 'date-time', 'x-sql-datatype': 'timestamp' },
  TimeWithTimezone: { type: 'string', format: 'time', 'x-sql-datatype': 'timetz' },
  TimeWithoutTimezone: { type: 'string', format: 'time' },
  Number: { type: 'number' },
  Integer: { type: 'integer' },
  Boolean: { type: 'boolean' },
};

const withNull = (type: JsonSchema['type']): JsonSchema['type'] => {
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? type : [type];
  return list.includes('null') ? list : [...list, 'null'];
};

/**
 * An Airbyte `json_schema` node as the Singer JSON Schema the target maps to columns: well-known type
 * references resolved, `airbyte_type: integer` honoured, timestamps without time zone kept as such, and
 * every typed field nullable (Airbyte treats all fields as nullable; a null must not fail validation).
 */
export function toSingerSchema(node: JsonSchema): JsonSchema {
  let out: JsonSchema = { ...node };
  const ref =
    typeof node.$ref === 'string' ? /WellKnownTypes\.json#\/definitions\/(\w+)$/.exec(node.$ref) : null;
  if (ref) {
    delete out.$ref;
    out = { ...out, ...(WELL_KNOWN[ref[1]!] ?? {}) };
  }
  if (node.airbyte_type === 'integer' || node.airbyte_type === 'big_integer') {
    const types = Array.isArray(out.type) ? out.type : [out.type];
    if (types.includes('number'))
      out.type = Array.isArray(out.type)
        ? (types.map((t) => (t === 'number' ? 'integer' : t)) as string[])
        : 'integer';
  }
  if (node.airbyte_type === 'timestamp_without_timezone') out['x-sql-datatype'] = 'timestamp';
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([k, v]) => [k, toSingerSchema(v)]),
    );
  }
  if (node.items && !Array.isArray(node.items)) out.items = toSingerSchema(node.items);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (list) out[key] = list.map(toSingerSchema);
  }
  const type = withNull(out.type);
  if (type !== undefined) out.type = type;
  delete out.required;
  return out;
}

/** How one configured stream is loaded. */
export type StreamPlan = {
  stream: string;
  mode: 'append' | 'overwrite' | 'append_dedup';
  keyProperties: string[];
  /**
   * Set when this sync replaces the stream's earlier rows (overwrite, or a refresh that truncates): the
   * version every record carries, activated once the stream is complete.
   */
  version?: number;
};

/**
 * Whether the platform asks for the rows of earlier generations to go once this sync completes (Airbyte
 * ≥ 1.0 "refreshes" and "clear data": `minimum_generation_id` equal to a positive `generation_id`).
 */
const truncates = (c: ConfiguredAirbyteStream): boolean =>
  typeof c.generation_id === 'number' && c.generation_id > 0 && c.minimum_generation_id === c.generation_id;

/** The load plan of one configured stream; `version` is this sync's table version. */
export function planStream(configured: ConfiguredAirbyteStream, version: number): StreamPlan {
  const stream = configured.stream.name;
  const mode = configured.destination_sync_mode;
  const replace = mode === 'overwrite' || truncates(configured) ? { version } : {};
  if (mode === 'append' || mode === 'overwrite') return { stream, mode, keyProperties: [], ...replace };
  if (mode === 'append_dedup') {
    const pk = configured.primary_key?.length
      ? configured.primary_key
      : configured.stream.source_defined_primary_key;
    if (!pk || pk.length === 0)
      throw new AirbyteCatalogError(
        `stream "${stream}": destination_sync_mode append_dedup needs a "primary_key" (e.g. [["id"]]) in the configured catalog`,
      );
    const keyProperties = pk.map((path) => {
      if (path.length !== 1)
        throw new AirbyteCatalogError(
          `stream "${stream}": primary key ${JSON.stringify(path)} is a nested path; only top-level fields can be keys`,
        );
      return path[0]!;
    });
    return { stream, mode, keyProperties, ...replace };
  }
  throw new AirbyteCatalogError(
    `stream "${stream}": destination_sync_mode "${mode}" is not supported; use one of ${SUPPORTED_DESTINATION_SYNC_MODES.join(', ')}`,
  );
}

const DELETED_AT: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

/** The SCHEMA message of a configured stream. append_dedup streams read `_ab_cdc_deleted_at` as deletes. */
export function schemaMessage(configured: ConfiguredAirbyteStream, plan: StreamPlan): SchemaMessage {
  const schema = toSingerSchema(configured.stream.json_schema);
  if (!schema.properties) schema.properties = {};
  if (plan.mode === 'append_dedup') {
    const { [AIRBYTE_DELETED_AT]: _cdc, ...rest } = schema.properties;
    schema.properties = { ...rest, [SINGER_DELETED_AT]: DELETED_AT };
  }
  return { type: 'SCHEMA', stream: plan.stream, schema, key_properties: plan.keyProperties };
}

/** An Airbyte record's data as a Singer RECORD of its plan. */
export function recordFromAirbyte(
  data: Record<string, unknown>,
  emittedAt: unknown,
  plan: StreamPlan,
): RecordMessage {
  let record = data;
  if (plan.mode === 'append_dedup' && AIRBYTE_DELETED_AT in data) {
    const { [AIRBYTE_DELETED_AT]: deletedAt, ...rest } = data;
    record = { ...rest, [SINGER_DELETED_AT]: deletedAt ?? null };
  }
  const m: RecordMessage = { type: 'RECORD', stream: plan.stream, record };
  if (typeof emittedAt === 'number' && Number.isFinite(emittedAt)) {
    const at = new Date(emittedAt);
    if (!Number.isNaN(at.getTime())) m.time_extracted = at.toISOString();
  }
  if (plan.version !== undefined) m.version = plan.version;
  return m;
}
