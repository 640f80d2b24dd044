import { CHILD_RESOURCES, childPath, LIST_RESOURCES } from '../../../pennylane/src/api.js';
import { NotFoundError, UnprocessableError } from '../http/errors.js';
import type { ChildChangelogStream } from '../streams/definition.js';
import {
  CHANGELOG_PAGE_LIMIT,
  CHANGELOG_SAFE_AGE_MS,
  type Change,
  type ChangeFeed,
  collapseEvents,
  compareInstants,
} from './changelog.js';
import { type ApiRecord, iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { decodeLineIds, encodeLineIds, type LineIdMap } from './line-ids.js';
import { formatEta, type LinesBookmark, type LinesPass, readLinesBookmark } from './lines-state.js';

/**
 * A full pass saves its place (and prints a STATE) after a page of invoices (100) once at least
 * max(100, done ÷ 50) invoices were read since the last save. Each STATE holds the line ids so far
 * (about 8 bytes an invoice), so saving every page would write ~4 N² bytes over a pass of N invoices
 * (100 MB for 50,000); spacing the saves with the size writes ~400 N bytes (20 MB) and an interruption
 * re-reads at most 2 % of the work done (1,000 invoices, 200 s, at 50,000).
 */
export const INVOICES_PER_CHECKPOINT = 100;
export const checkpointDue = (sinceLast: number, done: number): boolean =>
  sinceLast >= Math.max(INVOICES_PER_CHECKPOINT, Math.floor(done / 50));
const LINES_LIMIT = 100;

/**
 * Lines of every customer (or supplier) invoice; one request per invoice, as the API has no other way.
 * First run (and --full, and a bookmark beyond the changelog's 4 weeks): a full pass over the invoices in
 * id order inside one ACTIVATE_VERSION, saving its place every INVOICES_PER_CHECKPOINT invoices so an
 * interrupted pass resumes after the last saved invoice. Then: the invoices the parent's changelog names
 * are read again; lines gone from an invoice, and every line of a deleted invoice, are emitted as
 * deletes, found through the line ids the state keeps per invoice (line-ids.ts).
 */
export async function syncInvoiceLines(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChildChangelogStream,
  /** The invoices stream's outcome this run, when it is selected: its events are used, not read again. */
  parentFeed?: Promise<ChangeFeed>,
): Promise<void> {
  const prior = readLinesBookmark(ctx.state.get(def.name));
  if (prior.pass) return fullPass(ctx, w, def, prior.pass, 'resuming the interrupted full pass');
  if (!prior.complete) return fullPass(ctx, w, def, undefined, prior.reason);
  if (ctx.config.fullRefresh) return fullPass(ctx, w, def, undefined, 'full_refresh is set');
  const age = ctx.now() - Date.parse(prior.complete.changelog_at);
  if (age > CHANGELOG_SAFE_AGE_MS) {
    const days = (age / 86_400_000).toFixed(1);
    return fullPass(ctx, w, def, undefined, `bookmark is ${days} days old, beyond the changelog's 4 weeks`);
  }
  try {
    await incremental(ctx, w, def, prior.complete, parentFeed);
  } catch (err) {
    // The changelog is read before anything is emitted, so a 422 has emitted nothing yet.
    if (!(err instanceof UnprocessableError)) throw err;
    await fullPass(ctx, w, def, undefined, `the changelog refused the bookmark (${err.message})`);
  }
}

/** The lines of one invoice (every page), or 'gone' when the invoice no longer exists (404). */
async function readLines(
  ctx: SyncContext,
  def: ChildChangelogStream,
  invoiceId: number,
): Promise<ApiRecord[] | 'gone'> {
  const lines: ApiRecord[] = [];
  try {
    const pages = ctx.client.paginate<ApiRecord>(
      childPath(def.child, invoiceId),
      { sort: 'id', limit: LINES_LIMIT },
      { stream: def.name },
    );
    for await (const page of pages) lines.push(...page);
  } catch (err) {
    if (err instanceof NotFoundError) return 'gone';
    throw err;
  }
  return lines;
}

/**
 * Runs `fn` over `items` with at most `size` in flight (the shared rate limiter paces them). The first
 * failure stops new starts and is thrown once the running ones have settled.
 */
export async function inPool<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  if (failure) throw failure.error;
}

const poolSize = (ctx: SyncContext): number => Math.max(1, Math.min(32, ctx.config.rateLimitRequests));

async function fullPass(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChildChangelogStream,
  resume: LinesPass | undefined,
  reason: string,
): Promise<void> {
  const child = CHILD_RESOURCES[def.child];
  const parent = LIST_RESOURCES[child.parent];
  const stream = { stream: def.name };
  const startedAt = ctx.now();
  const pass: LinesPass = resume ?? {
    version: startedAt,
    started_at: iso(startedAt),
    after_id: 0,
    done: 0,
    lines: '',
  };
  const map: LineIdMap = decodeLineIds(pass.lines);
  // The highest invoice id, for the estimate of what is left (one request).
  const top = await ctx.client.getJson<{ items?: ApiRecord[] }>(
    parent.path,
    { sort: '-id', limit: 1 },
    stream,
  );
  const maxId = top?.items?.[0]?.id;
  ctx.log.info(
    `${def.name}: full pass (${reason})${pass.after_id > 0 ? `, from invoice id ${pass.after_id + 1}, ${pass.done} invoices already done` : ''}`,
  );
  const t0 = performance.now();
  let doneThisRun = 0;
  let firstIdThisRun: number | undefined;
  let sinceCheckpoint = 0;
  let lastLog = t0;
  const query = {
    ...(pass.after_id > 0
      ? { filter: JSON.stringify([{ field: 'id', operator: 'gt', value: pass.after_id }]) }
      : {}),
    sort: 'id',
    limit: parent.maxLimit,
  };
  // The next page of invoices is requested while this one's lines are read, so the budget does not
  // idle for a round trip between pages.
  const pages = ctx.client.paginate<ApiRecord>(parent.path, query, stream)[Symbol.asyncIterator]();
  let ahead = pages.next();
  for (;;) {
    const current = await ahead;
    if (current.done) break;
    ahead = pages.next();
    // A failure below leaves this promise unawaited: keep it from becoming an unhandled rejection.
    ahead.catch(() => {});
    const page = current.value;
    const ids = page.map((r) => r.id).filter((id): id is number => typeof id === 'number');
    await inPool(ids, poolSize(ctx), async (id) => {
      const lines = await readLines(ctx, def, id);
      // Deleted while we list: nothing to emit; the ACTIVATE_VERSION clears any older lines.
      if (lines === 'gone') {
        map.delete(id);
        return;
      }
      for (const line of lines) await w.record({ ...line, [child.parentField]: id }, pass.version);
      map.set(
        id,
        lines.map((l) => l.id).filter((x): x is number => typeof x === 'number'),
      );
    });
    if (ids.length === 0) continue;
    firstIdThisRun ??= ids[0];
    pass.after_id = ids[ids.length - 1]!;
    pass.done += ids.length;
    doneThisRun += ids.length;
    sinceCheckpoint += ids.length;
    if (checkpointDue(sinceCheckpoint, pass.done)) {
      sinceCheckpoint = 0;
      pass.lines = encodeLineIds(map);
      ctx.state.set(def.name, { pass } satisfies LinesBookmark);
      await ctx.out.emitState();
    }
    const now = performance.now();
    if (now - lastLog >= 10_000) {
      lastLog = now;
      ctx.log.info(
        `${def.name}: ${pass.done} invoices done${formatEta({
          doneThisRun,
          seconds: (now - t0) / 1000,
          idsPerInvoice:
            firstIdThisRun !== undefined && doneThisRun > 1
              ? (pass.after_id - firstIdThisRun) / (doneThisRun - 1)
              : undefined,
          idsLeft: maxId === undefined ? undefined : maxId - pass.after_id,
        })}`,
      );
    }
  }
  await w.activateVersion(pass.version);
  ctx.state.set(def.name, {
    changelog_at: pass.started_at,
    version: pass.version,
    lines: encodeLineIds(map),
  } satisfies LinesBookmark);
  ctx.log.info(`${def.name}: full pass complete, ${pass.done} invoices, ${w.counts.records} lines this run`);
}

async function incremental(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChildChangelogStream,
  prior: { changelog_at: string; version: number; lines: string },
  parentFeed: Promise<ChangeFeed> | undefined,
): Promise<void> {
  const child = CHILD_RESOURCES[def.child];
  const shared = await sharedChanges(parentFeed, prior.changelog_at);
  const { changes, readFrom, through } = shared ?? (await readChanges(ctx, def, prior.changelog_at));

  const map = decodeLineIds(prior.lines);
  let removed = 0;
  const forget = async (invoiceId: number, deletedAt: string): Promise<void> => {
    for (const lineId of map.get(invoiceId) ?? []) {
      removed++;
      await w.tombstone({ id: lineId }, deletedAt);
    }
    map.delete(invoiceId);
  };
  const live: number[] = [];
  for (const [id, change] of changes) {
    if (change.operation === 'delete') await forget(id, change.processed_at);
    else live.push(id);
  }
  const seenAt = iso(ctx.now());
  await inPool(live, poolSize(ctx), async (id) => {
    const lines = await readLines(ctx, def, id);
    // Changed, then gone before we asked: deleted with its lines.
    if (lines === 'gone') return forget(id, seenAt);
    const ids = lines.map((l) => l.id).filter((x): x is number => typeof x === 'number');
    for (const line of lines) await w.record({ ...line, [child.parentField]: id }, prior.version);
    const kept = new Set(ids);
    for (const old of map.get(id) ?? []) {
      if (kept.has(old)) continue;
      removed++;
      await w.tombstone({ id: old }, seenAt);
    }
    map.set(id, ids);
  });

  const mark = compareInstants(through, prior.changelog_at) > 0 ? through : prior.changelog_at;
  ctx.state.set(def.name, {
    changelog_at: mark,
    version: prior.version,
    lines: encodeLineIds(map),
  } satisfies LinesBookmark);
  ctx.log.info(
    `${def.name}: ${changes.size} ${child.parent} changed since ${readFrom}${shared ? ` (${child.parent}' events)` : ''}, ${live.length} re-read, ${removed} lines deleted`,
  );
}

type Changes = { changes: ReadonlyMap<number, Change>; readFrom: string; through: string };

/**
 * The invoices stream's events of this run, when they cover everything since this stream's bookmark
 * (read from no later than it); undefined when that stream listed in full, failed, or read from later.
 */
async function sharedChanges(
  feed: Promise<ChangeFeed> | undefined,
  since: string,
): Promise<Changes | undefined> {
  if (!feed) return undefined;
  const outcome = await feed.catch(() => undefined);
  if (outcome?.mode !== 'incremental' || !outcome.changes) return undefined;
  if (Date.parse(outcome.readFrom) > Date.parse(since)) return undefined;
  return { changes: outcome.changes, readFrom: outcome.readFrom, through: outcome.through };
}

/** Reads the invoices' changelog from the bookmark minus the overlap, as the changelog streams do. */
async function readChanges(ctx: SyncContext, def: ChildChangelogStream, since: string): Promise<Changes> {
  const overlapMs = ctx.config.changelogOverlapSeconds * 1000;
  const readFrom = iso(Date.parse(since) - overlapMs);
  const readStartedAt = ctx.now();
  const changes = collapseEvents([]);
  let last = since;
  const pages = ctx.client.paginateChangelog(
    `/changelogs/${CHILD_RESOURCES[def.child].parent}`,
    { startDate: readFrom, limit: CHANGELOG_PAGE_LIMIT },
    { stream: def.name },
  );
  for await (const page of pages) {
    collapseEvents(page, changes);
    for (const e of page) if (compareInstants(e.processed_at, last) > 0) last = e.processed_at;
  }
  // As for changelog streams: a quiet feed still moves up to the start of this read minus the overlap.
  const floor = iso(readStartedAt - overlapMs);
  return { changes, readFrom, through: compareInstants(last, floor) > 0 ? last : floor };
}
