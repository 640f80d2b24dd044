import {
  CHILD_RESOURCES,
  EXPORT_RESOURCES,
  LIST_RESOURCES,
  type ListResourceName,
} from '../../../pennylane/src/api.js';
import type { StreamDefinition } from './definition.js';

const scopeOf = (resource: ListResourceName) => [LIST_RESOURCES[resource].scope];

/**
 * Every stream the tap knows, in sync order: fiscal_years first (exports and trial_balance are per fiscal
 * year), then the reference tables (journals, ledger_accounts) the others point to, then the changelog
 * streams, ledger_entries after ledger_entry_lines (its incremental refresh reads the lines' events), and
 * the per-year streams last. Adding a stream = one entry here + `tap-pennylane/schemas/<name>.json`.
 */
export const STREAMS: readonly StreamDefinition[] = [
  {
    name: 'fiscal_years',
    kind: 'full_table',
    resource: 'fiscal_years',
    key: ['id'],
    scopes: scopeOf('fiscal_years'),
    description:
      'Fiscal years with their status (open, reopen, closed, frozen); drives exports and trial balances.',
  },
  {
    name: 'journals',
    kind: 'full_table',
    resource: 'journals',
    key: ['id'],
    scopes: scopeOf('journals'),
    description: 'Accounting journals (code, label, type).',
  },
  {
    name: 'ledger_accounts',
    kind: 'full_table',
    resource: 'ledger_accounts',
    key: ['id'],
    scopes: scopeOf('ledger_accounts'),
    // Thousands of accounts (8 pages at the large size): incremental runs read only the new ones.
    newIdsBetweenFullListings: true,
    description: 'Chart of accounts; the same number can exist under several ids (one per VAT rate).',
  },
  {
    name: 'bank_accounts',
    kind: 'full_table',
    resource: 'bank_accounts',
    key: ['id'],
    scopes: scopeOf('bank_accounts'),
    description: 'Bank accounts with their balance, journal and ledger account.',
  },
  {
    name: 'category_groups',
    kind: 'full_table',
    resource: 'category_groups',
    key: ['id'],
    scopes: scopeOf('category_groups'),
    description: 'Analytical axes (category groups).',
  },
  {
    name: 'categories',
    kind: 'child_table',
    child: 'categories',
    key: ['id'],
    scopes: [CHILD_RESOURCES.categories.scope],
    description: 'Analytical categories of every group, with category_group_id and analytical_code.',
  },
  {
    name: 'customers',
    kind: 'changelog',
    resource: 'customers',
    key: ['id'],
    scopes: scopeOf('customers'),
    description: 'Customers, companies and individuals in one table (customer_type tells which).',
  },
  {
    name: 'suppliers',
    kind: 'changelog',
    resource: 'suppliers',
    key: ['id'],
    scopes: scopeOf('suppliers'),
    description: 'Suppliers.',
  },
  {
    name: 'products',
    kind: 'changelog',
    resource: 'products',
    key: ['id'],
    scopes: scopeOf('products'),
    description: 'Products and services sold.',
  },
  {
    name: 'customer_invoices',
    kind: 'changelog',
    resource: 'customer_invoices',
    key: ['id'],
    scopes: scopeOf('customer_invoices'),
    description: 'Customer invoices and credit notes (drafts included).',
  },
  {
    name: 'supplier_invoices',
    kind: 'changelog',
    resource: 'supplier_invoices',
    key: ['id'],
    scopes: scopeOf('supplier_invoices'),
    description: 'Supplier invoices.',
  },
  {
    name: 'customer_invoice_lines',
    kind: 'child_changelog',
    child: 'customer_invoice_lines',
    key: ['id'],
    scopes: [CHILD_RESOURCES.customer_invoice_lines.scope],
    description:
      'Lines of every customer invoice (product, quantity, VAT rate, amounts), with customer_invoice_id; re-read for the invoices that changed.',
  },
  {
    name: 'supplier_invoice_lines',
    kind: 'child_changelog',
    child: 'supplier_invoice_lines',
    key: ['id'],
    scopes: [CHILD_RESOURCES.supplier_invoice_lines.scope],
    description:
      'Lines of every supplier invoice (label, VAT rate, amounts), with supplier_invoice_id; re-read for the invoices that changed.',
  },
  {
    name: 'quotes',
    kind: 'changelog',
    resource: 'quotes',
    key: ['id'],
    scopes: scopeOf('quotes'),
    description: 'Customer quotes with their status (pending, accepted, denied, invoiced, expired).',
  },
  {
    name: 'transactions',
    kind: 'changelog',
    resource: 'transactions',
    key: ['id'],
    scopes: scopeOf('transactions'),
    description: 'Bank transactions, with their analytical categories inline.',
  },
  {
    name: 'ledger_entry_lines',
    kind: 'changelog',
    resource: 'ledger_entry_lines',
    key: ['id'],
    scopes: scopeOf('ledger_entry_lines'),
    description: 'Ledger entry lines (debit, credit, account, journal, lettering, categories).',
  },
  {
    name: 'ledger_entries',
    kind: 'full_table',
    resource: 'ledger_entries',
    key: ['id'],
    scopes: scopeOf('ledger_entries'),
    // No changelog of its own: incremental runs refetch the entries of the lines that changed.
    refreshFrom: { stream: 'ledger_entry_lines', idField: 'ledger_entry' },
    description: 'Ledger entries (headers); incremental runs refresh those whose lines changed.',
  },
  {
    name: 'trial_balance',
    kind: 'per_fiscal_year',
    resource: 'trial_balance',
    key: ['fiscal_year_id', 'number'],
    scopes: scopeOf('trial_balance'),
    description: 'Trial balance per fiscal year in scope: gross debits and credits per account number.',
  },
  {
    name: 'fec',
    kind: 'export',
    export: 'fecs',
    key: ['fiscal_year_id', 'line_number'],
    scopes: [EXPORT_RESOURCES.fecs.scope],
    description: 'FEC (Fichier des Écritures Comptables) export per fiscal year in scope, one row per line.',
  },
  {
    name: 'analytical_ledger',
    kind: 'export',
    export: 'analytical_general_ledgers',
    key: ['fiscal_year_id', 'row_number'],
    scopes: [EXPORT_RESOURCES.analytical_general_ledgers.scope],
    description: 'Analytical general ledger export (xlsx, in_line mode) per fiscal year in scope.',
  },
];

/** The definition of a stream by name, or undefined. */
export const streamByName = (name: string): StreamDefinition | undefined =>
  STREAMS.find((s) => s.name === name);
