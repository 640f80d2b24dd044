import { CHANGELOG_RETENTION_MS } from '../../../pennylane/src/api.js';
import { UnprocessableError } from '../http/errors.js';
import type { ChangelogStream } from '../streams/definition.js';
import { type ApiRecord, type ChangelogEvent, iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { listAll } from './listing.js';
import { refetchByIds } from './refetch.js';
import { type ChangelogBookmark, readChangelogBookmark } from './state.js';

/** A bookmark older than this is not even tried: the changelog would answer 422. */
export const CHANGELOG_SAFE_AGE_MS = CHANGELOG_RETENTION_MS - 24 * 3600 * 1000;
export const CHANGELOG_PAGE_LIMIT = 1000;

/**
 * What a changelog stream did this run, for the streams refreshed from it (ledger_entries):
 * `full` means its events were not read, so they must do a full pass too.
 */
export type ChangeFeed =
  | { mode: 'full'; through: string }
  | {
      mode: 'incremental';
      readFrom: string;
      through: string;
      /** The events read, collapsed per id: the invoice lines streams use their invoices' (invoice-lines.ts). */
      changes?: ReadonlyMap<number, Change>;
    };

/** Called with every record refetched on an incremental run, before projection. */
export type RefetchObserver = (record: ApiRecord) => void;

export type Change = { operation: ChangelogEvent['operation']; processed_at: string };

/** Orders two RFC 3339 instants; equal milliseconds fall back to the text (microseconds). */
export function compareInstants(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The last event per id wins (events come oldest first, but a re-read overlap may repeat some). */
export function collapseEvents(events: Iterable<ChangelogEvent>, into = new Map<number, Change>()) {
  for (const e of events) {
    const seen = into.get(e.id);
    if (!seen || compareInstants(e.processed_at, seen.processed_at) >= 0) {
      into.set(e.id, { operation: e.operation, processed_at: e.processed_at });
    }
  }
  return into;
}

export async function syncChangelogStream(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChangelogStream,
  onRefetched?: RefetchObserver,
): Promise<ChangeFeed> {
  const prior = readChangelogBookmark(ctx.state.get(def.name));
  if (typeof prior === 'string') return fullListing(ctx, w, def, prior);
  if (ctx.config.fullRefresh) return fullListing(ctx, w, def, 'full_refresh is set');
  const age = ctx.now() - Date.parse(prior.changelog_at);
  if (age > CHANGELOG_SAFE_AGE_MS) {
    const days = (age / 86_400_000).toFixed(1);
    return fullListing(ctx, w, def, `bookmark is ${days} days old, beyond the changelog's 4 weeks`);
  }
  try {
    return await incremental(ctx, w, def, prior, onRefetched);
  } catch (err) {
    // Events are all read before anything is emitted, so a 422 here has emitted nothing yet.
    if (!(err instanceof UnprocessableError)) throw err;
    return fullListing(ctx, w, def, `the changelog refused the bookmark (${err.message})`);
  }
}

/**
 * Lists the whole resource, then activates its version. The bookmark is taken before the listing starts,
 * so a change made while we list is read again from the changelog next time.
 */
async function fullListing(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChangelogStream,
  reason: string,
): Promise<ChangeFeed> {
  ctx.log.info(`${def.name}: full listing (${reason})`);
  const t0 = ctx.now();
  const version = t0;
  // The version is activated only once the listing is complete, never announced up front: "first sync"
  // is only what the state says, the table may well hold rows (state file deleted, --full-refresh), and
  // a listing that fails after an opening ACTIVATE_VERSION would leave the target a table to empty.
  await listAll(ctx, def.resource, def.name, (record) => w.record(record, version));
  await w.activateVersion(version);
  const through = iso(t0);
  ctx.state.set(def.name, { changelog_at: through, version } satisfies ChangelogBookmark);
  return { mode: 'full', through };
}

async function incremental(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChangelogStream,
  prior: ChangelogBookmark,
  onRefetched: RefetchObserver | undefined,
): Promise<ChangeFeed> {
  const overlapMs = ctx.config.changelogOverlapSeconds * 1000;
  const readFrom = iso(Date.parse(prior.changelog_at) - overlapMs);
  const readStartedAt = ctx.now();
  const changes = new Map<number, Change>();
  let events = 0;
  let last = prior.changelog_at;
  const pages = ctx.client.paginateChangelog(
    `/changelogs/${def.resource}`,
    { startDate: readFrom, limit: CHANGELOG_PAGE_LIMIT },
    { stream: def.name },
  );
  for await (const page of pages) {
    collapseEvents(page, changes);
    events += page.length;
    for (const e of page) if (compareInstants(e.processed_at, last) > 0) last = e.processed_at;
  }

  const live = [...changes].filter(([, c]) => c.operation !== 'delete').map(([id]) => id);
  // Changed, then gone before we asked: deleted (or no longer visible to this token).
  await refetchByIds(ctx, w, def, live, prior.version, (id) => changes.get(id)!.processed_at, onRefetched);
  for (const [id, change] of changes) {
    if (change.operation === 'delete') await w.tombstone({ id }, change.processed_at);
  }

  // With no newer event, the bookmark still moves up to the start of this read (minus the overlap),
  // so a quiet stream does not drift out of the 4-week window and into a full listing.
  const floor = iso(readStartedAt - overlapMs);
  const through = compareInstants(last, floor) > 0 ? last : floor;
  const mark = compareInstants(through, prior.changelog_at) > 0 ? through : prior.changelog_at;
  ctx.state.set(def.name, { changelog_at: mark, version: prior.version } satisfies ChangelogBookmark);
  ctx.log.info(
    `${def.name}: ${events} changelog events since ${readFrom}, ${live.length} refetched, ${changes.size - live.length} deleted`,
  );
  return { mode: 'incremental', readFrom, through: mark, changes };
}
