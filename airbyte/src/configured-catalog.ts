import type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from './messages.js';

export class AirbyteCatalogError extends Error {
  override name = 'AirbyteCatalogError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SYNC_MODES = ['full_refresh', 'incremental'];
const DESTINATION_SYNC_MODES = ['append', 'overwrite', 'append_dedup', 'update', 'soft_delete'];

const isPathList = (v: unknown): v is string[][] =>
  Array.isArray(v) && v.every((p) => Array.isArray(p) && p.every((s) => typeof s === 'string'));

/**
 * Checks the shape of a ConfiguredAirbyteCatalog (the `--catalog` file of `read` and `write`) and returns
 * it typed. Missing modes take the protocol's defaults (full_refresh, append). Every error names the file,
 * the stream and the fix.
 */
export function parseConfiguredCatalog(value: unknown, source: string): ConfiguredAirbyteCatalog {
  if (!isObject(value) || !Array.isArray(value.streams))
    throw new AirbyteCatalogError(
      `${source}: a configured catalog is a JSON object with a "streams" array of {stream, sync_mode, destination_sync_mode}`,
    );
  const streams = value.streams.map((raw, i): ConfiguredAirbyteStream => {
    const where = `${source}: streams[${i}]`;
    if (!isObject(raw) || !isObject(raw.stream))
      throw new AirbyteCatalogError(`${where} needs a "stream" object (an entry of the discover CATALOG)`);
    const stream = raw.stream;
    if (typeof stream.name !== 'string' || stream.name === '')
      throw new AirbyteCatalogError(`${where}: "stream" needs a non-empty "name"`);
    const name = stream.name;
    const jsonSchema = stream.json_schema ?? {};
    if (!isObject(jsonSchema))
      throw new AirbyteCatalogError(`${where} ("${name}"): "json_schema" must be a JSON Schema object`);
    const syncMode = raw.sync_mode ?? 'full_refresh';
    if (typeof syncMode !== 'string' || !SYNC_MODES.includes(syncMode))
      throw new AirbyteCatalogError(
        `${where} ("${name}"): "sync_mode" must be one of ${SYNC_MODES.join(', ')}, got ${JSON.stringify(syncMode)}`,
      );
    const destinationSyncMode = raw.destination_sync_mode ?? 'append';
    if (typeof destinationSyncMode !== 'string' || !DESTINATION_SYNC_MODES.includes(destinationSyncMode))
      throw new AirbyteCatalogError(
        `${where} ("${name}"): "destination_sync_mode" must be one of ${DESTINATION_SYNC_MODES.join(', ')}, got ${JSON.stringify(destinationSyncMode)}`,
      );
    if (raw.primary_key !== undefined && !isPathList(raw.primary_key))
      throw new AirbyteCatalogError(
        `${where} ("${name}"): "primary_key" must be a list of field paths like [["id"]]`,
      );
    const out: ConfiguredAirbyteStream = {
      ...(raw as object),
      stream: {
        ...(stream as object),
        name,
        json_schema: jsonSchema,
        supported_sync_modes: Array.isArray(stream.supported_sync_modes)
          ? (stream.supported_sync_modes as ConfiguredAirbyteStream['sync_mode'][])
          : ['full_refresh'],
      },
      sync_mode: syncMode as ConfiguredAirbyteStream['sync_mode'],
      destination_sync_mode: destinationSyncMode as ConfiguredAirbyteStream['destination_sync_mode'],
    };
    return out;
  });
  return { streams };
}
