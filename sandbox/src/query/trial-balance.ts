import type { AccountRow, LineRow } from '../data/model.js';
import { formatCents } from '../money.js';

export type TrialBalanceRow = {
  number: string;
  formatted_number: string;
  label: string;
  debits: string;
  credits: string;
};

/**
 * `GET /trial_balance`: gross debits and credits per account over the lines dated in the period
 * (inclusive), ascending by account number. Without `is_auxiliary`, third-party accounts (411xxxx,
 * 401xxxx) are rolled up into their collective account — our reading of "whether to include auxiliary
 * accounts or not". `formatted_number` pads the number with zeros to 8 characters, as the spec example
 * shows ("512" → "51200000").
 */
export function trialBalance(
  lines: Iterable<LineRow>,
  accounts: (number: string) => AccountRow | undefined,
  periodStart: number,
  periodEnd: number,
  auxiliary: boolean,
): TrialBalanceRow[] {
  const sums = new Map<string, { label: string; debit: number; credit: number }>();
  for (const line of lines) {
    const day = line.entry.day;
    if (day < periodStart || day > periodEnd) continue;
    const rollUp = !auxiliary && line.account.collective !== undefined;
    const number = rollUp ? line.account.collective! : line.account.number;
    const label = rollUp ? (accounts(number)?.label ?? number) : line.account.label;
    const sum = sums.get(number) ?? { label, debit: 0, credit: 0 };
    sum.debit += line.debit;
    sum.credit += line.credit;
    sums.set(number, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([number, s]) => ({
      number,
      formatted_number: number.length >= 8 ? number : number.padEnd(8, '0'),
      label: s.label,
      debits: formatCents(s.debit),
      credits: formatCents(s.credit),
    }));
}
