/**
 * Walks of parsed JSON that do not recurse, for values nested deeper than the call stack allows.
 * JSON.parse itself takes any depth, but JSON.stringify and every recursive walk of ours overflow
 * ("Maximum call stack size exceeded") somewhere between 2,000 and 6,000 levels, while PostgreSQL's
 * jsonb takes about 16,000 (its limit comes from max_stack_depth). The recursive walks stay the fast
 * path; `deepSafe` falls back to these only when one overflows.
 */
import { LosslessNumber } from './json-lossless.js';

/** Runs the recursive `fast` walk; if the value is too deep for the stack, the `iterative` one instead. */
export function deepSafe<T>(fast: () => T, iterative: () => T): T {
  try {
    return fast();
  } catch (err) {
    if (err instanceof RangeError) return iterative();
    throw err;
  }
}

/** A container a walk descends into: an array or a plain object (a LosslessNumber is a value). */
const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  v !== null && typeof v === 'object' && !(v instanceof LosslessNumber);

/** Sets a property as JSON.parse does: a "__proto__" key stays an own data property. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else obj[key] = value;
}

/**
 * A copy of a parsed value with `leaf` applied to every non-container value and `key` to every property
 * name. Objects that are not plain (class instances) are leaves too.
 */
export function mapJson(
  value: unknown,
  leaf: (v: unknown) => unknown,
  key: (k: string) => string = (k) => k,
): unknown {
  const plain = (v: unknown) =>
    isContainer(v) && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);
  if (!plain(value)) return leaf(value);
  const root = Array.isArray(value) ? [] : {};
  const work: [from: Record<string, unknown> | unknown[], to: Record<string, unknown> | unknown[]][] = [
    [value as Record<string, unknown>, root],
  ];
  while (work.length > 0) {
    const [from, to] = work.pop()!;
    const put = Array.isArray(to)
      ? (k: string, v: unknown) => {
          to[Number(k)] = v;
        }
      : (k: string, v: unknown) => setOwn(to, key(k), v);
    for (const [k, v] of Object.entries(from)) {
      if (plain(v)) {
        const child = Array.isArray(v) ? [] : {};
        put(k, child);
        work.push([v as Record<string, unknown>, child]);
      } else put(k, leaf(v));
    }
  }
  return root;
}

/** Whether `test` holds for some non-container value inside `value`. */
export function someJson(value: unknown, test: (v: unknown) => boolean): boolean {
  const work: unknown[] = [value];
  while (work.length > 0) {
    const v = work.pop();
    if (isContainer(v)) {
      for (const child of Object.values(v)) work.push(child);
    } else if (test(v)) return true;
  }
  return false;
}

/**
 * JSON.stringify of a parsed value, at any depth; LosslessNumber digits are written as they came. Like
 * JSON.stringify, undefined and functions are left out of objects and written as null in arrays.
 */
export function stringifyJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text (closing brackets, commas, keys).
  const work: ({ text: string } | { value: unknown })[] = [{ value }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (v instanceof LosslessNumber) out.push(v.text);
    else if (Array.isArray(v)) {
      const items: ({ text: string } | { value: unknown })[] = [{ text: '[' }];
      v.forEach((x, i) => {
        if (i > 0) items.push({ text: ',' });
        items.push(x === undefined || typeof x === 'function' ? { text: 'null' } : { value: x });
      });
      items.push({ text: ']' });
      for (let i = items.length - 1; i >= 0; i--) work.push(items[i]!);
    } else if (v !== null && typeof v === 'object') {
      const items: ({ text: string } | { value: unknown })[] = [{ text: '{' }];
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function') continue;
        items.push({ text: `${items.length > 1 ? ',' : ''}${JSON.stringify(k)}:` }, { value: x });
      }
      items.push({ text: '}' });
      for (let i = items.length - 1; i >= 0; i--) work.push(items[i]!);
    } else out.push(JSON.stringify(v) ?? 'null');
  }
  return out.join('');
}
