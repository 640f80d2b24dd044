import { CHANGELOG_RETENTION_MS } from '../../../pennylane/src/api.js';
import type { ChangelogEvent } from '../data/model.js';
import { ApiError, badRequest } from '../http/errors.js';
import { formatTimestamp, parseTimestamp } from '../time.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export type ChangelogParams = { limit: number; cursor?: string; startDate?: string };

type Position = { p: number; s: number };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Position).p === 'number' &&
  typeof (v as Position).s === 'number';

/**
 * One page of `/changelogs/<resource>`: events ascending by processed_at. Only the last 4 weeks are
 * kept: a `start_date` older than that → 422, and older events are never returned (also without
 * start_date; the reference mock does the same). `start_date` is taken as inclusive (unknown on the
 * real API; clients overlap and dedupe anyway). Next pages carry the cursor alone.
 */
export function changelogPage(events: readonly ChangelogEvent[], params: ChangelogParams, nowMicros: number) {
  if (params.startDate !== undefined && params.cursor !== undefined) {
    throw badRequest('start_date and cursor cannot be used together; send the cursor alone on next pages');
  }
  const cutoff = nowMicros - CHANGELOG_RETENTION_MS * 1000;
  let from = cutoff;
  let after: Position | undefined;
  if (params.startDate !== undefined) {
    const start = parseTimestamp(params.startDate);
    if (start === undefined)
      throw badRequest(`start_date: ${JSON.stringify(params.startDate)} is not an RFC 3339 date-time`);
    if (start < cutoff) {
      throw new ApiError(
        422,
        `start_date must be within the last 4 weeks (not before ${formatTimestamp(cutoff)})`,
      );
    }
    from = start;
  }
  if (params.cursor !== undefined) after = decodeCursor(params.cursor, isPosition);

  // First event at or after `from`, or strictly after the cursor position.
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = events[mid]!;
    const before = after
      ? e.processedAt < after.p || (e.processedAt === after.p && e.seq <= after.s)
      : e.processedAt < from;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  const items: ChangelogEvent[] = [];
  let hasMore = false;
  for (let i = lo; i < events.length; i++) {
    const e = events[i]!;
    if (e.processedAt < cutoff) continue;
    if (items.length === params.limit) {
      hasMore = true;
      break;
    }
    items.push(e);
  }
  const last = items[items.length - 1];
  return {
    items: items.map((e) => ({
      id: e.id,
      operation: e.operation,
      processed_at: formatTimestamp(e.processedAt),
      updated_at: formatTimestamp(e.updatedAt),
      created_at: formatTimestamp(e.createdAt),
    })),
    has_more: hasMore,
    next_cursor: hasMore && last ? encodeCursor({ p: last.processedAt, s: last.seq }) : null,
  };
}
