import { CHANGELOG_RESOURCES, CHANGELOG_RETENTION_MS } from '../../../pennylane/src/api.js';
import { applyRate } from '../money.js';
import { MICROS_PER_DAY } from '../time.js';
import type { SandboxCounts } from '../types.js';
import { CompanyBuilder } from './company-builder.js';
import {
  type ChangelogEvent,
  type EntryRow,
  type InvoiceRow,
  MICROS_PER_HOUR,
  type PlainRow,
  type TransactionRow,
} from './model.js';
import { generateQuotes, quoteCount } from './quotes.js';
import type { Table } from './table.js';
import { yearEndEntries } from './year-end.js';

/**
 * The company's history from the first fiscal year to the day before the anchor: partners appearing
 * over time, invoices and credit notes, their payments, payroll and other bank movements, then ids for
 * the entries in creation order, then the changelog of the last 4 weeks. Deterministic for a seed.
 */
export function generateCompany(seed: number, anchorDay: number, counts: SandboxCounts): CompanyBuilder {
  const b = new CompanyBuilder(seed, anchorDay).setUp(counts);
  const r = b.random;
  const firstDay = b.fiscalYears.rows[0]!.start;
  const lastDay = anchorDay - 1;

  // Partners appear over time; a document only uses partners that existed on its day.
  const spread = (n: number, from: number): number[] =>
    Array.from({ length: n }, (_, i) =>
      i === 0 ? (from - 40) * MICROS_PER_DAY : r.int(from - 40, lastDay) * MICROS_PER_DAY + b.timeOfDay(),
    ).sort((x, y) => x - y);
  for (const at of spread(counts.customers, firstDay)) b.makeCustomer(at);
  for (const at of spread(counts.suppliers, firstDay)) b.makeSupplier(at);
  for (const at of spread(counts.products, firstDay)) b.makeProduct(at);
  const existing = (table: Table<PlainRow>, at: number): PlainRow => {
    let lo = 0;
    let hi = table.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (table.rows[mid]!.createdAt <= at) lo = mid + 1;
      else hi = mid;
    }
    return table.rows[r.int(0, Math.max(0, lo - 1))]!;
  };

  const pendingEntries: EntryRow[] = [];
  const payments: { at: number; day: number; invoice: InvoiceRow }[] = [];
  const documentTimes = (n: number) =>
    Array.from({ length: n }, () => r.int(firstDay, lastDay) * MICROS_PER_DAY + b.timeOfDay()).sort(
      (x, y) => x - y,
    );

  const lastInvoiceOf = new Map<number, InvoiceRow>();
  for (const at of documentTimes(counts.customerInvoices)) {
    const customer = existing(b.customers, at);
    const credited = lastInvoiceOf.get(customer.id);
    const creditNote = credited !== undefined && r.chance(0.04);
    const invoice = b.makeCustomerInvoice(at, customer, creditNote ? credited : null, (p) =>
      existing(b.products, p),
    );
    pendingEntries.push(invoice.entry);
    if (!creditNote) lastInvoiceOf.set(customer.id, invoice);
    const payDay = invoice.day + r.int(3, 75);
    if (!creditNote && payDay <= lastDay && r.chance(0.93)) payments.push({ at: 0, day: payDay, invoice });
  }
  for (const at of documentTimes(counts.supplierInvoices)) {
    const invoice = b.makeSupplierInvoice(at, existing(b.suppliers, at));
    pendingEntries.push(invoice.entry);
    const payDay = invoice.day + r.int(0, 45);
    if (payDay <= lastDay && r.chance(0.95)) payments.push({ at: 0, day: payDay, invoice });
  }

  // Bank movements: invoice payments (at most 70% of the requested count, spread evenly over time
  // when there are more invoices than that), then payroll, social charges, bank fees and other income.
  payments.sort((x, y) => x.day - y.day);
  for (const p of payments) p.at = p.day * MICROS_PER_DAY + b.timeOfDay();
  type Movement = { at: number; make: () => TransactionRow };
  const movements: Movement[] = [];
  const paid = Math.min(payments.length, Math.floor(counts.transactions * 0.7));
  const kept = Array.from({ length: paid }, (_, k) => payments[Math.floor((k * payments.length) / paid)]!);
  for (const p of kept) {
    movements.push({ at: p.at, make: () => b.makePayment(p.at, p.invoice, b.bankAccounts.rows[0]!) });
  }
  const payroll: { at: number; make: () => EntryRow }[] = [];
  let budget = counts.transactions - movements.length;
  // Payroll stops where only a tenth of the count is left, so fees, card expenses and income exist too.
  const reserve = Math.floor(counts.transactions * 0.1);
  for (let day = firstDay; budget > reserve && day <= lastDay; ) {
    const month = new Date(day * 86_400_000);
    const endOfMonth = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0) / 86_400_000;
    if (endOfMonth > lastDay) break;
    const gross = r.int(12_000, 30_000) * 100;
    const net = applyRate(gross, 7_800);
    const employer = applyRate(gross, 4_200);
    const at = endOfMonth * MICROS_PER_DAY + 17 * MICROS_PER_HOUR;
    payroll.push({ at, make: () => b.makePayrollEntry(at, endOfMonth, gross, net, employer) });
    const bank = b.bankAccounts.rows[0]!;
    const salaryAt = at + 2 * MICROS_PER_DAY - 8 * MICROS_PER_HOUR;
    if (endOfMonth + 2 <= lastDay && budget > reserve) {
      budget--;
      movements.push({
        at: salaryAt,
        make: () => b.makeBankMovement(salaryAt, bank, -net, 'VIR SALAIRES', '421'),
      });
    }
    const chargesAt = at + 15 * MICROS_PER_DAY - 8 * MICROS_PER_HOUR;
    if (endOfMonth + 15 <= lastDay && budget > reserve) {
      budget--;
      const charges = gross - net + employer;
      movements.push({
        at: chargesAt,
        make: () => b.makeBankMovement(chargesAt, bank, -charges, 'PRLV URSSAF', '431'),
      });
    }
    day = endOfMonth + 1;
  }
  while (budget-- > 0) {
    const at = r.int(firstDay, lastDay) * MICROS_PER_DAY + b.timeOfDay();
    const bank = r.pick(b.bankAccounts.rows);
    const kind = r.int(0, 9);
    const move =
      kind < 6
        ? () => b.makeBankMovement(at, bank, -r.int(150, 4_500), 'FRAIS BANCAIRES', '627')
        : kind < 8
          ? () =>
              b.makeBankMovement(
                at,
                bank,
                -r.int(1_500, 90_000),
                'CB DEPLACEMENT',
                '6251',
                r.pick(b.categories),
              )
          : () => b.makeBankMovement(at, bank, r.int(1_000, 50_000), 'REMBOURSEMENT DIVERS', '758');
    movements.push({ at, make: move });
  }
  movements.sort((x, y) => x.at - y.at);
  for (const m of movements) pendingEntries.push(m.make().entry);
  for (const p of payroll) pendingEntries.push(p.make());
  pendingEntries.push(...yearEndEntries(b, pendingEntries, lastDay));

  pendingEntries.sort((x, y) => x.createdAt - y.createdAt);
  for (const entry of pendingEntries) b.assignEntryIds(entry);
  generateQuotes(b, quoteCount(counts.customerInvoices));
  recordGeneratedEvents(b, b.anchorDay * MICROS_PER_DAY - CHANGELOG_RETENTION_MS * 1000);
  return b;
}

/** The changelog keeps 4 weeks: generated objects created or edited since then have their events. */
function recordGeneratedEvents(b: CompanyBuilder, since: number): void {
  const tables = {
    customers: b.customers,
    suppliers: b.suppliers,
    customer_invoices: b.customerInvoices,
    supplier_invoices: b.supplierInvoices,
    products: b.products,
    transactions: b.transactions,
    ledger_entry_lines: b.ledgerEntryLines,
    quotes: b.quotes,
  } as const;
  for (const name of CHANGELOG_RESOURCES) {
    // Quotes came later and draw from the side generator: the other events of a seed stay as they were.
    const random = name === 'quotes' ? b.sideRandom : b.random;
    const pending: Omit<ChangelogEvent, 'seq'>[] = [];
    for (const row of tables[name].rows) {
      if (row.createdAt >= since) {
        const lag = random.int(200_000, 4_000_000);
        pending.push({
          id: row.id,
          operation: 'insert',
          processedAt: row.createdAt + lag,
          createdAt: row.createdAt,
          updatedAt: row.createdAt,
        });
      }
      if (row.updatedAt > row.createdAt && row.updatedAt >= since) {
        const lag = random.int(200_000, 4_000_000);
        pending.push({
          id: row.id,
          operation: 'update',
          processedAt: row.updatedAt + lag,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
        });
      }
    }
    pending.sort((x, y) => x.processedAt - y.processedAt || x.id - y.id);
    b.events[name] = pending.map((e) => ({ ...e, seq: b.nextEventSeq() }));
  }
}
