/**
 * Byte strings: text decoded one byte per character (latin1) from UTF-8 input, so that each character
 * holds one byte of the UTF-8 form. V8 keeps such strings one byte wide, which JSON.parse reads and
 * Buffer.write('latin1') copies several times faster than the two-byte strings that UTF-8 decoding makes
 * of any line with an accent; writing them back as latin1 gives the original bytes exactly. JSON's own
 * syntax is ASCII, so parsing a byte string gives the same structure with byte-string values, as long
 * as the line holds no escape (an escaped `\u00e9` would become a real character among bytes). The
 * reader only decodes a line this way when it is valid UTF-8 without a backslash (see reader.ts).
 *
 * Anything that reads the text itself (a length, a pattern, a message for a person) must first turn a
 * byte string back into text with `textOf` / `withText`.
 */
import { mapJson, stringifyJson } from './json-deep.js';

const NON_ASCII = /[^\x00-\x7f]/;

/** Whether a string is all ASCII, where a byte string and its text are the same. */
export const isAsciiText = (s: string): boolean => !NON_ASCII.test(s);

/** The text a byte string spells. */
export const textOf = (s: string): string =>
  NON_ASCII.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;

/** A copy of a parsed value whose strings and property names are text again. */
export function withText(value: unknown): unknown {
  // Inline rather than deepSafe: this can run on every record, where two closures per call would show.
  try {
    return withTextFast(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return mapJson(value, (v) => (typeof v === 'string' ? textOf(v) : v), textOf);
  }
}

function withTextFast(value: unknown): unknown {
  if (typeof value === 'string') return textOf(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withTextFast);
  // Class instances (LosslessNumber) hold no byte string of the input's text: kept as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  // fromEntries defines own properties: a "__proto__" key stays data, as JSON.parse made it.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [textOf(k), withTextFast(v)]));
}

/** Keywords whose verdict depends on the characters of a string, not only on its bytes being ASCII or not. */
const TEXT_KEYWORDS = /"(minLength|maxLength|pattern|patternProperties|propertyNames)"/;

/**
 * Whether a JSON Schema judges a byte string as it judges its text, and names only ASCII properties:
 * its text is ASCII (so every enum, const and property name is) and it has no keyword that measures or
 * matches characters. Against ASCII constants and the ASCII formats (date, date-time, decimal), a
 * non-ASCII string fails or passes alike in both forms.
 */
export const schemaAcceptsByteStrings = (schema: unknown): boolean => {
  const text = stringifyJson(schema);
  return isAsciiText(text) && !TEXT_KEYWORDS.test(text);
};
