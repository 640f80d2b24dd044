/**
 * The string formats the target checks: only those that decide a column type (a loader must not refuse
 * a record for an odd e-mail or URI). Checked on every value of every record, so `date` is a hand-written
 * scan rather than ajv-formats' regular expression plus a second pass over its captures.
 */

export const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// Taps send RFC 3339 and also naive timestamps or a space separator; PostgreSQL accepts all of them.
export const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;
export const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at text[at, at + n) as a number, or -1 if any is not a digit. */
function digits(text: string, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** RFC 3339 full-date (YYYY-MM-DD) naming a day that exists, 29 February only in leap years. */
export function isDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month]!) return false;
  return month !== 2 || day !== 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}
