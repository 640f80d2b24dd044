import type { JsonSchema } from './messages.js';

/**
 * The Singer catalog (`--discover` output, `--catalog`/`--properties` input) and the selection rules of
 * the Meltano SDK (singerlib/catalog.py), so a catalog edited by Meltano's `select` behaves here as it
 * does with any SDK tap. Pure functions: reading the file is the CLI's job.
 */
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';
export type Inclusion = 'available' | 'automatic' | 'unsupported';

export type Metadata = {
  inclusion?: Inclusion;
  selected?: boolean;
  'selected-by-default'?: boolean;
  'table-key-properties'?: string[];
  'forced-replication-method'?: ReplicationMethod;
  'valid-replication-keys'?: string[];
  'replication-method'?: ReplicationMethod;
  'replication-key'?: string;
  [keyword: string]: unknown;
};

/** `[]` is the stream itself; `['properties', 'a']` a field; `['properties', 'a', 'properties', 'b']` a nested one. */
export type Breadcrumb = readonly string[];
export type MetadataEntry = { breadcrumb: string[]; metadata: Metadata };

export type CatalogEntry = {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties?: string[];
  replication_method?: ReplicationMethod;
  replication_key?: string | null;
  metadata?: MetadataEntry[];
  [key: string]: unknown;
};

export type SingerCatalog = { streams: CatalogEntry[] };

export class CatalogError extends Error {
  override name = 'CatalogError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the shape of a parsed catalog file and returns it typed. `source` (a file name) starts every
 * error, which also names the stream and the fix. A missing `stream` or `tap_stream_id` is taken from the
 * other, as older taps and hand-written catalogs omit one of them.
 */
export function parseCatalog(value: unknown, source: string): SingerCatalog {
  if (!isObject(value) || !Array.isArray(value.streams))
    throw new CatalogError(
      `${source}: a catalog is a JSON object with a "streams" array (see --discover output)`,
    );
  const streams = value.streams.map((raw, i): CatalogEntry => {
    const where = `${source}: streams[${i}]`;
    if (!isObject(raw)) throw new CatalogError(`${where} is not an object`);
    const id = raw.tap_stream_id ?? raw.stream;
    if (typeof id !== 'string' || id === '')
      throw new CatalogError(`${where} has no "tap_stream_id" (nor "stream"): give each stream its name`);
    const name = typeof raw.stream === 'string' && raw.stream !== '' ? raw.stream : id;
    if (!isObject(raw.schema))
      throw new CatalogError(`${where} ("${id}") has no "schema" object: copy it from the --discover output`);
    if (raw.metadata !== undefined) {
      if (!Array.isArray(raw.metadata))
        throw new CatalogError(`${where} ("${id}"): "metadata" must be an array`);
      raw.metadata.forEach((m, j) => {
        if (!isObject(m) || !Array.isArray(m.breadcrumb) || !isObject(m.metadata))
          throw new CatalogError(
            `${where} ("${id}"): metadata[${j}] must be {"breadcrumb": [...], "metadata": {...}}`,
          );
      });
    }
    return { ...raw, tap_stream_id: id, stream: name, schema: raw.schema as JsonSchema };
  });
  return { streams };
}

const sameBreadcrumb = (a: Breadcrumb, b: Breadcrumb): boolean =>
  a.length === b.length && a.every((part, i) => part === b[i]);

/** The metadata at a breadcrumb ({} when there is none). */
export const metadataAt = (entry: CatalogEntry, breadcrumb: Breadcrumb = []): Metadata =>
  entry.metadata?.find((m) => sameBreadcrumb(m.breadcrumb, breadcrumb))?.metadata ?? {};

/** The schema node a breadcrumb points to, if any. */
function schemaAt(schema: JsonSchema, breadcrumb: Breadcrumb): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of breadcrumb) {
    const next: unknown = node?.[part];
    node = isObject(next) ? (next as JsonSchema) : undefined;
  }
  return node;
}

/**
 * Whether a stream (breadcrumb `[]`) or a field is selected, in the SDK's order: no metadata and no legacy
 * flag at all ⇒ selected; parent deselected ⇒ deselected; `unsupported` ⇒ never; `automatic` ⇒ always;
 * explicit `selected`; `selected-by-default`; else the parent's value (false for a stream). The legacy
 * `--properties` form (`"selected": true` / `"inclusion"` inside the schema) is read where metadata is silent.
 */
export function isSelected(entry: CatalogEntry, breadcrumb: Breadcrumb = []): boolean {
  const hasMetadata = (entry.metadata?.length ?? 0) > 0;
  if (!hasMetadata && typeof entry.schema.selected !== 'boolean' && !hasLegacyFlags(entry.schema))
    return true;
  let parent: boolean | undefined;
  if (breadcrumb.length > 0) {
    parent = isSelected(entry, breadcrumb.slice(0, -2));
    if (!parent) return false;
  }
  const md = metadataAt(entry, breadcrumb);
  const node = schemaAt(entry.schema, breadcrumb);
  const inclusion = md.inclusion ?? (node?.inclusion as Inclusion | undefined);
  if (inclusion === 'unsupported') return false;
  if (inclusion === 'automatic') return true;
  const selected = md.selected ?? (typeof node?.selected === 'boolean' ? node.selected : undefined);
  if (selected !== undefined) return selected;
  if (md['selected-by-default'] !== undefined) return md['selected-by-default'];
  return parent ?? false;
}

/** A legacy `--properties` catalog marks fields (not only the stream) with `selected`/`inclusion`. */
function hasLegacyFlags(schema: JsonSchema): boolean {
  return Object.values(schema.properties ?? {}).some(
    (p) => typeof p.selected === 'boolean' || typeof p.inclusion === 'string' || hasLegacyFlags(p),
  );
}

const LEGACY_KEYS = new Set(['selected', 'inclusion']);

/**
 * The stream's schema keeping only the selected fields (nested objects pruned the same way), without the
 * legacy selection keywords. `keep` names top-level fields kept whatever the catalog says (key properties).
 */
export function selectedSchema(entry: CatalogEntry, keep: readonly string[] = []): JsonSchema {
  const prune = (node: JsonSchema, breadcrumb: string[]): JsonSchema => {
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(node)) if (!LEGACY_KEYS.has(k)) out[k] = v;
    if (node.properties) {
      const properties: Record<string, JsonSchema> = {};
      for (const [name, child] of Object.entries(node.properties)) {
        const crumb = [...breadcrumb, 'properties', name];
        const forced = breadcrumb.length === 0 && keep.includes(name);
        if (forced || isSelected(entry, crumb)) properties[name] = prune(child, crumb);
      }
      out.properties = properties;
    }
    return out;
  };
  return prune(entry.schema, []);
}

/** The selected entries of a catalog, in catalog order. */
export const selectedEntries = (catalog: SingerCatalog): CatalogEntry[] =>
  catalog.streams.filter((entry) => isSelected(entry));
