/** Customer invoices, credit notes and supplier invoices, each booked as a balanced journal entry. */

import { applyRate, parseCents } from '../money.js';
import { MICROS_PER_DAY } from '../time.js';
import { balancedEntry, type Posting } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import { externalReference } from './fake-identity.js';
import { PRODUCT_KINDS, SUPPLIER_TRADES } from './french.js';
import type { InvoiceRow, PlainRow } from './model.js';

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
  const postings: Posting[] = [];
  let beforeTax = 0;
  let tax = 0;
  const lineCount = r.int(1, 5);
  for (let i = 0; i < lineCount; i++) {
    const product = productAt(at);
    const kind = b.kindOf.get(product.id) ?? PRODUCT_KINDS[0]!;
    const quantity = r.int(1, 8);
    const ht = sign * parseCents(String(product.data.price_before_tax)) * quantity;
    beforeTax += ht;
    tax += applyRate(ht, kind.vatBp);
    postings.push({
      account: b.general.get(kind.account)!,
      cents: -ht,
      label: `${name} - ${product.data.label as string}`,
      category: b.categories[PRODUCT_KINDS.indexOf(kind) % b.categories.length] ?? null,
    });
  }
  if (tax !== 0) postings.push({ account: b.general.get('44571')!, cents: -tax, label: `${name} - TVA` });
  const account = b.accountOf.get(customer.id) ?? b.general.get('411')!;
  postings.unshift({ account, cents: beforeTax + tax, label: `${name} - ${number}` });
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
  });
}

export function makeSupplierInvoice(b: CompanyBuilder, at: number, supplier: PlainRow): InvoiceRow {
  const r = b.random;
  const day = Math.floor(at / MICROS_PER_DAY);
  const trade = b.tradeOf.get(supplier.id) ?? SUPPLIER_TRADES[0]!;
  const name = supplier.data.name as string;
  const number = `${name.slice(0, 3).toUpperCase()}-${r.int(10_000, 999_999)}`;
  const postings: Posting[] = [];
  let beforeTax = 0;
  let tax = 0;
  for (let i = r.int(1, 3); i > 0; i--) {
    const ht = r.int(2_000, 300_000);
    beforeTax += ht;
    tax += applyRate(ht, trade.vatBp);
    postings.push({
      account: b.general.get(trade.account)!,
      cents: ht,
      label: `${name} - ${trade.name}`,
      category: r.chance(0.3) ? r.pick(b.categories) : null,
    });
  }
  if (tax !== 0)
    postings.push({ account: b.general.get('44566')!, cents: tax, label: `${name} - TVA déductible` });
  const account = b.accountOf.get(supplier.id) ?? b.general.get('401')!;
  postings.unshift({ account, cents: -(beforeTax + tax), label: `${name} - ${number}` });
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
  };
  (side === 'customer' ? b.customerInvoices : b.supplierInvoices).add(invoice);
  return invoice;
}
