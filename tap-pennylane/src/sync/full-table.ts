import { LIST_RESOURCES } from '../../../pennylane/src/api.js';
import type { FullTableStream } from '../streams/definition.js';
import type { ChangeFeed } from './changelog.js';
import { type ApiRecord, iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { listAll } from './listing.js';
import { refetchByIds } from './refetch.js';
import { type FullTableBookmark, readFullTableBookmark } from './state.js';

/**
 * For a stream refreshed from another stream's changelog (ledger_entries from ledger_entry_lines):
 * the source's outcome this run, and the ids its refetched records point to.
 */
export type RefreshSource = { feed: Promise<ChangeFeed>; ids: Set<number> };

/** The id a refetched source record points to: `idField` is `ledger_entry` ({id}) or a plain id field. */
export function referencedId(record: ApiRecord, idField: string): number | undefined {
  const v = record[idField];
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'number')
    return (v as { id: number }).id;
  return undefined;
}

/** Whether the last full pass (started at `complete_at`) is older than full_listing_max_age_hours. */
export function fullListingDue(
  prior: FullTableBookmark | undefined,
  now: number,
  maxAgeHours: number,
): boolean {
  if (!prior?.complete_at) return true;
  return now - Date.parse(prior.complete_at) >= maxAgeHours * 3_600_000;
}

/**
 * Decides whether the refresh can be incremental: only when the source read its changelog this run
 * from no later than the instant this table was last known complete.
 */
export function canRefresh(prior: FullTableBookmark | undefined, feed: ChangeFeed): boolean {
  if (!prior?.complete_at || feed.mode !== 'incremental') return false;
  return Date.parse(feed.readFrom) <= Date.parse(prior.complete_at);
}

export async function syncFullTable(
  ctx: SyncContext,
  w: StreamWriter,
  def: FullTableStream,
  opts: { refresh?: RefreshSource; collect?: (record: ApiRecord) => void } = {},
): Promise<void> {
  const prior = readFullTableBookmark(ctx.state.get(def.name));
  if (opts.refresh && prior && !ctx.config.fullRefresh) {
    const feed = await opts.refresh.feed;
    if (canRefresh(prior, feed)) {
      await refreshByIds(ctx, w, def, prior, [...opts.refresh.ids], feed.through);
      return;
    }
    ctx.log.info(`${def.name}: full pass (${def.refreshFrom?.stream} was listed in full or is behind)`);
  }
  if (
    def.newIdsBetweenFullListings &&
    prior?.max_id !== undefined &&
    !ctx.config.fullRefresh &&
    !fullListingDue(prior, ctx.now(), ctx.config.fullListingMaxAgeHours)
  ) {
    await readNewIds(ctx, w, def, prior, prior.max_id);
    return;
  }
  const t0 = ctx.now();
  const version = t0;
  const maxId = await listAll(ctx, def.resource, def.name, async (record) => {
    opts.collect?.(record);
    await w.record(record, version);
  });
  await w.activateVersion(version);
  ctx.state.set(def.name, {
    version,
    complete_at: iso(t0),
    ...(def.newIdsBetweenFullListings ? { max_id: maxId ?? prior?.max_id ?? 0 } : {}),
  } satisfies FullTableBookmark);
}

/**
 * Between full listings: only the records created since (ids above the highest one emitted), with the
 * version of the last full listing. Changes to older records and deletes wait for the next full listing.
 */
async function readNewIds(
  ctx: SyncContext,
  w: StreamWriter,
  def: FullTableStream,
  prior: FullTableBookmark,
  after: number,
): Promise<void> {
  const resource = LIST_RESOURCES[def.resource];
  let maxId = after;
  let count = 0;
  const pages = ctx.client.paginate<ApiRecord>(
    resource.path,
    {
      filter: JSON.stringify([{ field: 'id', operator: 'gt', value: after }]),
      sort: 'id',
      limit: resource.maxLimit,
    },
    { stream: def.name },
  );
  for await (const page of pages) {
    for (const record of page) {
      if (typeof record.id === 'number' && record.id > maxId) maxId = record.id;
      count++;
      await w.record(record, prior.version);
    }
  }
  ctx.log.info(`${def.name}: ${count} new since id ${after} (listed in full at ${prior.complete_at})`);
  ctx.state.set(def.name, { ...prior, max_id: maxId } satisfies FullTableBookmark);
}

/** Refetches the given ids with `id in` batches; an id the API no longer returns is a delete. */
async function refreshByIds(
  ctx: SyncContext,
  w: StreamWriter,
  def: FullTableStream,
  prior: FullTableBookmark,
  ids: number[],
  through: string,
): Promise<void> {
  const seenAt = iso(ctx.now());
  await refetchByIds(ctx, w, def, ids, prior.version, () => seenAt);
  ctx.log.info(`${def.name}: refreshed ${ids.length} entries whose lines changed`);
  ctx.state.set(def.name, { version: prior.version, complete_at: through } satisfies FullTableBookmark);
}
