import { formatCents } from '../money.js';
import { formatDay, formatTimestamp } from '../time.js';
import type { ApiRecord } from '../types.js';
import type { CategoryGroupRow, CategoryRow, InvoiceLineRow, QuoteRow, Row } from './model.js';
import type { RenderContext } from './render.js';

/**
 * Item shapes of the endpoints added with invoice lines, analytical categories and quotes, exactly as
 * Pennylane's OpenAPI declares them (every property present, `null` where nullable).
 */
const stamps = (row: Row) => ({
  created_at: formatTimestamp(row.createdAt),
  updated_at: formatTimestamp(row.updatedAt),
});
const withPatch = (record: ApiRecord, row: Row): ApiRecord =>
  row.patch ? { ...record, ...row.patch } : record;

/** Line amounts: before tax, tax, and the total with tax (`amount`), in euros = the document's currency. */
const lineAmounts = (row: InvoiceLineRow) => {
  const total = formatCents(row.beforeTaxCents + row.taxCents);
  return {
    amount: total,
    currency_amount: total,
    currency_amount_before_tax: formatCents(row.beforeTaxCents),
    currency_tax: formatCents(row.taxCents),
    tax: formatCents(row.taxCents),
  };
};

export function renderCustomerInvoiceLine(row: InvoiceLineRow, ctx: RenderContext): ApiRecord {
  const { amount, currency_amount, currency_amount_before_tax, currency_tax, tax } = lineAmounts(row);
  return {
    id: row.id,
    label: row.label,
    unit: row.unit,
    quantity: String(row.quantity),
    amount,
    currency_amount,
    description: '',
    product:
      row.productId === null ? null : { id: row.productId, url: `${ctx.apiBase}/products/${row.productId}` },
    vat_rate: row.vatRate,
    currency_amount_before_tax,
    currency_tax,
    tax,
    raw_currency_unit_price: formatCents(row.unitCents),
    discount: { type: 'relative', value: '0' },
    section_rank: null,
    imputation_dates: null,
    ...stamps(row),
  };
}

export function renderSupplierInvoiceLine(row: InvoiceLineRow): ApiRecord {
  const { amount, currency_amount, currency_amount_before_tax, currency_tax, tax } = lineAmounts(row);
  return {
    id: row.id,
    label: row.label,
    amount,
    currency_amount,
    description: '',
    vat_rate: row.vatRate,
    currency_amount_before_tax,
    currency_tax,
    tax,
    imputation_dates: null,
    ...stamps(row),
  };
}

export const renderCategoryGroup = (row: CategoryGroupRow, ctx: RenderContext): ApiRecord =>
  withPatch(
    {
      id: row.id,
      label: row.label,
      categories: { url: `${ctx.apiBase}/category_groups/${row.id}/categories` },
      ...stamps(row),
    },
    row,
  );

/** `GET /category_groups/{id}/categories`: analytical categories have no direction (treasury only). */
export const renderGroupCategory = (row: CategoryRow): ApiRecord => ({
  id: row.id,
  label: row.label,
  direction: null,
  analytical_code: row.code,
  ...stamps(row),
});

export function renderQuote(row: QuoteRow, ctx: RenderContext): ApiRecord {
  const url = `${ctx.apiBase}/quotes/${row.id}`;
  const total = formatCents(row.beforeTaxCents + row.taxCents);
  const linked = encodeURIComponent(JSON.stringify([{ field: 'quote_id', operator: 'eq', value: row.id }]));
  return withPatch(
    {
      id: row.id,
      label: row.label,
      quote_number: row.number,
      currency: 'EUR',
      amount: total,
      currency_amount: total,
      currency_amount_before_tax: formatCents(row.beforeTaxCents),
      exchange_rate: '1.0',
      date: formatDay(row.day),
      deadline: formatDay(row.deadline),
      currency_tax: formatCents(row.taxCents),
      tax: formatCents(row.taxCents),
      language: 'fr_FR',
      status: row.status,
      discount: { type: 'relative', value: '0' },
      public_file_url: null,
      filename: `${row.number}.pdf`,
      special_mention: null,
      customer: { id: row.customerId, url: `${ctx.apiBase}/customers/${row.customerId}` },
      invoice_line_sections: { url: `${url}/invoice_line_sections` },
      invoice_lines: { url: `${url}/invoice_lines` },
      linked_invoices: { url: `${ctx.apiBase}/customer_invoices?filter=${linked}` },
      pdf_invoice_free_text: '',
      pdf_invoice_subject: '',
      pdf_description: null,
      quote_template: null,
      appendices: { url: `${url}/appendices` },
      external_reference: `DEV-${row.id}`,
      archived_at: null,
      ...stamps(row),
    },
    row,
  );
}
