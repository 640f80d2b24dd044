import type { ApiRecord } from '../types.js';

export const MICROS_PER_HOUR = 3_600_000_000;

/**
 * The sandbox keeps objects compactly and renders the API shape on demand (render.ts), so half a
 * million ledger entry lines fit in a few tens of megabytes. Instants are microseconds, dates day numbers.
 */
export type Row = {
  id: number;
  createdAt: number;
  updatedAt: number;
  /** Fields set through the control surface; they win over generated values, in lists and filters. */
  patch?: ApiRecord;
};

/** Customers, suppliers and products are small: kept as their API fields (without id and timestamps). */
export type PlainRow = Row & { data: ApiRecord };

export type FiscalYearRow = Row & { start: number; finish: number; status: 'open' | 'closed' };
export type JournalRow = Row & { code: string; label: string; type: string };
export type AccountRow = Row & {
  number: string;
  label: string;
  vatRate: string;
  type: string;
  letterable: boolean;
  /** For an auxiliary account (411…, 401…): the collective account number, e.g. `411`. */
  collective?: string;
};
export type CategoryRow = Row & { label: string; code: string; groupId: number };
/** An analytical axis (`GET /category_groups`); its categories point to it by `groupId`. */
export type CategoryGroupRow = Row & { label: string };
export type BankAccountRow = Row & {
  name: string;
  establishment: number;
  journal: JournalRow;
  account: AccountRow;
  openingCents: number;
  balanceCents: number;
};

/** Lines matched together (an invoice's third-party line and its payment's). */
export type Lettering = { code: string; day: number; lines: LineRow[] };

export type EntryRow = Row & {
  day: number;
  journal: JournalRow;
  label: string;
  piece: string | null;
  invoiceNumber: string | null;
  dueDay: number | null;
  filename: string | null;
  lines: LineRow[];
};

export type LineRow = Row & {
  entry: EntryRow;
  account: AccountRow;
  debit: number;
  credit: number;
  label: string;
  /** Analytical category (weight 1), or null. */
  category: CategoryRow | null;
  letter: Lettering | null;
};

export type InvoiceRow = Row & {
  side: 'customer' | 'supplier';
  number: string;
  label: string;
  day: number;
  deadline: number;
  partyId: number;
  beforeTaxCents: number;
  taxCents: number;
  creditNote: boolean;
  creditedId: number | null;
  paidDay: number | null;
  entry: EntryRow;
  externalReference: string;
  /** Its lines, ascending by id; their sums are the invoice's amounts, to the cent. */
  lines: InvoiceLineRow[];
  /** The quote this invoice was made from, or null. */
  quoteId: number | null;
};

/**
 * One line of an invoice (`GET /<side>_invoices/{id}/invoice_lines`). Signed like its invoice (negative
 * on a credit note); `taxCents` is `beforeTaxCents` at `vatBp`, rounded per line, as the entry posts it.
 */
export type InvoiceLineRow = Row & {
  label: string;
  unit: string | null;
  quantity: number;
  unitCents: number;
  beforeTaxCents: number;
  taxCents: number;
  /** Pennylane's code (`FR_200`) and its rate in basis points (2000). */
  vatRate: string;
  vatBp: number;
  productId: number | null;
  /** The revenue or expense account the line is posted to. */
  account: AccountRow;
  category: CategoryRow | null;
};

export type QuoteStatus = 'pending' | 'accepted' | 'denied' | 'invoiced' | 'expired';

/** A customer quote; an invoiced one names its invoice, which names it back (`quote`). */
export type QuoteRow = Row & {
  number: string;
  label: string;
  day: number;
  deadline: number;
  customerId: number;
  beforeTaxCents: number;
  taxCents: number;
  status: QuoteStatus;
  invoiceId: number | null;
};

export type TransactionRow = Row & {
  day: number;
  bank: BankAccountRow;
  amountCents: number;
  label: string;
  customerId: number | null;
  supplierId: number | null;
  matched: boolean;
  category: CategoryRow | null;
  entry: EntryRow;
};

export type ChangelogEvent = {
  id: number;
  operation: 'insert' | 'update' | 'delete';
  processedAt: number;
  createdAt: number;
  updatedAt: number;
  /** Tie-breaker for equal processed_at, and the cursor position. */
  seq: number;
};
