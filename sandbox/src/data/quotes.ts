/** Customer quotes: a few dozen, some invoiced (the invoice names its quote), the others in every status. */

import { applyRate, parseCents } from '../money.js';
import { MICROS_PER_DAY } from '../time.js';
import type { CompanyBuilder } from './company-builder.js';
import { PRODUCT_KINDS } from './french.js';
import { type InvoiceRow, MICROS_PER_HOUR, type QuoteRow, type QuoteStatus } from './model.js';

/** How many quotes a company of this many customer invoices has: a few dozen. */
export const quoteCount = (customerInvoices: number): number =>
  Math.max(12, Math.min(60, Math.round(customerInvoices / 20)));

type QuoteDraft = Omit<QuoteRow, 'id' | 'number'> & { invoice: InvoiceRow | null };

/**
 * Generated after every other object, with the builder's side generator, so the rest of a seed's
 * company is unchanged. Ids follow creation time, as everywhere.
 */
export function generateQuotes(b: CompanyBuilder, count: number): void {
  const r = b.sideRandom;
  const invoices = b.customerInvoices.rows.filter((i) => !i.creditNote);
  const customers = b.customers.rows;
  if (customers.length === 0) return;
  const lastAt = b.anchorDay * MICROS_PER_DAY - MICROS_PER_HOUR;
  const drafts: QuoteDraft[] = [];
  const used = new Set<number>();
  for (let i = 0; i < count; i++) {
    const invoiced = invoices.length > 0 && i % 3 === 0;
    const invoice = invoiced ? r.pick(invoices) : null;
    if (invoice && used.has(invoice.id)) continue;
    if (invoice) used.add(invoice.id);
    if (invoice) {
      // The quote came 3 to 20 days before its invoice, for the same amounts.
      const createdAt = invoice.createdAt - r.int(3, 20) * MICROS_PER_DAY;
      const day = Math.floor(createdAt / MICROS_PER_DAY);
      drafts.push({
        createdAt,
        updatedAt: invoice.createdAt,
        label: `Devis ${nameOf(b, invoice.partyId)}`,
        day,
        deadline: day + 30,
        customerId: invoice.partyId,
        beforeTaxCents: invoice.beforeTaxCents,
        taxCents: invoice.taxCents,
        status: 'invoiced',
        invoiceId: invoice.id,
        invoice,
      });
      continue;
    }
    // Others: spread over the last 90 days, so the changelog's 4 weeks hold some of them.
    const createdAt = lastAt - r.int(1, 90 * 24) * MICROS_PER_HOUR;
    const day = Math.floor(createdAt / MICROS_PER_DAY);
    const customer = r.pick(customers);
    let beforeTax = 0;
    let tax = 0;
    for (let n = r.int(1, 3); n > 0; n--) {
      const kind = r.pick(PRODUCT_KINDS);
      const ht = r.int(kind.min, kind.max) * 100 * r.int(1, 5);
      beforeTax += ht;
      tax += applyRate(ht, kind.vatBp);
    }
    const deadline = day + 30;
    const open = deadline >= b.anchorDay;
    const status: QuoteStatus = open
      ? r.pick(['pending', 'pending', 'accepted', 'denied'] as const)
      : r.pick(['expired', 'accepted', 'denied'] as const);
    const decidedAt =
      status === 'pending' ? createdAt : Math.min(lastAt, createdAt + r.int(1, 14) * MICROS_PER_DAY);
    drafts.push({
      createdAt,
      updatedAt: decidedAt,
      label: `Devis ${customer.data.name as string}`,
      day,
      deadline,
      customerId: customer.id,
      beforeTaxCents: beforeTax,
      taxCents: tax,
      status,
      invoiceId: null,
      invoice: null,
    });
  }
  drafts.sort((x, y) => x.createdAt - y.createdAt);
  for (const { invoice, ...draft } of drafts) {
    const quote = addQuote(b, draft);
    if (invoice) invoice.quoteId = quote.id;
  }
}

const nameOf = (b: CompanyBuilder, customerId: number): string =>
  (b.customers.get(customerId)?.data.name as string | undefined) ?? 'Client';

function addQuote(b: CompanyBuilder, draft: Omit<QuoteRow, 'id' | 'number'>): QuoteRow {
  const n = b.quotes.rows.length + 1;
  const year = new Date(draft.createdAt / 1000).getUTCFullYear();
  const quote: QuoteRow = {
    id: b.nextQuoteId(),
    number: `D-${year}-${String(n).padStart(4, '0')}`,
    ...draft,
  };
  b.quotes.add(quote);
  return quote;
}

/** A new pending quote at `at` (control surface): `amount_before_tax` and `customer.id` may be given. */
export function makeQuote(
  b: CompanyBuilder,
  at: number,
  customerId: number,
  beforeTax: string | undefined,
): QuoteRow {
  const day = Math.floor(at / MICROS_PER_DAY);
  const beforeTaxCents = beforeTax === undefined ? b.sideRandom.int(200, 5_000) * 100 : parseCents(beforeTax);
  return addQuote(b, {
    createdAt: at,
    updatedAt: at,
    label: `Devis ${nameOf(b, customerId)}`,
    day,
    deadline: day + 30,
    customerId,
    beforeTaxCents,
    taxCents: applyRate(beforeTaxCents, 2000),
    status: 'pending',
    invoiceId: null,
  });
}
