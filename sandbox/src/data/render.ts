import { formatCents } from '../money.js';
import { formatDay, formatTimestamp } from '../time.js';
import type { ApiRecord } from '../types.js';
import { COMPANY } from './french.js';
import type {
  AccountRow,
  BankAccountRow,
  CategoryRow,
  EntryRow,
  FiscalYearRow,
  InvoiceRow,
  JournalRow,
  LineRow,
  PlainRow,
  Row,
  TransactionRow,
} from './model.js';

/**
 * Compact rows → the exact item shapes of Pennylane's OpenAPI (every property present, `null` where
 * nullable). Links point at the sandbox's own API base, as the real ones point at app.pennylane.com.
 */
export type RenderContext = { apiBase: string };

const stamps = (row: Row) => ({
  created_at: formatTimestamp(row.createdAt),
  updated_at: formatTimestamp(row.updatedAt),
});
const withPatch = (record: ApiRecord, row: Row): ApiRecord =>
  row.patch ? { ...record, ...row.patch } : record;

export const renderPlain = (row: PlainRow): ApiRecord =>
  withPatch({ id: row.id, ...row.data, ...stamps(row) }, row);

export function renderCustomer(row: PlainRow, ctx: RenderContext): ApiRecord {
  const url = `${ctx.apiBase}/customers/${row.id}`;
  return withPatch(
    {
      id: row.id,
      ...row.data,
      ...stamps(row),
      mandates: { url: `${url}/mandates` },
      pro_account_mandates: { url: `${url}/pro_account_mandates` },
      contacts: { url: `${url}/contacts` },
    },
    row,
  );
}

export const renderFiscalYear = (row: FiscalYearRow): ApiRecord =>
  withPatch(
    {
      id: row.id,
      start: formatDay(row.start),
      finish: formatDay(row.finish),
      status: row.status,
      ...stamps(row),
    },
    row,
  );

export const renderJournal = (row: JournalRow): ApiRecord =>
  withPatch({ code: row.code, id: row.id, label: row.label, type: row.type }, row);

export const renderAccount = (row: AccountRow): ApiRecord =>
  withPatch(
    {
      id: row.id,
      number: row.number,
      label: row.label,
      vat_rate: row.vatRate,
      country_alpha2: 'FR',
      enabled: true,
      type: row.type,
      letterable: row.letterable,
      ...stamps(row),
    },
    row,
  );

export const renderCategory = (row: CategoryRow): ApiRecord => ({
  id: row.id,
  label: row.label,
  weight: '1.0',
  category_group: { id: row.groupId },
  analytical_code: row.code,
  ...stamps(row),
});

export const renderBankAccount = (row: BankAccountRow, ctx: RenderContext): ApiRecord =>
  withPatch(
    {
      id: row.id,
      name: row.name,
      currency: 'EUR',
      balance: formatCents(row.balanceCents),
      ...stamps(row),
      bank_establishment: { id: row.establishment },
      journal: { id: row.journal.id, url: `${ctx.apiBase}/journals/${row.journal.id}` },
      ledger_account: { id: row.account.id, url: `${ctx.apiBase}/ledger_accounts/${row.account.id}` },
    },
    row,
  );

export function renderEntry(row: EntryRow, ctx: RenderContext): ApiRecord {
  return withPatch(
    {
      id: row.id,
      ...stamps(row),
      label: row.label,
      piece_number: row.piece,
      date: formatDay(row.day),
      due_date: row.dueDay === null ? null : formatDay(row.dueDay),
      invoice_number: row.invoiceNumber,
      journal_id: row.journal.id,
      journal: { id: row.journal.id, url: `${ctx.apiBase}/journals/${row.journal.id}` },
      categories: [],
      ledger_attachment_filename: row.filename,
      attachment: row.filename
        ? { filename: row.filename, url: `${ctx.apiBase}/ledger_entries/${row.id}/attachment` }
        : null,
    },
    row,
  );
}

/**
 * `GET /ledger_entries/{id}`: the list item without its two deprecated list-only keys (the OpenAPI
 * single-object schema has only `journal {id, url}` and `attachment {filename, url}`, and forbids
 * others), plus the lines.
 */
export function renderEntryWithLines(row: EntryRow, ctx: RenderContext): ApiRecord {
  const { journal_id: _journalId, ledger_attachment_filename: _filename, ...entry } = renderEntry(row, ctx);
  return {
    ...entry,
    ledger_entry_lines: row.lines.map((line) => ({
      id: line.id,
      debit: formatCents(line.debit),
      credit: formatCents(line.credit),
      ledger_account: accountRef(line.account, ctx),
      label: line.label,
    })),
  };
}

const accountRef = (account: AccountRow, ctx: RenderContext) => ({
  id: account.id,
  number: account.number,
  url: `${ctx.apiBase}/ledger_accounts/${account.id}`,
});

export function renderLine(row: LineRow, ctx: RenderContext): ApiRecord {
  return withPatch(
    {
      id: row.id,
      debit: formatCents(row.debit),
      credit: formatCents(row.credit),
      label: row.label,
      categories: row.category ? [renderCategory(row.category)] : [],
      ledger_account: accountRef(row.account, ctx),
      journal: { id: row.entry.journal.id, url: `${ctx.apiBase}/journals/${row.entry.journal.id}` },
      date: formatDay(row.entry.day),
      ledger_entry: { id: row.entry.id },
      lettered_ledger_entry_lines: {
        ids: row.letter ? row.letter.lines.map((l) => l.id) : [],
        url: `${ctx.apiBase}/ledger_entry_lines/${row.id}/lettered_ledger_entry_lines`,
      },
      ...stamps(row),
    },
    row,
  );
}

/**
 * French e-invoicing starts on 2026-09-01: a third of the invoices dated from then went through the
 * platform (picked by id, so no random draw shifts the rest of the data).
 */
const E_INVOICING_FROM = Date.UTC(2026, 8, 1) / 86_400_000;
function eInvoicing(row: InvoiceRow, status: string): { status: string; reason: null } | null {
  return row.day >= E_INVOICING_FROM && row.id % 3 === 0 ? { status, reason: null } : null;
}

/** Card expenses are paid with the user's company card (its employee id is fixed, not drawn). */
const COMPANY_USER_ID = 2 ** 32 + 1;

function invoiceAmounts(row: InvoiceRow) {
  const total = row.beforeTaxCents + row.taxCents;
  const paid = row.paidDay !== null || row.creditNote;
  return {
    currency: 'EUR',
    amount: formatCents(total),
    currency_amount: formatCents(total),
    currency_amount_before_tax: formatCents(row.beforeTaxCents),
    exchange_rate: '1.0',
    date: formatDay(row.day),
    deadline: formatDay(row.deadline),
    currency_tax: formatCents(row.taxCents),
    tax: formatCents(row.taxCents),
    paid,
    remaining_amount_with_tax: formatCents(paid ? 0 : total),
    remaining_amount_without_tax: formatCents(paid ? 0 : row.beforeTaxCents),
  };
}

export function renderCustomerInvoice(row: InvoiceRow, ctx: RenderContext, today: number): ApiRecord {
  const url = `${ctx.apiBase}/customer_invoices/${row.id}`;
  const amounts = invoiceAmounts(row);
  const status = row.creditNote
    ? 'credit_note'
    : amounts.paid
      ? 'paid'
      : row.deadline < today
        ? 'late'
        : 'upcoming';
  return withPatch(
    {
      id: row.id,
      label: row.label,
      invoice_number: row.number,
      ...amounts,
      language: 'fr_FR',
      status,
      discount: { type: 'relative', value: '0.0' },
      ledger_entry: { id: row.entry.id },
      public_file_url: null,
      filename: row.entry.filename,
      draft: false,
      special_mention: null,
      customer: { id: row.partyId, url: `${ctx.apiBase}/customers/${row.partyId}` },
      invoice_line_sections: { url: `${url}/invoice_line_sections` },
      invoice_lines: { url: `${url}/invoice_lines` },
      custom_header_fields: { url: `${url}/custom_header_fields` },
      categories: { url: `${url}/categories` },
      pdf_invoice_free_text: '',
      pdf_invoice_subject: '',
      pdf_description: null,
      billing_subscription: null,
      credited_invoice:
        row.creditedId === null
          ? null
          : { id: row.creditedId, url: `${ctx.apiBase}/customer_invoices/${row.creditedId}` },
      customer_invoice_template: null,
      transaction_reference: null,
      payments: { url: `${url}/payments` },
      matched_transactions: { url: `${url}/matched_transactions` },
      appendices: { url: `${url}/appendices` },
      quote: row.quoteId === null ? null : { id: row.quoteId },
      external_reference: row.externalReference,
      e_invoicing: eInvoicing(row, amounts.paid ? 'collected' : 'sent'),
      archived_at: null,
      ...stamps(row),
    },
    row,
  );
}

export function renderSupplierInvoice(row: InvoiceRow, ctx: RenderContext): ApiRecord {
  const url = `${ctx.apiBase}/supplier_invoices/${row.id}`;
  const { paid, ...amounts } = invoiceAmounts(row);
  return withPatch(
    {
      id: row.id,
      label: row.label,
      invoice_number: row.number,
      ...amounts,
      reconciled: paid,
      accounting_status: 'complete',
      filename: row.entry.filename,
      public_file_url: null,
      ledger_entry: { id: row.entry.id },
      supplier: { id: row.partyId, url: `${ctx.apiBase}/suppliers/${row.partyId}` },
      invoice_lines: { url: `${url}/invoice_lines` },
      categories: { url: `${url}/categories` },
      transaction_reference: null,
      payment_status: paid ? 'fully_paid' : 'to_be_paid',
      payments: { url: `${url}/payments` },
      matched_transactions: { url: `${url}/matched_transactions` },
      external_reference: row.externalReference,
      e_invoicing: eInvoicing(row, paid ? 'collected' : 'approved'),
      archived_at: null,
      ...stamps(row),
    },
    row,
  );
}

export function renderTransaction(row: TransactionRow, ctx: RenderContext): ApiRecord {
  const amount = formatCents(row.amountCents);
  return withPatch(
    {
      id: row.id,
      label: row.label,
      attachment_required: row.amountCents < 0 && row.supplierId === null,
      date: formatDay(row.day),
      outstanding_balance: row.matched ? '0.00' : amount,
      ...stamps(row),
      archived_at: null,
      currency: 'EUR',
      currency_amount: amount,
      amount,
      currency_fee: null,
      fee: null,
      journal: { id: row.bank.journal.id, url: `${ctx.apiBase}/journals/${row.bank.journal.id}` },
      bank_account: { id: row.bank.id, url: `${ctx.apiBase}/bank_accounts/${row.bank.id}` },
      pro_account_expense: row.label.startsWith('CB ')
        ? {
            employee: {
              id: COMPANY_USER_ID,
              first_name: COMPANY.user.firstName,
              last_name: COMPANY.user.lastName,
            },
            card_masked_number: '**** **** **** 4242',
          }
        : null,
      customer:
        row.customerId === null
          ? null
          : { id: row.customerId, url: `${ctx.apiBase}/customers/${row.customerId}` },
      supplier:
        row.supplierId === null
          ? null
          : { id: row.supplierId, url: `${ctx.apiBase}/suppliers/${row.supplierId}` },
      categories: row.category ? [renderCategory(row.category)] : [],
      matched_invoices: { url: `${ctx.apiBase}/transactions/${row.id}/matched_invoices` },
      interbank_code: null,
    },
    row,
  );
}
