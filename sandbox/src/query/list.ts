import type { Row } from '../data/model.js';
import { badRequest } from '../http/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { parseFilter } from './filter.js';
import type { ResourceDef, SortKey } from './resources.js';

export type ListParams = { limit: number; cursor?: string; sort?: string; filter?: string };
export type Page<R> = { rows: R[]; hasMore: boolean; nextCursor: string | null };

/** Position after the last item of a page: sort field, its value, and the id (the tie-breaker). */
type Position = { f: string; v: SortKey; id: number };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Position).f === 'string' &&
  typeof (v as Position).id === 'number';

const compareKeys = (a: SortKey, aId: number, b: SortKey, bId: number): number => {
  if (a !== b) {
    if (a === null) return -1;
    if (b === null) return 1;
    return a < b ? -1 : 1;
  }
  return aId - bId;
};

const sortedViews = new WeakMap<object, { version: number; field: string; rows: Row[] }[]>();

/** Rows ascending by (sort key, id), cached until the table changes. */
function ascending(def: ResourceDef, field: string): Row[] {
  if (field === 'id') return def.table.rows;
  const key = def.sorts[field]!;
  const views = sortedViews.get(def.table) ?? [];
  const cached = views.find((v) => v.field === field && v.version === def.table.version);
  if (cached) return cached.rows;
  const rows = [...def.table.rows].sort((a, b) => compareKeys(key(a), a.id, key(b), b.id));
  sortedViews.set(def.table, [
    ...views.filter((v) => v.field !== field),
    { version: def.table.version, field, rows },
  ]);
  return rows;
}

/**
 * One page of a list endpoint. The cursor records only a position; filter and sort come from the
 * request every time, as on Pennylane (a next page requested without them is unfiltered, default order).
 */
export function listPage(def: ResourceDef, params: ListParams): Page<Row> {
  const sortParam = params.sort ?? '-id';
  const desc = sortParam.startsWith('-');
  const field = desc ? sortParam.slice(1) : sortParam;
  const key = def.sorts[field];
  if (!key)
    throw badRequest(
      `sort: unknown field ${JSON.stringify(field)}; allowed: ${Object.keys(def.sorts).join(', ')}`,
    );
  const matches = params.filter === undefined ? () => true : parseFilter(params.filter, def.filters);
  // `id in [...]` (how a client refetches changed objects) looks the ids up instead of scanning the table.
  const rows =
    'ids' in matches && matches.ids
      ? matches.ids
          .map((id) => def.table.get(id))
          .filter((r): r is Row => r !== undefined)
          .sort((a, b) => compareKeys(key(a), a.id, key(b), b.id))
      : ascending(def, field);

  let start = desc ? rows.length - 1 : 0;
  if (params.cursor !== undefined) {
    const position = decodeCursor(params.cursor, isPosition);
    let v: SortKey;
    if (position.f === field) v = position.v;
    else {
      // A cursor made under another sort: continue after the same object in the requested order.
      const row = def.table.get(position.id);
      v = row ? key(row) : field === 'id' ? position.id : null;
    }
    // First index whose (key, id) is above the position.
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = rows[mid]!;
      if (compareKeys(key(r), r.id, v, position.id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = desc ? lo - 1 - (lo > 0 && rows[lo - 1]!.id === position.id ? 1 : 0) : lo;
  }

  const out: Row[] = [];
  let hasMore = false;
  for (let i = start; desc ? i >= 0 : i < rows.length; desc ? i-- : i++) {
    const row = rows[i]!;
    if (!matches(row)) continue;
    if (out.length === params.limit) {
      hasMore = true;
      break;
    }
    out.push(row);
  }
  const last = out[out.length - 1];
  return {
    rows: out,
    hasMore,
    nextCursor: hasMore && last ? encodeCursor({ f: field, v: key(last), id: last.id }) : null,
  };
}
