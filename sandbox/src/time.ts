/**
 * Time inside the sandbox: instants are integer microseconds since the epoch (the API shows
 * microseconds), business dates are integer days since the epoch.
 */
export const MICROS_PER_DAY = 86_400_000_000;
const MS_PER_DAY = 86_400_000;

/** `2026-11-27T09:49:32.123456Z` */
export function formatTimestamp(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micros - ms * 1000).padStart(3, '0')}Z`;
}

export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` → day number, or undefined when it is not a real calendar date. */
export function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / MS_PER_DAY;
}

export const dayOfMs = (ms: number): number => Math.floor(ms / MS_PER_DAY);

/** Day number of January 1st of a year. */
export const yearStart = (year: number): number => Date.UTC(year, 0, 1) / MS_PER_DAY;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time → microseconds (sub-microsecond digits dropped), or undefined when malformed. */
export function parseTimestamp(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(ms)) return undefined;
  const extra = (m[1] ?? '').slice(4, 7).padEnd(3, '0');
  return ms * 1000 + Number(extra);
}
