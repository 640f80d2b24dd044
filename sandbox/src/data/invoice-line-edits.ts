import { applyRate, parseCents } from '../money.js';
import type { LineChanges } from '../types.js';
import { balancedEntry } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import { PRODUCT_KINDS } from './french.js';
import { invoicePostings, type LineFields, lineTotals, makeLine } from './invoices.js';
import type { InvoiceLineRow, InvoiceRow, LineRow } from './model.js';

/** What re-booking an invoice changed in its ledger entry, for the changelog. */
export type Rebooking = { updated: LineRow[]; removed: LineRow[]; added: LineRow[] };

const VAT_BP: Record<string, number> = { FR_200: 2000, FR_100: 1000, FR_55: 550, FR_21: 210, exempt: 0 };

/**
 * Applies line changes to an invoice at `at`: new line objects for edits (a line's amounts are fixed
 * once rendered), totals recomputed from the lines, and the ledger entry re-booked so it still balances
 * and matches the invoice: the third-party line keeps its id and lettering with its new amount, the
 * revenue / expense and VAT lines are replaced. Throws (a 400 for the caller) on an unknown line id,
 * an unknown product, or an invoice left without lines.
 */
export function changeLines(
  b: CompanyBuilder,
  invoice: InvoiceRow,
  changes: LineChanges,
  at: number,
): Rebooking {
  const sign = invoice.creditNote ? -1 : 1;
  const lines = new Map(invoice.lines.map((l) => [l.id, l]));
  for (const id of changes.remove ?? []) {
    if (!lines.delete(id)) throw new Error(`remove: invoice ${invoice.id} has no line ${id}`);
  }
  for (const edit of changes.edit ?? []) {
    const old = lines.get(edit.id);
    if (!old) throw new Error(`edit: invoice ${invoice.id} has no line ${edit.id}`);
    const unitCents = edit.unit_price === undefined ? old.unitCents : sign * parseCents(edit.unit_price);
    const quantity = edit.quantity ?? old.quantity;
    const beforeTaxCents = unitCents * quantity;
    lines.set(edit.id, {
      ...old,
      label: edit.label ?? old.label,
      quantity,
      unitCents,
      beforeTaxCents,
      taxCents: applyRate(beforeTaxCents, old.vatBp),
      updatedAt: at,
    });
  }
  const added: InvoiceLineRow[] = [];
  for (const add of changes.add ?? []) added.push(makeLine(b, at, newLineFields(b, invoice, add, sign)));
  const next = [...lines.values(), ...added].sort((x, y) => x.id - y.id);
  if (next.length === 0) throw new Error(`invoice ${invoice.id} must keep at least one line`);
  invoice.lines = next;
  const { beforeTax, tax } = lineTotals(next);
  invoice.beforeTaxCents = beforeTax;
  invoice.taxCents = tax;
  invoice.updatedAt = at;
  return rebook(b, invoice, at);
}

function newLineFields(
  b: CompanyBuilder,
  invoice: InvoiceRow,
  add: NonNullable<LineChanges['add']>[number],
  sign: number,
): LineFields {
  const quantity = add.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new Error(`add: quantity must be a positive integer`);
  if (add.product_id !== undefined) {
    if (invoice.side !== 'customer') throw new Error('add: product_id is for customer invoice lines');
    const product = b.products.get(add.product_id);
    if (!product) throw new Error(`add: no product ${add.product_id}`);
    const kind = b.kindOf.get(product.id) ?? PRODUCT_KINDS[0]!;
    return {
      label: add.label ?? (product.data.label as string),
      unit: kind.unit,
      quantity,
      unitCents: sign * parseCents(add.unit_price ?? String(product.data.price_before_tax)),
      vatRate: kind.vatRate,
      vatBp: kind.vatBp,
      productId: product.id,
      account: b.general.get(kind.account)!,
      category: b.categories[PRODUCT_KINDS.indexOf(kind) % b.categories.length] ?? null,
    };
  }
  const vatRate = add.vat_rate ?? 'FR_200';
  const vatBp = VAT_BP[vatRate];
  if (vatBp === undefined) throw new Error(`add: vat_rate must be one of ${Object.keys(VAT_BP).join(', ')}`);
  if (add.unit_price === undefined) throw new Error('add: unit_price (or product_id) is required');
  const first = invoice.lines[0];
  return {
    label: add.label ?? 'Ligne ajoutée',
    unit: invoice.side === 'customer' ? 'piece' : null,
    quantity,
    unitCents: sign * parseCents(add.unit_price),
    vatRate,
    vatBp,
    productId: null,
    account: first?.account ?? b.general.get(invoice.side === 'customer' ? '706' : '6064')!,
    category: null,
  };
}

/** The entry after the lines changed: same entry, third-party line updated, the others replaced. */
function rebook(b: CompanyBuilder, invoice: InvoiceRow, at: number): Rebooking {
  const entry = invoice.entry;
  const party = entry.lines[0]!;
  const name = (party.label.split(' - ')[0] ?? '').trim();
  const postings = invoicePostings(b, invoice.side, name, invoice.number, party.account, invoice.lines);
  const fresh = balancedEntry(at, entry.day, entry.journal, entry.label, postings, entry).lines;
  const [newParty, ...others] = fresh;
  if (!newParty || newParty.account !== party.account)
    throw new Error(`invoice ${invoice.id}: its total is zero, the entry would lose its third-party line`);
  party.debit = newParty.debit;
  party.credit = newParty.credit;
  party.updatedAt = at;
  const removed = entry.lines.slice(1);
  for (const line of removed) b.ledgerEntryLines.remove(line.id);
  for (const line of others) {
    line.entry = entry;
    line.id = b.nextId('ledger_entry_lines');
    b.ledgerEntryLines.add(line);
  }
  entry.lines = [party, ...others];
  entry.updatedAt = at;
  b.ledgerEntryLines.touch();
  return { updated: [party], removed, added: others };
}
