/**
 * JSON numbers without loss. JSON.parse turns 12345678901234567890.123456789 into a double; accounting
 * data must reach PostgreSQL's numeric exactly. JSON.parse stays on the hot path: only a line that may
 * hold a number with more than 15 significant digits (mayLoseNumbers) is parsed again here, and only
 * those numbers become LosslessNumber (the others stay plain numbers).
 */
import { deepSafe, mapJson, someJson, stringifyJson } from './json-deep.js';

export class LosslessNumber {
  constructor(readonly text: string) {}
  valueOf(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** Text check: 16 digits in a row, or 17 digits/dots in a row (a long decimal). */
const LONG_NUMBER = /\d{16}|[\d.]{17}/;
export const mayLoseNumbers = (text: string): boolean => LONG_NUMBER.test(text);

/**
 * Value check, run first because it costs a fraction of the text check on a typical record: a line
 * whose numbers all parsed to safe integers lost nothing (a literal of more than 15 significant digits
 * gives a non-integer or an unsafe integer), except for a long fraction that rounds to an integer
 * exactly (1.00000000000000001), which is the accepted limit of this shortcut.
 */
export function mayHaveLostDigits(value: unknown): boolean {
  // Inline rather than deepSafe: this runs on every record, where two closures per call would show.
  try {
    return mayHaveLostDigitsFast(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return someJson(value, (v) => typeof v === 'number' && !Number.isSafeInteger(v));
  }
}

function mayHaveLostDigitsFast(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isSafeInteger(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (mayHaveLostDigitsFast(v)) return true;
    return false;
  }
  for (const k in value) if (mayHaveLostDigitsFast((value as Record<string, unknown>)[k])) return true;
  return false;
}

const significantDigits = (literal: string): number => {
  const mantissa = literal
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  const trimmed = mantissa.replace(/^0+/, '');
  return trimmed.length;
};

/** JSON.parse, but numbers with more than 15 significant digits come back as LosslessNumber. */
export function parseJsonLossless(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
  };
  /** A scalar (string, literal or number) at i. */
  const scalar = (): unknown => {
    const c = text[i];
    if (c === '"') return string();
    if (c === 't' && text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (c === 'f' && text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (c === 'n' && text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const found = m.exec(text);
    if (!found) return fail('unexpected token');
    i = m.lastIndex;
    const literal = found[0];
    return significantDigits(literal) > 15 ? new LosslessNumber(literal) : Number(literal);
  };
  /** The property name and colon of an object member at i. */
  const member = (): string => {
    ws();
    if (text[i] !== '"') fail('expected a property name');
    const key = string();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    return key;
  };
  // Iterative (an explicit stack of open containers), so any depth JSON.parse takes parses here too.
  const value = (): unknown => {
    const open: { into: Record<string, unknown> | unknown[]; key: string }[] = [];
    for (;;) {
      ws();
      let v: unknown;
      const c = text[i];
      if (c === '{') {
        i++;
        ws();
        if (text[i] === '}') {
          i++;
          v = {};
        } else {
          open.push({ into: {}, key: member() });
          continue;
        }
      } else if (c === '[') {
        i++;
        ws();
        if (text[i] === ']') {
          i++;
          v = [];
        } else {
          open.push({ into: [], key: '' });
          continue;
        }
      } else v = scalar();
      // Put v into the innermost open container; close those that end here.
      for (;;) {
        const top = open[open.length - 1];
        if (!top) return v;
        ws();
        if (Array.isArray(top.into)) {
          top.into.push(v);
          if (text[i] === ',') {
            i++;
            break;
          }
          if (text[i] !== ']') fail("expected ',' or ']'");
        } else {
          top.into[top.key] = v;
          if (text[i] === ',') {
            i++;
            top.key = member();
            break;
          }
          if (text[i] !== '}') fail("expected ',' or '}'");
        }
        i++;
        v = top.into;
        open.pop();
      }
    }
  };
  const string = (): string => {
    const start = i;
    i++;
    let escaped = false;
    for (;;) {
      const ch = text.charCodeAt(i);
      if (Number.isNaN(ch)) fail('unterminated string');
      if (ch === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      i++;
      if (ch === 34) break;
    }
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const result = value();
  ws();
  if (i < text.length) fail('unexpected data after the JSON value');
  return result;
}

/** Whether a parsed value holds a LosslessNumber anywhere. */
export function hasLosslessNumber(value: unknown): boolean {
  return deepSafe(
    () => hasLosslessNumberFast(value),
    () => someJson(value, (v) => v instanceof LosslessNumber),
  );
}

function hasLosslessNumberFast(value: unknown): boolean {
  if (value instanceof LosslessNumber) return true;
  if (Array.isArray(value)) return value.some(hasLosslessNumberFast);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasLosslessNumberFast);
  return false;
}

const plainNumber = (v: unknown): unknown => (v instanceof LosslessNumber ? Number(v.text) : v);

/** A copy where every LosslessNumber is a plain number again (for JSON Schema validation). */
export function toPlainNumbers(value: unknown): unknown {
  return deepSafe(
    () => toPlainNumbersFast(value),
    () => mapJson(value, plainNumber),
  );
}

function toPlainNumbersFast(value: unknown): unknown {
  if (value instanceof LosslessNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(toPlainNumbersFast);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainNumbersFast(v)]));
  }
  return value;
}

/** JSON.stringify that writes LosslessNumber digits as they came. */
export function stringifyLossless(value: unknown): string {
  return deepSafe(
    () => stringifyLosslessFast(value),
    () => stringifyJson(value),
  );
}

function stringifyLosslessFast(value: unknown): string {
  if (value instanceof LosslessNumber) return value.text;
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : stringifyLosslessFast(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      parts.push(`${JSON.stringify(k)}:${stringifyLosslessFast(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
