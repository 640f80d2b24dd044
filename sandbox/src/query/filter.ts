import { badRequest } from '../http/errors.js';
import { parseDay } from '../time.js';

export const OPERATORS = ['eq', 'not_eq', 'lt', 'lteq', 'gt', 'gteq', 'in', 'not_in', 'start_with'] as const;
export type Operator = (typeof OPERATORS)[number];
export const ALL8: readonly Operator[] = ['lt', 'lteq', 'gt', 'gteq', 'eq', 'not_eq', 'in', 'not_in'];

/** How a field's values compare: ids numerically, dates as days, strings exactly, arrays by membership. */
export type FieldKind = 'number' | 'day' | 'string' | 'boolean' | 'strings';
export type FieldValue = number | string | boolean | null | readonly string[];
export type FilterField<R> = { kind: FieldKind; ops: readonly Operator[]; get: (row: R) => FieldValue };

type Scalar = number | string | boolean;

function coerce(kind: FieldKind, field: string, value: unknown): Scalar {
  switch (kind) {
    case 'number': {
      // The spec's own examples quote ids ("value": "123"); numbers are accepted too.
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n))
        throw badRequest(`filter: ${field} expects a number, got ${JSON.stringify(value)}`);
      return n;
    }
    case 'day': {
      const day = typeof value === 'string' ? parseDay(value) : undefined;
      if (day === undefined)
        throw badRequest(`filter: ${field} expects a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
      return day;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw badRequest(`filter: ${field} expects true or false, got ${JSON.stringify(value)}`);
    default:
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      throw badRequest(`filter: ${field} expects a string, got ${JSON.stringify(value)}`);
  }
}

function compare(a: Scalar, b: Scalar): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses the `filter` query parameter (a JSON array of {field, operator, value}, ANDed) into one
 * predicate. Malformed JSON, an undeclared field, or an operator the field does not declare → 400.
 * (Whether Pennylane rejects or ignores undeclared fields is unknown; rejecting is the safer fake,
 * since a tap relying on an ignored filter would silently over-fetch.)
 */
export type Filter<R> = ((row: R) => boolean) & {
  /** When a condition is `id eq` or `id in`: the only ids that can match (lets a list look them up directly). */
  ids?: readonly number[];
};

export function parseFilter<R>(text: string, fields: Record<string, FilterField<R>>): Filter<R> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('filter: not valid JSON; expected [{"field":…,"operator":…,"value":…}]');
  }
  if (!Array.isArray(parsed))
    throw badRequest('filter: expected a JSON array of {"field","operator","value"} objects');
  let ids: number[] | undefined;
  const predicates = parsed.map((item): ((row: R) => boolean) => {
    if (item === null || typeof item !== 'object')
      throw badRequest('filter: each condition must be an object');
    const { field, operator, value } = item as Record<string, unknown>;
    if (typeof field !== 'string' || !(field in fields)) {
      throw badRequest(
        `filter: unknown field ${JSON.stringify(field)}; allowed: ${Object.keys(fields).join(', ') || 'none'}`,
      );
    }
    const def = fields[field]!;
    if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
      throw badRequest(
        `filter: unknown operator ${JSON.stringify(operator)}; operators: ${OPERATORS.join(', ')}`,
      );
    }
    const op = operator as Operator;
    if (!def.ops.includes(op))
      throw badRequest(`filter: operator ${op} is not allowed on ${field}; allowed: ${def.ops.join(', ')}`);
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(value)) throw badRequest(`filter: ${op} on ${field} expects an array value`);
      const set = new Set<Scalar>(value.map((v) => coerce(def.kind, field, v)));
      if (field === 'id' && op === 'in') ids = [...set].filter((v): v is number => typeof v === 'number');
      const has = (row: R): boolean => {
        const actual = def.get(row);
        if (Array.isArray(actual)) return actual.some((v) => set.has(v));
        return actual !== null && set.has(actual as Scalar);
      };
      return op === 'in' ? has : (row) => !has(row);
    }
    const expected = coerce(def.kind, field, value);
    if (field === 'id' && op === 'eq' && typeof expected === 'number') ids = [expected];
    if (op === 'start_with') {
      // ILIKE 'x%'
      const prefix = String(expected).toLowerCase();
      return (row) => {
        const actual = def.get(row);
        return typeof actual === 'string' && actual.toLowerCase().startsWith(prefix);
      };
    }
    return (row) => {
      const actual = def.get(row);
      if (actual === null || Array.isArray(actual)) return op === 'not_eq' && actual === null;
      const c = compare(actual as Scalar, expected);
      switch (op) {
        case 'eq':
          return c === 0;
        case 'not_eq':
          return c !== 0;
        case 'lt':
          return c < 0;
        case 'lteq':
          return c <= 0;
        case 'gt':
          return c > 0;
        default:
          return c >= 0;
      }
    };
  });
  const filter: Filter<R> = (row) => predicates.every((p) => p(row));
  if (ids) filter.ids = ids;
  return filter;
}
