/** Customers, suppliers and products as the generator and the control surface create them. */

import { applyRate, formatCents } from '../money.js';
import { formatTimestamp, MICROS_PER_DAY } from '../time.js';
import type { ApiRecord } from '../types.js';
import type { CompanyBuilder } from './company-builder.js';
import { externalReference, iban, personName, postalAddress, siren, slug } from './fake-identity.js';
import { COMPANY_SUFFIXES, COMPANY_WORDS, LAST_NAMES, PRODUCT_KINDS, SUPPLIER_TRADES } from './french.js';
import { vatNumber } from './identifiers.js';
import { type AccountRow, MICROS_PER_HOUR, type PlainRow } from './model.js';
import type { Table } from './table.js';

export function makeCustomer(b: CompanyBuilder, at: number, fields: ApiRecord): PlainRow {
  const r = b.random;
  const id = b.nextId('customers');
  const company = r.chance(0.7);
  const person = personName(r);
  const name = company
    ? `${r.pick(COMPANY_WORDS)} ${r.pick(LAST_NAMES)} ${r.pick(COMPANY_SUFFIXES)}`
    : person.name;
  const account = auxiliaryAccount(b, '411', b.customers, name, at);
  const address = postalAddress(r);
  const common: ApiRecord = {
    name,
    billing_iban: r.chance(0.3) ? iban(r) : null,
    payment_conditions: r.pick(['upon_receipt', '30_days', '30_days', '45_days_end_of_month', '60_days']),
    recipient: person.name,
    phone: `+33 ${r.int(1, 9)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`,
    reference: r.chance(0.5) ? `CLI-${String(b.customers.rows.length + 1).padStart(5, '0')}` : null,
    notes: r.chance(0.1) ? 'Relancer par téléphone avant échéance.' : null,
    ledger_account: { id: account.id },
    emails: [`${slug(person.last)}${r.int(1, 99)}@exemple.fr`],
    billing_address: address,
    delivery_address: r.chance(0.8) ? { ...address } : postalAddress(r),
    customer_type: company ? 'company' : 'individual',
    external_reference: externalReference(r),
    billing_language: r.chance(0.9) ? 'fr_FR' : 'en_GB',
  };
  const sirenNumber = siren(r);
  const data: ApiRecord = company
    ? { ...common, vat_number: vatNumber(sirenNumber), reg_no: sirenNumber }
    : { ...common, first_name: person.first, last_name: person.last };
  const row: PlainRow = {
    id,
    createdAt: at,
    updatedAt: maybeUpdated(b, at),
    data: { ...data, ...fields },
  };
  b.accountOf.set(id, account);
  b.customers.add(row);
  return row;
}

export function makeSupplier(b: CompanyBuilder, at: number, fields: ApiRecord): PlainRow {
  const r = b.random;
  const id = b.nextId('suppliers');
  const trade = r.pick(SUPPLIER_TRADES);
  const name = `${trade.name} ${r.pick(LAST_NAMES)} ${r.pick(COMPANY_SUFFIXES)}`;
  const account = auxiliaryAccount(b, '401', b.suppliers, name, at);
  const sirenNumber = siren(r);
  const data: ApiRecord = {
    name,
    establishment_no: r.chance(0.8)
      ? `${sirenNumber}${String(r.int(1, 99)).padStart(4, '0')}${r.int(0, 9)}`
      : null,
    reg_no: r.chance(0.9) ? sirenNumber : null,
    vat_number: vatNumber(sirenNumber),
    ledger_account: { id: account.id },
    emails: r.chance(0.8) ? [`factures@${slug(trade.name)}.fr`] : [],
    iban: iban(r),
    postal_address: postalAddress(r),
    supplier_payment_method: r.pick(['manual_transfer', 'automatic_debiting', 'card', null]),
    supplier_due_date_delay: r.chance(0.7) ? r.pick([0, 30, 45, 60]) : null,
    supplier_due_date_rule: r.chance(0.7) ? r.pick(['days', 'days_or_end_of_month']) : null,
    external_reference: externalReference(r),
    ...fields,
  };
  const row: PlainRow = { id, createdAt: at, updatedAt: maybeUpdated(b, at), data };
  b.accountOf.set(id, account);
  b.tradeOf.set(id, trade);
  b.suppliers.add(row);
  return row;
}

export function makeProduct(b: CompanyBuilder, at: number, fields: ApiRecord): PlainRow {
  const r = b.random;
  const id = b.nextId('products');
  const kind = r.pick(PRODUCT_KINDS);
  const beforeTax = r.int(kind.min, kind.max) * 100 + r.pick([0, 0, 50, 90]);
  const n = b.products.rows.length + 1;
  const data: ApiRecord = {
    label: `${kind.label} ${n}`,
    description: `${kind.label} — référence ${n}`,
    external_reference: externalReference(r),
    price_before_tax: formatCents(beforeTax),
    vat_rate: kind.vatRate,
    price: formatCents(beforeTax + applyRate(beforeTax, kind.vatBp)),
    unit: kind.unit,
    currency: 'EUR',
    reference: r.chance(0.8) ? `PRD-${String(n).padStart(4, '0')}` : null,
    ledger_account: { id: b.general.get(kind.account)!.id },
    archived_at: null,
    ...fields,
  };
  const row: PlainRow = { id, createdAt: at, updatedAt: maybeUpdated(b, at), data };
  // Some edited products were archived by that edit; archived products stay listed.
  if (row.updatedAt > at && !('archived_at' in fields) && r.chance(0.25))
    data.archived_at = formatTimestamp(row.updatedAt);
  b.kindOf.set(id, kind);
  b.products.add(row);
  return row;
}

/** The party's own account under its collective one (411 customers, 401 suppliers), numbered in order. */
function auxiliaryAccount(
  b: CompanyBuilder,
  collective: '411' | '401',
  table: Table<PlainRow>,
  name: string,
  at: number,
): AccountRow {
  const number = `${collective}${String(table.rows.length + 1).padStart(table.rows.length >= 9_999 ? 5 : 4, '0')}`;
  return b.addAccount(number, name, collective === '411' ? 'customer' : 'supplier', 'any', at, collective);
}

/** Some objects get edited later; the edit time stays before the anchor day. */
function maybeUpdated(b: CompanyBuilder, at: number): number {
  if (!b.random.chance(0.2)) return at;
  const end = b.anchorDay * MICROS_PER_DAY - MICROS_PER_HOUR;
  return end <= at ? at : at + Math.floor(b.random.next() * (end - at));
}
