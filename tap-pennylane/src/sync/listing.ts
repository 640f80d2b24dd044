import { LIST_RESOURCES, type ListResourceName } from '../../../pennylane/src/api.js';
import { CursorPaginator } from '../http/paginator.js';
import type { ApiRecord, SyncContext } from './context.js';

/**
 * Resources whose `id` filter accepts `gteq` and `lt` (the API facts' §3 table, from the OpenAPI; quotes
 * from its `filter` description: id lt, lteq, gt, gteq, eq, not_eq, in, not_in): a big
 * listing of these can be cut into id ranges read side by side. transactions (id: eq/in only),
 * bank_accounts and fiscal_years (no filter) are always read as one cursor.
 */
export const ID_RANGE_RESOURCES: ReadonlySet<ListResourceName> = new Set([
  'customers',
  'suppliers',
  'products',
  'customer_invoices',
  'supplier_invoices',
  'ledger_entry_lines',
  'ledger_entries',
  'ledger_accounts',
  'quotes',
]);

/**
 * Resources that cannot cut ids by range but can cut a date that every record has: transactions
 * (`date`: gt, lt, gteq, lteq; required in the OpenAPI). A record whose date is edited while we list
 * may be missed by both ranges; its update event brings it in on the next run, like any change made
 * during a full listing.
 */
export const DATE_RANGE_RESOURCES: ReadonlyMap<ListResourceName, string> = new Map([
  ['transactions', 'date'],
]);

export type SplitPolicy = {
  /** The most ranges one listing is cut into. */
  maxRanges: number;
  /** A range should hold at least this many pages: each range costs one partly filled last page. */
  minPagesPerRange: number;
};

/**
 * Enough ranges to keep the budget busy while one page takes about half a second to come back
 * (25 at 50 requests per second, 3 at Pennylane's 5), and 30 pages or more each, so the extra
 * requests (one short last page per range, one to find the highest id) stay under ~4 %.
 */
export function splitPolicy(rateLimitRequests: number, rateLimitWindowSeconds: number): SplitPolicy {
  const perSecond = rateLimitRequests / rateLimitWindowSeconds;
  return { maxRanges: Math.max(1, Math.min(64, Math.ceil(perSecond * 0.5))), minPagesPerRange: 30 };
}

/** `[from, to)` over ids; `to` undefined = no upper bound (ids created while we list are read too). */
export type IdRange = { from: number; to: number | undefined };

/**
 * Cuts the ids after the first page (`from` up to `maxId`) into ranges of about the same number of
 * records, judging the density of ids by the first page. The last range has no upper bound.
 */
export function planRanges(
  firstPage: { firstId: number; lastId: number; count: number; limit: number },
  maxId: number,
  policy: SplitPolicy,
): IdRange[] {
  const from = firstPage.lastId + 1;
  if (maxId < from) return [{ from, to: undefined }];
  const idsPerRecord = Math.max(1, (firstPage.lastId - firstPage.firstId + 1) / Math.max(1, firstPage.count));
  const pagesLeft = (maxId - from + 1) / idsPerRecord / firstPage.limit;
  const k = Math.max(
    1,
    Math.min(policy.maxRanges, Math.floor(pagesLeft / policy.minPagesPerRange), maxId - from + 1),
  );
  const span = maxId - from + 1;
  const ranges: IdRange[] = [];
  for (let i = 0; i < k; i++) {
    const lo = from + Math.floor((span * i) / k);
    const hi = i === k - 1 ? undefined : from + Math.floor((span * (i + 1)) / k);
    ranges.push({ from: lo, to: hi });
  }
  return ranges;
}

const DAY_MS = 86_400_000;
const dayNumber = (v: unknown): number | undefined =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) / DAY_MS : undefined;
const dayText = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/**
 * `k` date ranges covering every date: the first has no lower bound and the last no upper bound, the
 * cuts spread evenly between the lowest and highest date seen. Fewer when the span has fewer days.
 */
export function planDateRanges(
  minDay: number,
  maxDay: number,
  k: number,
): [string | undefined, string | undefined][] {
  const cuts = new Set<number>();
  for (let i = 1; i < k; i++) cuts.add(minDay + Math.floor(((maxDay - minDay + 1) * i) / k));
  cuts.delete(minDay);
  const sorted = [...cuts].sort((a, b) => a - b).map(dayText);
  return [undefined, ...sorted].map((from, i) => [from, sorted[i]]);
}

const dateFilter = (field: string, [from, to]: [string | undefined, string | undefined]): string =>
  JSON.stringify([
    ...(from === undefined ? [] : [{ field, operator: 'gteq', value: from }]),
    ...(to === undefined ? [] : [{ field, operator: 'lt', value: to }]),
  ]);

const rangeFilter = (r: IdRange): string =>
  JSON.stringify([
    { field: 'id', operator: 'gteq', value: r.from },
    ...(r.to === undefined ? [] : [{ field: 'id', operator: 'lt', value: r.to }]),
  ]);

/**
 * Lists a whole resource (`sort=id`, the largest page) and hands every record to `onRecord`. A listing
 * that has more than one page, of a resource that can filter ids by range, is cut after its first page
 * into id ranges read concurrently (filter and sort resent on every page), so one big stream can use
 * the whole rate budget instead of waiting one round trip per page. Records then come in id order
 * within a range only; nothing downstream depends on the order (the target upserts by key, the
 * ACTIVATE_VERSION comes after every range has ended, bookmarks are set once the listing is over).
 * Returns the highest id seen.
 */
export async function listAll(
  ctx: SyncContext,
  resourceName: ListResourceName,
  stream: string,
  onRecord: (record: ApiRecord) => Promise<void>,
  policy: SplitPolicy = ctx.splitPolicy ??
    splitPolicy(ctx.config.rateLimitRequests, ctx.config.rateLimitWindowSeconds),
): Promise<number | undefined> {
  const resource = LIST_RESOURCES[resourceName];
  const limit = resource.maxLimit;
  let maxSeen: number | undefined;
  let take = async (record: ApiRecord): Promise<void> => {
    if (typeof record.id === 'number' && (maxSeen === undefined || record.id > maxSeen)) maxSeen = record.id;
    await onRecord(record);
  };
  let stop = false;
  const readCursor = async (query: Record<string, string | number>): Promise<void> => {
    for await (const page of ctx.client.paginate<ApiRecord>(resource.path, query, { stream })) {
      // A range that failed ends the others at their next page: the stream fails once, not K times.
      if (stop) return;
      for (const record of page) await take(record);
    }
  };

  const dateField = DATE_RANGE_RESOURCES.get(resourceName);
  if ((!ID_RANGE_RESOURCES.has(resourceName) && !dateField) || policy.maxRanges < 2) {
    await readCursor({ sort: 'id', limit });
    return maxSeen;
  }

  // The first page tells whether the listing is big (has_more) and how dense its ids are.
  const pager = new CursorPaginator({ method: 'GET', path: resource.path, stream });
  const body = await ctx.client.getJson<unknown>(resource.path, { sort: 'id', limit }, { stream });
  const { items, next } = pager.advance<ApiRecord>(body);
  const ids = items.map((r) => r.id).filter((id): id is number => typeof id === 'number');
  if (next === undefined || ids.length !== items.length || ids.length === 0) {
    for (const record of items) await take(record);
    if (next !== undefined) await readCursor({ sort: 'id', limit, cursor: next });
    return maxSeen;
  }
  const top = await ctx.client.getJson<{ items?: ApiRecord[] }>(
    resource.path,
    { sort: '-id', limit: 1 },
    { stream },
  );
  const maxId = top?.items?.[0]?.id;
  for (const record of items) await take(record);
  const firstId = ids[0]!;
  const lastId = ids[ids.length - 1]!;
  const ranges =
    typeof maxId === 'number'
      ? planRanges({ firstId, lastId, count: ids.length, limit }, maxId, policy)
      : [{ from: lastId + 1, to: undefined }];
  let filters = ranges.map(rangeFilter);
  if (dateField) {
    // Date ranges cover the first page again: its records are skipped, not emitted twice.
    const days = [...items, ...(top?.items ?? [])].map((r) => dayNumber(r[dateField]));
    const known = days.filter((d): d is number => d !== undefined);
    if (ranges.length < 2 || known.length !== days.length) {
      await readCursor({ sort: 'id', limit, cursor: next });
      return maxSeen;
    }
    const firstPage = new Set(ids);
    const keep = take;
    take = async (record) => {
      if (typeof record.id !== 'number' || !firstPage.has(record.id)) await keep(record);
    };
    const dateRanges = planDateRanges(Math.min(...known), Math.max(...known), ranges.length);
    filters = dateRanges.map((r) => dateFilter(dateField, r));
    ctx.log.info(`${stream}: listing by ${dateField} in ${filters.length} ranges side by side`);
  } else if (ranges.length > 1)
    ctx.log.info(`${stream}: listing ids ${lastId + 1}…${maxId} in ${ranges.length} ranges side by side`);
  const results = await Promise.allSettled(
    filters.map((filter) =>
      readCursor({ filter, sort: 'id', limit }).catch((err: unknown) => {
        stop = true;
        throw err;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return maxSeen;
}
