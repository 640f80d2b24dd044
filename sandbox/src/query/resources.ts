import type { ListResourceName } from '../../../pennylane/src/api.js';
import type { CompanyBuilder } from '../data/company-builder.js';
import type { Row } from '../data/model.js';
import * as render from '../data/render.js';
import { renderCategoryGroup, renderQuote } from '../data/render-documents.js';
import type { Table } from '../data/table.js';
import type { ApiRecord } from '../types.js';
import { ALL8, type FieldValue, type FilterField } from './filter.js';

export type SortKey = number | string | null;

/** One list endpoint: its rows, how an item renders, what `filter` and `sort` accept. */
export type ResourceDef<R extends Row = Row> = {
  table: Table<R>;
  render: (row: R) => ApiRecord;
  filters: Record<string, FilterField<R>>;
  /** Declared sort fields (`id` always among them). */
  sorts: Record<string, (row: R) => SortKey>;
};

export type RecordResource = Exclude<ListResourceName, 'trial_balance'>;

/** A value set through the control surface wins over the generated one, in filters as in items. */
const patched = (row: Row, key: string, generated: FieldValue): FieldValue =>
  row.patch && key in row.patch ? (row.patch[key] as FieldValue) : generated;
const refId = (row: Row, key: string, generated: number | null): FieldValue => {
  const ref = row.patch?.[key] as { id?: number } | null | undefined;
  return row.patch && key in row.patch ? (ref?.id ?? null) : generated;
};
const idField = <R extends Row>(ops = ALL8): FilterField<R> => ({ kind: 'number', ops, get: (r) => r.id });
const id = (r: Row) => r.id;

const def = <R extends Row>(d: ResourceDef<R>): ResourceDef<Row> => d as unknown as ResourceDef<Row>;

/**
 * Filter and sort declarations per endpoint, from the OpenAPI parameter descriptions (the facts
 * file's table in §3).
 */
export function buildResources(
  b: CompanyBuilder,
  ctx: render.RenderContext,
  today: () => number,
): Record<RecordResource, ResourceDef> {
  const dayOf = (r: Row & { day: number }) => r.day;
  return {
    customers: def({
      table: b.customers,
      render: (r) => render.renderCustomer(r, ctx),
      filters: {
        id: idField(),
        customer_type: {
          kind: 'string',
          ops: ['eq', 'not_eq'],
          get: (r) => patched(r, 'customer_type', r.data.customer_type as string),
        },
        ledger_account_id: {
          kind: 'number',
          ops: ['eq', 'not_eq'],
          get: (r) =>
            refId(r, 'ledger_account', (r.data.ledger_account as { id: number } | null)?.id ?? null),
        },
        name: {
          kind: 'string',
          ops: ['start_with', 'eq'],
          get: (r) => patched(r, 'name', r.data.name as string),
        },
        external_reference: {
          kind: 'string',
          ops: ['start_with', 'eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'external_reference', r.data.external_reference as string),
        },
        reg_no: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'reg_no', (r.data.reg_no as string) ?? null),
        },
        emails: { kind: 'strings', ops: ['in'], get: (r) => patched(r, 'emails', r.data.emails as string[]) },
      },
      sorts: { id },
    }),
    suppliers: def({
      table: b.suppliers,
      render: render.renderPlain,
      filters: {
        id: idField(),
        ledger_account_id: {
          kind: 'number',
          ops: ['eq', 'not_eq'],
          get: (r) =>
            refId(r, 'ledger_account', (r.data.ledger_account as { id: number } | null)?.id ?? null),
        },
        name: { kind: 'string', ops: ['start_with'], get: (r) => patched(r, 'name', r.data.name as string) },
        external_reference: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'external_reference', r.data.external_reference as string),
        },
        emails: { kind: 'strings', ops: ['in'], get: (r) => patched(r, 'emails', r.data.emails as string[]) },
      },
      sorts: { id },
    }),
    customer_invoices: def({
      table: b.customerInvoices,
      render: (r) => render.renderCustomerInvoice(r, ctx, today()),
      filters: {
        id: idField(),
        date: { kind: 'day', ops: ALL8, get: dayOf },
        customer_id: { kind: 'number', ops: ALL8, get: (r) => refId(r, 'customer', r.partyId) },
        billing_subscription_id: {
          kind: 'number',
          ops: ALL8,
          get: (r) => refId(r, 'billing_subscription', null),
        },
        quote_id: { kind: 'number', ops: ALL8, get: (r) => refId(r, 'quote', r.quoteId) },
        invoice_number: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'invoice_number', r.number),
        },
        draft: { kind: 'boolean', ops: ['eq'], get: (r) => patched(r, 'draft', false) },
        credit_note: { kind: 'boolean', ops: ['eq'], get: (r) => r.creditNote },
        external_reference: {
          kind: 'string',
          ops: ['eq'],
          get: (r) => patched(r, 'external_reference', r.externalReference),
        },
        // Invoice categories are a sub-collection the sandbox leaves empty: `category_id in` matches nothing.
        category_id: { kind: 'number', ops: ['in'], get: () => null },
      },
      sorts: { id, date: dayOf },
    }),
    supplier_invoices: def({
      table: b.supplierInvoices,
      render: (r) => render.renderSupplierInvoice(r, ctx),
      filters: {
        id: idField(),
        supplier_id: { kind: 'number', ops: ALL8, get: (r) => refId(r, 'supplier', r.partyId) },
        date: { kind: 'day', ops: ALL8, get: dayOf },
        invoice_number: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'invoice_number', r.number),
        },
        external_reference: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'external_reference', r.externalReference),
        },
        payment_status: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'payment_status', r.paidDay !== null ? 'fully_paid' : 'to_be_paid'),
        },
        category_id: { kind: 'number', ops: ['in'], get: () => null },
      },
      sorts: { id, date: dayOf },
    }),
    products: def({
      table: b.products,
      render: render.renderPlain,
      filters: {
        id: idField(),
        label: { kind: 'string', ops: ['eq', 'in'], get: (r) => patched(r, 'label', r.data.label as string) },
        reference: {
          kind: 'string',
          ops: ['eq', 'in'],
          get: (r) => patched(r, 'reference', r.data.reference as string | null),
        },
        external_reference: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'external_reference', r.data.external_reference as string),
        },
      },
      sorts: { id },
    }),
    transactions: def({
      table: b.transactions,
      render: (r) => render.renderTransaction(r, ctx),
      filters: {
        id: idField(['eq', 'not_eq', 'in', 'not_in']),
        bank_account_id: { kind: 'number', ops: ['eq', 'not_eq', 'in', 'not_in'], get: (r) => r.bank.id },
        journal_id: { kind: 'number', ops: ['eq', 'not_eq', 'in', 'not_in'], get: (r) => r.bank.journal.id },
        date: { kind: 'day', ops: ['eq', 'not_eq', 'gt', 'lt', 'lteq', 'gteq'], get: dayOf },
      },
      sorts: { id },
    }),
    ledger_entry_lines: def({
      table: b.ledgerEntryLines,
      render: (r) => render.renderLine(r, ctx),
      filters: {
        id: idField(),
        journal_id: { kind: 'number', ops: ALL8, get: (r) => r.entry.journal.id },
        ledger_account_id: { kind: 'number', ops: ALL8, get: (r) => r.account.id },
        date: { kind: 'day', ops: ALL8, get: (r) => r.entry.day },
      },
      sorts: { id, date: (r) => r.entry.day },
    }),
    ledger_entries: def({
      table: b.ledgerEntries,
      render: (r) => render.renderEntry(r, ctx),
      filters: {
        id: idField(),
        date: { kind: 'day', ops: ['lt', 'lteq', 'gt', 'gteq', 'eq', 'not_eq'], get: dayOf },
        journal_id: { kind: 'number', ops: ALL8, get: (r) => r.journal.id },
      },
      sorts: { id, date: dayOf },
    }),
    ledger_accounts: def({
      table: b.ledgerAccounts,
      render: render.renderAccount,
      filters: {
        id: idField(),
        number: {
          kind: 'string',
          ops: ['start_with', 'eq', 'in'],
          get: (r) => patched(r, 'number', r.number),
        },
        enabled: { kind: 'boolean', ops: ['eq'], get: (r) => patched(r, 'enabled', true) },
      },
      sorts: { id },
    }),
    bank_accounts: def({
      table: b.bankAccounts,
      render: (r) => render.renderBankAccount(r, ctx),
      filters: {},
      sorts: { id },
    }),
    fiscal_years: def({
      table: b.fiscalYears,
      render: render.renderFiscalYear,
      filters: {},
      sorts: { id, start: (r) => r.start },
    }),
    quotes: def({
      table: b.quotes,
      render: (r) => renderQuote(r, ctx),
      filters: {
        id: idField(),
        customer_id: { kind: 'number', ops: ALL8, get: (r) => refId(r, 'customer', r.customerId) },
        status: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'status', r.status),
        },
      },
      sorts: { id },
    }),
    category_groups: def({
      table: b.categoryGroups,
      render: (r) => renderCategoryGroup(r, ctx),
      filters: {},
      sorts: { id },
    }),
    journals: def({
      table: b.journals,
      render: render.renderJournal,
      filters: {
        type: {
          kind: 'string',
          ops: ['eq', 'not_eq', 'in', 'not_in'],
          get: (r) => patched(r, 'type', r.type),
        },
      },
      sorts: { id },
    }),
  };
}
