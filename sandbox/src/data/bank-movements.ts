/** Bank transactions, each booked on its bank's journal against a counterpart account. */

import { MICROS_PER_DAY } from '../time.js';
import { balancedEntry, NO_DOCUMENT, type Posting } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import type { BankAccountRow, CategoryRow, InvoiceRow, TransactionRow } from './model.js';

/** A bank transaction paying an invoice, its bank entry, and the lettering of the third-party lines. */
export function makePayment(
  b: CompanyBuilder,
  at: number,
  invoice: InvoiceRow,
  bank: BankAccountRow,
): TransactionRow {
  const total = invoice.beforeTaxCents + invoice.taxCents;
  const customer = invoice.side === 'customer';
  const thirdParty = invoice.entry.lines[0]!;
  const party = (customer ? b.customers : b.suppliers).get(invoice.partyId);
  const name = (party?.data.name as string | undefined) ?? invoice.label;
  const label = customer
    ? `VIR SEPA ${name.toUpperCase()} ${invoice.number}`
    : `VIR ${name.toUpperCase()} ${invoice.number}`;
  const amount = customer ? total : -total;
  const txn = addTransaction(
    b,
    at,
    bank,
    amount,
    label,
    [{ account: thirdParty.account, cents: -amount, label }],
    {
      customerId: customer ? invoice.partyId : null,
      supplierId: customer ? null : invoice.partyId,
      matched: true,
    },
  );
  const day = Math.floor(at / MICROS_PER_DAY);
  const paymentLine = txn.entry.lines.find((l) => l.account === thirdParty.account)!;
  const letter = { code: b.nextLetteringCode(), day, lines: [thirdParty, paymentLine] };
  thirdParty.letter = letter;
  paymentLine.letter = letter;
  const matchedAt = at + b.random.int(60, 3_600) * 1_000_000;
  thirdParty.updatedAt = matchedAt;
  paymentLine.updatedAt = matchedAt;
  invoice.paidDay = day;
  invoice.updatedAt = matchedAt;
  txn.updatedAt = matchedAt;
  return txn;
}

/** A movement no invoice explains (fees, salaries, charges, income), against a general account. */
export function makeBankMovement(
  b: CompanyBuilder,
  at: number,
  bank: BankAccountRow,
  amount: number,
  label: string,
  counterpart: string,
  category: CategoryRow | null,
): TransactionRow {
  const account = b.general.get(counterpart) ?? b.general.get('580')!;
  return addTransaction(b, at, bank, amount, label, [{ account, cents: -amount, label, category }], {
    customerId: null,
    supplierId: null,
    matched: b.random.chance(0.9),
    category,
  });
}

function addTransaction(
  b: CompanyBuilder,
  at: number,
  bank: BankAccountRow,
  amount: number,
  label: string,
  counterparts: Posting[],
  extra: {
    customerId: number | null;
    supplierId: number | null;
    matched: boolean;
    category?: CategoryRow | null;
  },
): TransactionRow {
  const day = Math.floor(at / MICROS_PER_DAY);
  const entry = balancedEntry(
    at,
    day,
    bank.journal,
    label,
    [{ account: bank.account, cents: amount, label }, ...counterparts],
    NO_DOCUMENT,
  );
  bank.balanceCents += amount;
  const txn: TransactionRow = {
    id: b.nextId('transactions'),
    createdAt: at,
    updatedAt: at,
    day,
    bank,
    amountCents: amount,
    label,
    customerId: extra.customerId,
    supplierId: extra.supplierId,
    matched: extra.matched,
    category: extra.category ?? null,
    entry,
  };
  b.transactions.add(txn);
  return txn;
}
