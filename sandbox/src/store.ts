import {
  CHANGELOG_RESOURCES,
  type ChangelogResourceName,
  type ListResourceName,
} from '../../pennylane/src/api.js';
import { Clock } from './clock.js';
import type { CompanyBuilder } from './data/company-builder.js';
import { generateCompany } from './data/history.js';
import { changeLines } from './data/invoice-line-edits.js';
import type {
  ChangelogEvent,
  EntryRow,
  InvoiceRow,
  LineRow,
  PlainRow,
  Row,
  TransactionRow,
} from './data/model.js';
import { makeQuote } from './data/quotes.js';
import { ApiError } from './http/errors.js';
import { parseCents } from './money.js';
import { buildResources, type RecordResource, type ResourceDef } from './query/resources.js';
import { dayOfMs } from './time.js';
import type { ApiRecord, CreatableResource, LineChanges, SandboxCounts } from './types.js';

type ChangelogTable = ChangelogResourceName;
const isChangelogTable = (name: string): name is ChangelogTable =>
  (CHANGELOG_RESOURCES as readonly string[]).includes(name);
/** Fields the API owns: never overridden by control updates. */
const OWNED = new Set(['id', 'created_at', 'updated_at']);

/**
 * The sandbox's data: the generated company, the clock, the changelogs, and the mutations the control
 * surface performs. Each mutation happens at the sandbox clock and produces its changelog events.
 */
export class Store {
  readonly clock: Clock;
  readonly builder: CompanyBuilder;
  readonly resources: Record<RecordResource, ResourceDef>;

  constructor(opts: { seed: number; counts: SandboxCounts; startTime: Date; apiBase: string }) {
    this.clock = new Clock(opts.startTime);
    this.builder = generateCompany(opts.seed, dayOfMs(opts.startTime.getTime()), opts.counts);
    this.resources = buildResources(this.builder, { apiBase: opts.apiBase }, () =>
      dayOfMs(this.clock.nowMs()),
    );
  }

  resource(name: string): ResourceDef | undefined {
    return name in this.resources ? this.resources[name as RecordResource] : undefined;
  }

  changelog(name: ChangelogTable): ChangelogEvent[] {
    return this.builder.events[name];
  }

  private event(name: string, row: Row, operation: ChangelogEvent['operation']): void {
    if (!isChangelogTable(name)) return;
    const processedAt = this.clock.nowMicros();
    this.builder.events[name].push({
      id: row.id,
      operation,
      processedAt,
      createdAt: row.createdAt,
      updatedAt: operation === 'delete' ? processedAt : row.updatedAt,
      seq: this.builder.nextEventSeq(),
    });
  }

  private addEntry(entry: EntryRow): void {
    this.builder.assignEntryIds(entry);
    for (const line of entry.lines) this.event('ledger_entry_lines', line, 'insert');
  }

  create(resource: CreatableResource, fields: ApiRecord = {}): ApiRecord {
    const b = this.builder;
    const at = this.clock.nowMicros();
    const own = Object.fromEntries(Object.entries(fields).filter(([k]) => !OWNED.has(k)));
    let row: Row;
    switch (resource) {
      case 'customers':
        row = b.makeCustomer(at, own);
        break;
      case 'suppliers':
        row = b.makeSupplier(at, own);
        break;
      case 'products':
        row = b.makeProduct(at, own);
        break;
      case 'customer_invoices': {
        const customer = this.partyFor(b.customers, own.customer, 'customer');
        if (b.products.rows.length === 0)
          throw new Error('create customer_invoices: the sandbox has no product');
        const invoice = b.makeCustomerInvoice(at, customer, null, () => b.random.pick(b.products.rows));
        this.addEntry(invoice.entry);
        row = invoice;
        break;
      }
      case 'supplier_invoices': {
        const invoice = b.makeSupplierInvoice(at, this.partyFor(b.suppliers, own.supplier, 'supplier'));
        this.addEntry(invoice.entry);
        row = invoice;
        break;
      }
      case 'transactions': {
        const bankId = (own.bank_account as { id?: number } | undefined)?.id;
        const bank = bankId === undefined ? b.bankAccounts.rows[0] : b.bankAccounts.get(bankId);
        if (!bank) throw new Error(`create transactions: no bank account ${bankId}`);
        const amount = typeof own.amount === 'string' ? parseCents(own.amount) : -b.random.int(500, 20_000);
        const txn = b.makeBankMovement(
          at,
          bank,
          amount,
          (own.label as string) ?? 'CB ACHAT DIVERS',
          amount < 0 ? '6064' : '758',
        );
        this.addEntry(txn.entry);
        row = txn;
        break;
      }
      case 'quotes': {
        const customer = this.partyFor(b.customers, own.customer, 'customer');
        const amount = typeof own.amount_before_tax === 'string' ? own.amount_before_tax : undefined;
        delete own.amount_before_tax;
        row = makeQuote(b, at, customer.id, amount);
        break;
      }
      case 'ledger_accounts': {
        const number = typeof own.number === 'string' ? own.number : `6${b.random.int(100, 999)}`;
        row = b.makeLedgerAccount(number, (own.label as string) ?? `Compte ${number}`, at);
        break;
      }
      default:
        throw new Error(`create: unsupported resource ${JSON.stringify(resource)}`);
    }
    row.updatedAt = row.createdAt;
    const remaining = Object.fromEntries(
      Object.entries(own).filter(
        ([k]) => !('data' in row) && !['customer', 'supplier', 'bank_account'].includes(k),
      ),
    );
    if (Object.keys(remaining).length > 0) row.patch = remaining;
    this.event(resource, row, 'insert');
    return this.render(resource, row);
  }

  private partyFor(table: CompanyBuilder['customers'], ref: unknown, what: string): PlainRow {
    const id = (ref as { id?: number } | undefined)?.id;
    const row = id === undefined ? this.builder.random.pick(table.rows) : table.get(id);
    if (!row) throw new Error(`create: no ${what}${id === undefined ? ' in the sandbox' : ` with id ${id}`}`);
    return row;
  }

  update(resource: ListResourceName, id: number, fields: ApiRecord = {}): ApiRecord {
    const def = this.requireResource(resource);
    const row = def.table.get(id);
    if (!row) throw new ApiError(404, `${resource} ${id} not found`);
    const own = Object.fromEntries(Object.entries(fields).filter(([k]) => !OWNED.has(k)));
    row.patch = { ...row.patch, ...own };
    row.updatedAt = this.clock.nowMicros();
    def.table.touch();
    this.event(resource, row, 'update');
    if (resource === 'ledger_entries') {
      // Entries have no changelog: an edit shows through their lines' feed (the replacement Pennylane
      // points to for the removed updated_at filter), so each line is touched too.
      for (const line of (row as EntryRow).lines) {
        line.updatedAt = row.updatedAt;
        this.event('ledger_entry_lines', line, 'update');
      }
    }
    return def.render(row);
  }

  remove(resource: ListResourceName, id: number): void {
    const def = this.requireResource(resource);
    const row = def.table.remove(id);
    if (!row) throw new ApiError(404, `${resource} ${id} not found`);
    this.event(resource, row, 'delete');
    // Invoices and bank transactions own their ledger entry; an entry owns its lines.
    const entry =
      resource === 'ledger_entries'
        ? (row as EntryRow)
        : resource === 'customer_invoices' || resource === 'supplier_invoices'
          ? (row as InvoiceRow).entry
          : resource === 'transactions'
            ? (row as TransactionRow).entry
            : undefined;
    if (entry && resource !== 'ledger_entries') this.builder.ledgerEntries.remove(entry.id);
    for (const line of entry?.lines ?? []) this.removeLine(line);
    if (resource === 'ledger_entry_lines') this.unletter(row as LineRow);
  }

  /** See SandboxControl.changeInvoiceLines. */
  changeInvoiceLines(
    resource: 'customer_invoices' | 'supplier_invoices',
    invoiceId: number,
    changes: LineChanges,
  ): InvoiceRow {
    const table =
      resource === 'customer_invoices' ? this.builder.customerInvoices : this.builder.supplierInvoices;
    const invoice = table.get(invoiceId);
    if (!invoice) throw new ApiError(404, `${resource} ${invoiceId} not found`);
    const rebooked = changeLines(this.builder, invoice, changes, this.clock.nowMicros());
    table.touch();
    this.event(resource, invoice, 'update');
    for (const line of rebooked.removed) {
      this.event('ledger_entry_lines', line, 'delete');
      this.unletter(line);
    }
    for (const line of [...rebooked.updated, ...rebooked.added])
      this.event('ledger_entry_lines', line, line.createdAt === line.updatedAt ? 'insert' : 'update');
    return invoice;
  }

  /** A category's new label shows wherever it is rendered (inline on lines and transactions too). */
  renameCategory(id: number, label: string): void {
    const category = this.builder.categories.find((c) => c.id === id);
    if (!category) throw new ApiError(404, `categories ${id} not found`);
    if (typeof label !== 'string' || label.trim() === '')
      throw new Error('renameCategory: label must be a non-empty string');
    category.label = label;
    category.updatedAt = this.clock.nowMicros();
  }

  private removeLine(line: LineRow): void {
    if (!this.builder.ledgerEntryLines.remove(line.id)) return;
    this.event('ledger_entry_lines', line, 'delete');
    this.unletter(line);
  }

  /** Lines lettered with a deleted line lose their lettering (an update of each). */
  private unletter(line: LineRow): void {
    if (!line.letter) return;
    for (const other of line.letter.lines) {
      if (other === line || !this.builder.ledgerEntryLines.get(other.id)) continue;
      other.letter = null;
      other.updatedAt = this.clock.nowMicros();
      this.event('ledger_entry_lines', other, 'update');
    }
    this.builder.ledgerEntryLines.touch();
  }

  private requireResource(resource: string): ResourceDef {
    const def = this.resource(resource);
    if (!def) throw new Error(`unknown resource ${JSON.stringify(resource)}`);
    return def;
  }

  render(resource: string, row: Row): ApiRecord {
    return this.requireResource(resource).render(row);
  }
}
