import type { Sandbox } from '../../../sandbox/src/types.js';

type Row = Record<string, unknown>;
export type Year = { id: number; start: string; finish: string; status: string };

/** The sandbox's trial balance of a year, read over its real HTTP API as the tap reads it. */
export async function sandboxTrialBalance(sb: Sandbox, year: Year): Promise<Row[]> {
  const url = `${sb.baseUrl}/trial_balance?period_start=${year.start}&period_end=${year.finish}&limit=1000`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${sb.token}` } });
  if (!res.ok) throw new Error(`GET /trial_balance: ${res.status}`);
  const body = (await res.json()) as { items: Row[]; has_more: boolean };
  if (body.has_more) throw new Error('GET /trial_balance: more than one page, raise the test limit');
  return body.items;
}

/** Cents of a decimal string, exactly (no float on the way). */
export const cents = (amount: unknown): bigint => {
  const [whole, fraction = ''] = String(amount).split('.');
  const sign = whole!.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole!.replace('-', '')) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2)));
};

/** Total debits and total credits of trial balance rows, in cents. */
export const totals = (rows: readonly Row[]) => ({
  debits: rows.reduce((n, r) => n + cents(r.debits), 0n),
  credits: rows.reduce((n, r) => n + cents(r.credits), 0n),
});

/**
 * Deletes in the sandbox every ledger entry of `year` with a line on the account that has the fewest
 * entries there (and shows under its own number in the trial balance), so that account leaves the
 * year's trial balance while the other accounts stay. Returns its number.
 */
export async function vanishAccount(sb: Sandbox, year: Year): Promise<string> {
  const before = new Set((await sandboxTrialBalance(sb, year)).map((r) => r.number as string));
  const entriesOf = new Map<string, Set<number>>();
  for (const line of sb.control.records('ledger_entry_lines')) {
    const date = line.date as string;
    if (date < year.start || date > year.finish) continue;
    const number = (line.ledger_account as { number: string }).number;
    if (!before.has(number)) continue;
    const entries = entriesOf.get(number) ?? new Set<number>();
    entries.add((line.ledger_entry as { id: number }).id);
    entriesOf.set(number, entries);
  }
  const [number, entries] = [...entriesOf.entries()].sort((a, b) => a[1].size - b[1].size)[0]!;
  for (const id of entries) sb.control.remove('ledger_entries', id);
  const after = (await sandboxTrialBalance(sb, year)).map((r) => r.number);
  if (after.includes(number)) throw new Error(`account ${number} is still in the trial balance`);
  return number;
}
