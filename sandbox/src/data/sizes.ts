import type { SandboxCounts, SandboxSize } from '../types.js';

/** About the seed project's real company: ~7,500 objects in all (accounts, invoices, entries, lines…). */
export const SMALL: SandboxCounts = {
  customers: 120,
  suppliers: 60,
  products: 40,
  customerInvoices: 420,
  supplierInvoices: 280,
  transactions: 700,
  bankAccounts: 2,
  fiscalYears: 3,
};

/** For benchmarks: 50,000 invoices and about 500,000 ledger entry lines. */
export const LARGE: SandboxCounts = {
  customers: 5_000,
  suppliers: 2_000,
  products: 1_000,
  customerInvoices: 30_000,
  supplierInvoices: 20_000,
  transactions: 130_000,
  bankAccounts: 3,
  fiscalYears: 3,
};

export function resolveCounts(size: SandboxSize | undefined): SandboxCounts {
  if (size === undefined || size === 'small') return SMALL;
  if (size === 'large') return LARGE;
  const unknown = Object.keys(size).filter((k) => !(k in SMALL));
  if (unknown.length > 0) {
    throw new Error(
      `sandbox size: unknown count ${unknown.join(', ')}; known: ${Object.keys(SMALL).join(', ')}`,
    );
  }
  const counts = { ...SMALL, ...size };
  for (const [key, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`sandbox size: ${key} must be a whole number ≥ 0`);
  }
  if (counts.fiscalYears < 1) throw new Error('sandbox size: fiscalYears must be at least 1');
  if (counts.bankAccounts < 1) throw new Error('sandbox size: bankAccounts must be at least 1');
  if (
    (counts.customerInvoices > 0 && counts.customers < 1) ||
    (counts.customerInvoices > 0 && counts.products < 1)
  )
    throw new Error('sandbox size: customer invoices need at least one customer and one product');
  if (counts.supplierInvoices > 0 && counts.suppliers < 1)
    throw new Error('sandbox size: supplier invoices need at least one supplier');
  return counts;
}
