import { CatalogError, isSelected, type SingerCatalog, selectedSchema } from '../../../singer/src/catalog.js';
import type { JsonSchema } from '../../../singer/src/messages.js';
import type { StreamDefinition } from '../streams/definition.js';
import { STREAMS } from '../streams/definitions.js';

export type Row = Record<string, unknown>;

export type SelectedStream = {
  definition: StreamDefinition;
  /** The catalog's schema with only the selected fields (key fields always kept): the SCHEMA message's. */
  schema: JsonSchema;
  /** The record with only the fields of `schema` (nested objects pruned the same way); a new object. */
  project(record: Row): Row;
};

/** A projection plan: the fields to copy, each with the plan of its nested object when that was pruned. */
type Plan = Map<string, Plan | null>;

function planOf(schema: JsonSchema, full: JsonSchema | undefined): Plan {
  const plan: Plan = new Map();
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const fullChild = full?.properties?.[name];
    const pruned =
      child.properties !== undefined &&
      Object.keys(child.properties).length < Object.keys(fullChild?.properties ?? {}).length;
    plan.set(name, pruned ? planOf(child, fullChild) : null);
  }
  return plan;
}

function projector(plan: Plan): (record: Row) => Row {
  const fields = [...plan.entries()].map(([name, sub]) => [name, sub ? projector(sub) : null] as const);
  return (record) => {
    const out: Row = {};
    for (const [name, sub] of fields) {
      if (!(name in record)) continue;
      const value = record[name];
      out[name] =
        sub && typeof value === 'object' && value !== null && !Array.isArray(value)
          ? sub(value as Row)
          : value;
    }
    return out;
  };
}

/**
 * The streams to sync, in sync order (STREAMS', not the catalog's), each with its pruned schema and
 * projection. A stream of the catalog that this tap does not know is an error naming it: an old or foreign
 * catalog must be regenerated, not half-applied.
 */
export function selectStreams(catalog: SingerCatalog): SelectedStream[] {
  const known = new Map(STREAMS.map((d) => [d.name, d]));
  const chosen = new Map<string, SelectedStream>();
  for (const entry of catalog.streams) {
    const definition = known.get(entry.tap_stream_id) ?? known.get(entry.stream);
    if (!definition)
      throw new CatalogError(
        `catalog: stream "${entry.tap_stream_id}" is not a tap-pennylane stream (known: ${[...known.keys()].join(', ')}); regenerate the catalog with tap-pennylane --discover`,
      );
    if (chosen.has(definition.name))
      throw new CatalogError(`catalog: stream "${definition.name}" appears twice; keep one entry`);
    if (!isSelected(entry)) continue;
    const schema = selectedSchema(entry, definition.key);
    const missingKey = definition.key.filter((k) => !schema.properties?.[k]);
    if (missingKey.length > 0)
      throw new CatalogError(
        `catalog: stream "${definition.name}" has no ${missingKey.join(', ')} in its schema; regenerate the catalog with tap-pennylane --discover`,
      );
    chosen.set(definition.name, { definition, schema, project: projector(planOf(schema, entry.schema)) });
  }
  return STREAMS.filter((d) => chosen.has(d.name)).map((d) => chosen.get(d.name)!);
}
