/** Customer invoices, credit notes and supplier invoices, each booked as a balanced journal entry. */

import { applyRate, parseCents } from '../money.js';
import { MICROS_PER_DAY } from '../time.js';
import { balancedEntry, type Posting } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import { externalReference } from './fake-identity.js';
import { PRODUCT_KINDS, SUPPLIER_TRADES } from './french.js';
import type { AccountRow, InvoiceLineRow, InvoiceRow, PlainRow, Row } from './model.js';

/** Pennylane's VAT rate code for a French rate in basis points (its `vat_rate` enum). */
export function vatRateCode(bp: number): string {
  if (bp === 0) return 'exempt';
  return `FR_${String(bp / 10).replace('.', '_')}`;
}

export type LineFields = Omit<InvoiceLineRow, keyof Row | 'beforeTaxCents' | 'taxCents'>;

/** A line at `at`: amounts from quantity × unit price, VAT rounded per line (as the entry posts it). */
export function makeLine(b: CompanyBuilder, at: number, f: LineFields): InvoiceLineRow {
  const beforeTaxCents = f.unitCents * f.quantity;
  return {
    id: b.nextInvoiceLineId(),
    createdAt: at,
    updatedAt: at,
    ...f,
    beforeTaxCents,
    taxCents: applyRate(beforeTaxCents, f.vatBp),
  };
}

export function lineTotals(lines: readonly InvoiceLineRow[]): { beforeTax: number; tax: number } {
  let beforeTax = 0;
  let tax = 0;
  for (const l of lines) {
    beforeTax += l.beforeTaxCents;
    tax += l.taxCents;
  }
  return { beforeTax, tax };
}

/**
 * The entry's postings from the lines: the third party's line first, one line per invoice line (sales
 * credit revenue, purchases debit expense), then the VAT. The same function books a generated invoice
 * and re-books one whose lines the control surface changed.
 */
export function invoicePostings(
  b: CompanyBuilder,
  side: 'customer' | 'supplier',
  name: string,
  number: string,
  partyAccount: AccountRow,
  lines: readonly InvoiceLineRow[],
): Posting[] {
  const sign = side === 'customer' ? -1 : 1;
  const { beforeTax, tax } = lineTotals(lines);
  const postings: Posting[] = lines.map((l) => ({
    account: l.account,
    cents: sign * l.beforeTaxCents,
    label: `${name} - ${l.label}`,
    category: l.category,
  }));
  if (tax !== 0)
    postings.push(
      side === 'customer'
        ? { account: b.general.get('44571')!, cents: -tax, label: `${name} - TVA` }
        : { account: b.general.get('44566')!, cents: tax, label: `${name} - TVA déductible` },
    );
  postings.unshift({
    account: partyAccount,
    cents: -sign * (beforeTax + tax),
    label: `${name} - ${number}`,
  });
  return postings;
}

export function makeCustomerInvoice(
  b: CompanyBuilder,
  at: number,
  customer: PlainRow,
  credited: InvoiceRow | null,
  productAt: (at: number) => PlainRow,
): InvoiceRow {
  const r = b.random;
  const day = Math.floor(at / MICROS_PER_DAY);
  const sign = credited ? -1 : 1;
  const year = new Date(at / 1000).getUTCFullYear();
  const number = credited
    ? `AV-${year}-${String(b.nextInvoiceSeq('credit')).padStart(4, '0')}`
    : `F-${year}-${String(b.nextInvoiceSeq('customer')).padStart(5, '0')}`;
  const name = customer.data.name as string;
  const lines: InvoiceLineRow[] = [];
  const lineCount = r.int(1, 5);
  for (let i = 0; i < lineCount; i++) {
    const product = productAt(at);
    const kind = b.kindOf.get(product.id) ?? PRODUCT_KINDS[0]!;
    const quantity = r.int(1, 8);
    const unitCents = sign * parseCents(String(product.data.price_before_tax));
    lines.push(
      makeLine(b, at, {
        label: product.data.label as string,
        unit: kind.unit,
        quantity,
        unitCents,
        vatRate: kind.vatRate,
        vatBp: kind.vatBp,
        productId: product.id,
        account: b.general.get(kind.account)!,
        category: b.categories[PRODUCT_KINDS.indexOf(kind) % b.categories.length] ?? null,
      }),
    );
  }
  const { beforeTax, tax } = lineTotals(lines);
  const account = b.accountOf.get(customer.id) ?? b.general.get('411')!;
  const postings = invoicePostings(b, 'customer', name, number, account, lines);
  const deadline = day + r.pick([0, 30, 30, 45, 60]);
  const entry = balancedEntry(at, day, b.mainJournals.sales, `Facture ${number} - ${name}`, postings, {
    piece: number,
    invoiceNumber: number,
    dueDay: deadline,
    filename: `${number}.pdf`,
  });
  return addInvoice(b, at, 'customer', {
    number,
    label: `${credited ? 'Avoir' : 'Facture'} ${name} - ${number}`,
    day,
    deadline,
    partyId: customer.id,
    beforeTaxCents: beforeTax,
    taxCents: tax,
    creditedId: credited?.id ?? null,
    entry,
    lines,
  });
}

export function makeSupplierInvoice(b: CompanyBuilder, at: number, supplier: PlainRow): InvoiceRow {
  const r = b.random;
  const day = Math.floor(at / MICROS_PER_DAY);
  const trade = b.tradeOf.get(supplier.id) ?? SUPPLIER_TRADES[0]!;
  const name = supplier.data.name as string;
  const number = `${name.slice(0, 3).toUpperCase()}-${r.int(10_000, 999_999)}`;
  const lines: InvoiceLineRow[] = [];
  for (let i = r.int(1, 3); i > 0; i--) {
    const ht = r.int(2_000, 300_000);
    lines.push(
      makeLine(b, at, {
        label: trade.name,
        unit: null,
        quantity: 1,
        unitCents: ht,
        vatRate: vatRateCode(trade.vatBp),
        vatBp: trade.vatBp,
        productId: null,
        account: b.general.get(trade.account)!,
        category: r.chance(0.3) ? r.pick(b.categories) : null,
      }),
    );
  }
  const { beforeTax, tax } = lineTotals(lines);
  const account = b.accountOf.get(supplier.id) ?? b.general.get('401')!;
  const postings = invoicePostings(b, 'supplier', name, number, account, lines);
  const deadline = day + r.pick([0, 30, 45]);
  const entry = balancedEntry(at, day, b.mainJournals.purchases, `Facture ${name} - ${number}`, postings, {
    piece: number,
    invoiceNumber: number,
    dueDay: deadline,
    filename: `facture-${number.toLowerCase()}.pdf`,
  });
  return addInvoice(b, at, 'supplier', {
    number,
    label: `Facture ${name} - ${number}`,
    day,
    deadline,
    partyId: supplier.id,
    beforeTaxCents: beforeTax,
    taxCents: tax,
    creditedId: null,
    entry,
    lines,
  });
}

/** The invoice over its entry, unpaid; a credit note is the one that names the invoice it credits. */
function addInvoice(
  b: CompanyBuilder,
  at: number,
  side: InvoiceRow['side'],
  doc: Pick<
    InvoiceRow,
    | 'number'
    | 'label'
    | 'day'
    | 'deadline'
    | 'partyId'
    | 'beforeTaxCents'
    | 'taxCents'
    | 'creditedId'
    | 'entry'
    | 'lines'
  >,
): InvoiceRow {
  const invoice: InvoiceRow = {
    id: b.nextId(side === 'customer' ? 'customer_invoices' : 'supplier_invoices'),
    createdAt: at,
    updatedAt: at,
    side,
    number: doc.number,
    label: doc.label,
    day: doc.day,
    deadline: doc.deadline,
    partyId: doc.partyId,
    beforeTaxCents: doc.beforeTaxCents,
    taxCents: doc.taxCents,
    creditNote: doc.creditedId !== null,
    creditedId: doc.creditedId,
    paidDay: null,
    entry: doc.entry,
    externalReference: externalReference(b.random),
    lines: doc.lines,
    quoteId: null,
  };
  (side === 'customer' ? b.customerInvoices : b.supplierInvoices).add(invoice);
  return invoice;
}
