import type { CatalogEntry, MetadataEntry, SingerCatalog } from '../../../singer/src/catalog.js';
import { replicationMethod, type StreamDefinition } from '../streams/definition.js';
import { STREAMS } from '../streams/definitions.js';
import { streamSchema } from './schemas.js';

/** Fields that are always emitted: the key, and the delete marker without which a tombstone would blank a row. */
export const automaticFields = (def: StreamDefinition, properties: string[]): string[] =>
  properties.filter((p) => def.key.includes(p) || p === '_sdc_deleted_at');

/**
 * One catalog entry per stream, from its definition and schema file. No `valid-replication-keys`: the
 * changelog streams bookmark the changelog's `processed_at`, which is not a field of the records, and the
 * other streams have no bookmark (see docs/decisions/tap-catalog.md). Every stream is selected by default.
 */
export function catalogEntry(def: StreamDefinition): CatalogEntry {
  const schema = streamSchema(def.name);
  const properties = Object.keys(schema.properties ?? {});
  const automatic = new Set(automaticFields(def, properties));
  const method = replicationMethod(def);
  const metadata: MetadataEntry[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        'selected-by-default': true,
        'table-key-properties': def.key,
        'forced-replication-method': method,
        'valid-replication-keys': [],
      },
    },
    ...properties.map(
      (p): MetadataEntry => ({
        breadcrumb: ['properties', p],
        metadata: { inclusion: automatic.has(p) ? 'automatic' : 'available' },
      }),
    ),
  ];
  return {
    tap_stream_id: def.name,
    stream: def.name,
    schema,
    key_properties: def.key,
    replication_method: method,
    metadata,
  };
}

/** What `tap-pennylane --discover` prints (and what catalog.json at the repo root holds). */
export const discoverCatalog = (): SingerCatalog => ({ streams: STREAMS.map(catalogEntry) });

/** The catalog as printed by `--discover` and stored in catalog.json: 2-space JSON and a final newline. */
export const catalogJson = (): string => `${JSON.stringify(discoverCatalog(), null, 2)}\n`;
