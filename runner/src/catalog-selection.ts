/**
 * `--stream NAME`: the tap's own discovered catalog with only the named streams selected. The catalog
 * shapes come from the Singer spec; only the fields touched here are typed.
 */
type MetadataEntry = { breadcrumb: string[]; metadata: Record<string, unknown> };
type Entry = { stream: string; tap_stream_id?: string; metadata?: MetadataEntry[]; [key: string]: unknown };
export type Catalog = { streams: Entry[] };

export function streamNames(catalog: Catalog): string[] {
  return catalog.streams.map((s) => s.tap_stream_id ?? s.stream);
}

export function parseCatalog(text: string): Catalog {
  const catalog = JSON.parse(text) as Catalog;
  if (!catalog || !Array.isArray(catalog.streams))
    throw new Error('tap-pennylane --discover printed no catalog');
  return catalog;
}

/** The one-line error for names that are not streams, or undefined when all are. */
export function unknownStreams(names: readonly string[], valid: readonly string[]): string | undefined {
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length === 0) return undefined;
  return `unknown stream${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: valid streams are ${valid.join(', ')}`;
}

export function selectOnly(catalog: Catalog, names: readonly string[]): Catalog {
  const error = unknownStreams(names, streamNames(catalog));
  if (error) throw new Error(error);
  const wanted = new Set(names);
  return {
    ...catalog,
    streams: catalog.streams.map((entry) => {
      const selected = wanted.has(entry.tap_stream_id ?? entry.stream);
      const metadata = (entry.metadata ?? []).map((m) =>
        m.breadcrumb.length === 0 ? { ...m, metadata: { ...m.metadata, selected } } : m,
      );
      if (!metadata.some((m) => m.breadcrumb.length === 0))
        metadata.push({ breadcrumb: [], metadata: { selected } });
      return { ...entry, metadata };
    }),
  };
}
