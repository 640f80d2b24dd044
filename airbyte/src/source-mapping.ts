/**
 * Singer → Airbyte, for a Singer tap run as an Airbyte source. Pure functions: the tap's engine stays the
 * one engine, and these turn its messages, catalog and state into the Airbyte forms (and the platform's
 * state back into the tap's).
 */
import type { CatalogEntry, MetadataEntry, SingerCatalog } from '../../singer/src/catalog.js';
import type { JsonSchema, RecordMessage } from '../../singer/src/messages.js';
import type { AirbyteMessage, AirbyteStream, ConfiguredAirbyteCatalog, SyncMode } from './messages.js';
import { recordMessage, streamStateMessage } from './messages.js';

/** The Singer delete marker, and the field Airbyte users know from CDC sources for the same thing. */
export const SINGER_DELETED_AT = '_sdc_deleted_at';
export const AIRBYTE_DELETED_AT = '_ab_cdc_deleted_at';
export const AIRBYTE_CURSOR = '_ab_cdc_cursor';

const CURSOR_SCHEMA: JsonSchema = {
  type: 'integer',
  description:
    'Grows with every record emitted (epoch microseconds): the order of the changes, for deduplication.',
};

const DELETED_AT_SCHEMA: JsonSchema = {
  type: ['null', 'string'],
  format: 'date-time',
  description:
    'Set when the record was deleted in the source (the record then carries only its key and this field); null otherwise.',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Singer RECORD as an Airbyte RECORD. A delete (non-null `_sdc_deleted_at`) keeps its instant under
 * `_ab_cdc_deleted_at`; the Singer `version` has no Airbyte equivalent (the destination's sync mode does
 * that job) and is dropped. `cursor`, when given, is set as `_ab_cdc_cursor` (see CdcCursor).
 */
export function recordToAirbyte(m: RecordMessage, emittedAt: number, cursor?: number): AirbyteMessage {
  let data = m.record;
  if (SINGER_DELETED_AT in data) {
    const { [SINGER_DELETED_AT]: deletedAt, ...rest } = data;
    data = deletedAt == null ? rest : { ...rest, [AIRBYTE_DELETED_AT]: deletedAt };
  }
  if (cursor !== undefined) data = { ...data, [AIRBYTE_CURSOR]: cursor };
  return recordMessage(m.stream, data, emittedAt);
}

/**
 * The synthetic cursor of incremental streams, as Airbyte's CDC sources have: an integer that grows with
 * every record emitted, across runs too (epoch microseconds, bumped by one when two records share one).
 * Airbyte destinations deduplicate on the cursor; the record fields cannot serve (a delete carries only
 * its key, and `updated_at` may move backwards), while the tap emits changes in the order they happened.
 */
export class CdcCursor {
  private last = 0;
  next(nowMs: number): number {
    this.last = Math.max(this.last + 1, Math.floor(nowMs) * 1000);
    return this.last;
  }
}

/** The last STATE sent per stream (its JSON), so only bookmarks that moved are sent again. */
export type SentStates = Map<string, string>;

/**
 * Per-stream Airbyte STATE messages for a Singer state value `{bookmarks: {<stream>: …}}`: one for each
 * stream whose bookmark changed since `sent` (which is updated), among the `only` streams when given.
 * A state without bookmarks, or with a bookmark that is not an object, is sent whole as a LEGACY state,
 * which the platform also stores.
 */
export function stateToAirbyte(
  value: unknown,
  sent: SentStates,
  only?: ReadonlySet<string>,
): AirbyteMessage[] {
  const bookmarks = isObject(value) && isObject(value.bookmarks) ? value.bookmarks : undefined;
  if (!bookmarks || !Object.values(bookmarks).every(isObject)) {
    const text = JSON.stringify(value ?? {});
    if (sent.get('') === text) return [];
    sent.set('', text);
    return [{ type: 'STATE', state: { type: 'LEGACY', data: isObject(value) ? value : { value } } }];
  }
  const out: AirbyteMessage[] = [];
  for (const [stream, bookmark] of Object.entries(bookmarks)) {
    if (only && !only.has(stream)) continue;
    const text = JSON.stringify(bookmark);
    if (sent.get(stream) === text) continue;
    sent.set(stream, text);
    out.push(streamStateMessage(stream, bookmark as Record<string, unknown>));
  }
  return out;
}

export class AirbyteStateError extends Error {
  override name = 'AirbyteStateError';
}

/**
 * The platform's state (what `--state` holds) as the Singer state the tap reads: a JSON array of STATE
 * messages (STREAM, GLOBAL or LEGACY), one STATE message, a LEGACY `{data}` blob, or a bare Singer state
 * `{bookmarks}`. Per-stream states become `bookmarks[<stream>]`. Empty input means no state.
 */
export function stateFromAirbyte(input: unknown, source = 'state'): Record<string, unknown> | undefined {
  if (input === undefined || input === null) return undefined;
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) return undefined;
  let legacy: Record<string, unknown> | undefined;
  const bookmarks: Record<string, unknown> = {};
  const addStream = (s: unknown, where: string) => {
    if (!isObject(s) || !isObject(s.stream_descriptor) || typeof s.stream_descriptor.name !== 'string')
      throw new AirbyteStateError(`${where}: a stream state needs "stream_descriptor": {"name": …}`);
    if (s.stream_state !== undefined && s.stream_state !== null)
      bookmarks[s.stream_descriptor.name] = s.stream_state;
  };
  items.forEach((raw, i) => {
    const where = Array.isArray(input) ? `${source}[${i}]` : source;
    if (!isObject(raw))
      throw new AirbyteStateError(`${where}: expected a STATE message object (or an array of them)`);
    // Each array item is an AirbyteStateMessage; a whole AirbyteMessage `{type: 'STATE', state}` is unwrapped.
    const msg = raw.type === 'STATE' && isObject(raw.state) ? raw.state : raw;
    if (msg.type === 'STREAM') addStream(msg.stream, where);
    else if (msg.type === 'GLOBAL') {
      const streams = isObject(msg.global) ? msg.global.stream_states : undefined;
      if (!Array.isArray(streams))
        throw new AirbyteStateError(`${where}: a GLOBAL state needs "global": {"stream_states": [...]}`);
      streams.forEach((s, j) => {
        addStream(s, `${where}.global.stream_states[${j}]`);
      });
    } else if (msg.type === 'LEGACY' || (msg.type === undefined && isObject(msg.data))) {
      if (!isObject(msg.data)) throw new AirbyteStateError(`${where}: a LEGACY state needs a "data" object`);
      legacy = msg.data;
    } else if (msg.type === undefined) {
      legacy = msg; // a bare Singer state, as a Singer orchestrator would have saved it
    } else {
      throw new AirbyteStateError(
        `${where}: unknown state type ${JSON.stringify(msg.type)} (expected STREAM, GLOBAL or LEGACY)`,
      );
    }
  });
  if (!legacy) return { bookmarks };
  const legacyBookmarks = isObject(legacy.bookmarks) ? legacy.bookmarks : {};
  return { ...legacy, bookmarks: { ...legacyBookmarks, ...bookmarks } };
}

/** Without the bookmarks of the given streams (full_refresh streams list everything again). */
export function withoutBookmarks(
  state: Record<string, unknown> | undefined,
  streams: Iterable<string>,
): Record<string, unknown> | undefined {
  if (!state || !isObject(state.bookmarks)) return state;
  const bookmarks = { ...state.bookmarks };
  for (const s of streams) delete bookmarks[s];
  return { ...state, bookmarks };
}

/**
 * A stream schema as Airbyte sees it: the Singer delete marker renamed (and added when `deletes`), and the
 * synthetic cursor added when `cursor`.
 */
export function airbyteJsonSchema(schema: JsonSchema, deletes: boolean, cursor = false): JsonSchema {
  const { [SINGER_DELETED_AT]: marker, ...properties } = schema.properties ?? {};
  if (!marker && !deletes && !cursor) return schema;
  return {
    ...schema,
    properties: {
      ...properties,
      ...(marker || deletes ? { [AIRBYTE_DELETED_AT]: DELETED_AT_SCHEMA } : {}),
      ...(cursor ? { [AIRBYTE_CURSOR]: CURSOR_SCHEMA } : {}),
    },
  };
}

export type StreamTraits = {
  /** The stream can be read incrementally (it has a bookmark); its records then carry `_ab_cdc_cursor`. */
  incremental: boolean;
  /** The stream can emit deletes. */
  deletes: boolean;
};

/** One entry of a Singer catalog as an Airbyte stream of the discover CATALOG. */
export function toAirbyteStream(entry: CatalogEntry, traits: StreamTraits): AirbyteStream {
  const modes: SyncMode[] = traits.incremental ? ['full_refresh', 'incremental'] : ['full_refresh'];
  return {
    name: entry.stream,
    json_schema: airbyteJsonSchema(entry.schema, traits.deletes, traits.incremental),
    supported_sync_modes: modes,
    // The bookmark is the tap's own (e.g. a changelog position): the user does not choose a cursor.
    source_defined_cursor: traits.incremental,
    default_cursor_field: traits.incremental ? [AIRBYTE_CURSOR] : [],
    source_defined_primary_key: (entry.key_properties ?? []).map((k) => [k]),
    is_resumable: traits.incremental,
  };
}

export type ConfiguredSelection = {
  /** The discovered Singer catalog with only the configured streams and fields selected. */
  catalog: SingerCatalog;
  /** Configured streams whose sync_mode is full_refresh: their bookmarks are dropped. */
  fullRefresh: Set<string>;
  /** Configured streams the tap does not know (ignored: catalog mismatches never fail a sync). */
  unknown: string[];
};

/**
 * The Singer catalog to run for a configured Airbyte catalog: the configured streams selected, every other
 * stream deselected, and within a stream the fields missing from the configured `json_schema` deselected
 * (the platform's column selection). Fields the tap always sends (key, delete marker) stay.
 */
export function selectionFromConfigured(
  discovered: SingerCatalog,
  configured: ConfiguredAirbyteCatalog,
): ConfiguredSelection {
  const wanted = new Map(configured.streams.map((s) => [s.stream.name, s]));
  const known = new Set(discovered.streams.map((e) => e.stream));
  const streams = discovered.streams.map((entry): CatalogEntry => {
    const conf = wanted.get(entry.stream);
    const fields = conf ? Object.keys(conf.stream.json_schema.properties ?? {}) : [];
    // A configured schema without properties selects every field.
    const allFields = fields.length === 0;
    const topLevel = Object.keys(entry.schema.properties ?? {});
    const metadata: MetadataEntry[] = [
      ...(entry.metadata ?? []).filter((m) => m.breadcrumb.length !== 0 && m.breadcrumb.length !== 2),
      { breadcrumb: [], metadata: { ...streamMetadata(entry), selected: conf !== undefined } },
      ...topLevel.map(
        (p): MetadataEntry => ({
          breadcrumb: ['properties', p],
          metadata: {
            ...fieldMetadata(entry, p),
            selected:
              allFields ||
              fields.includes(p) ||
              (p === SINGER_DELETED_AT && fields.includes(AIRBYTE_DELETED_AT)),
          },
        }),
      ),
    ];
    return { ...entry, metadata };
  });
  return {
    catalog: { streams },
    fullRefresh: new Set(
      configured.streams.filter((s) => s.sync_mode === 'full_refresh').map((s) => s.stream.name),
    ),
    unknown: [...wanted.keys()].filter((name) => !known.has(name)),
  };
}

const streamMetadata = (entry: CatalogEntry) =>
  entry.metadata?.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};

const fieldMetadata = (entry: CatalogEntry, field: string) =>
  entry.metadata?.find((m) => m.breadcrumb.length === 2 && m.breadcrumb[1] === field)?.metadata ?? {};
