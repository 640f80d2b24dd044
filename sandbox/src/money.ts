/**
 * Money is integer cents everywhere inside the sandbox; the API shows dot-decimal strings. Integer
 * arithmetic on safe integers is exact, so entries balance to the cent by construction.
 */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `amount × basisPoints / 10000`, rounded half away from zero, with integer operations only. */
export function applyRate(cents: number, basisPoints: number): number {
  const product = Math.abs(cents) * basisPoints;
  const rounded = (product - (product % 10_000)) / 10_000 + (product % 10_000 >= 5_000 ? 1 : 0);
  return cents < 0 ? -rounded : rounded;
}

/** Parses a dot-decimal string with at most two decimals into cents; throws on anything else. */
export function parseCents(text: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal amount: ${JSON.stringify(text)}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}
