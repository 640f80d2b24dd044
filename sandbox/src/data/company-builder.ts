import type { ChangelogResourceName } from '../../../pennylane/src/api.js';
import { createRandom, type Random } from '../random.js';
import type { ApiRecord, SandboxCounts } from '../types.js';
import { makeBankMovement, makePayment } from './bank-movements.js';
import { setUpCompany } from './company-frame.js';
import type { PRODUCT_KINDS, SUPPLIER_TRADES } from './french.js';
import { lettersOf } from './identifiers.js';
import { makeCustomerInvoice, makeSupplierInvoice } from './invoices.js';
import type {
  AccountRow,
  BankAccountRow,
  CategoryGroupRow,
  CategoryRow,
  ChangelogEvent,
  EntryRow,
  FiscalYearRow,
  InvoiceRow,
  JournalRow,
  LineRow,
  PlainRow,
  QuoteRow,
  TransactionRow,
} from './model.js';
import { makeCustomer, makeProduct, makeSupplier } from './parties.js';
import { makePayrollEntry } from './payroll.js';
import { IdSequence, Table } from './table.js';

const ID_RANGES = [
  'fiscal_years',
  'journals',
  'ledger_accounts',
  'customers',
  'suppliers',
  'products',
  'bank_accounts',
  'customer_invoices',
  'supplier_invoices',
  'transactions',
  'ledger_entries',
  'ledger_entry_lines',
  'categories',
  'exports',
  'company',
] as const;
export type IdRange = (typeof ID_RANGES)[number];

export type MainJournals = { sales: JournalRow; purchases: JournalRow; misc: JournalRow };

/**
 * Builds one coherent French company: everything is drawn from a seeded generator and anchored on a
 * day, so the same (seed, counts, day) always gives the same data. The same builder makes the objects
 * the control surface creates later, so they look like the generated ones. It holds the company; the
 * makers of each kind of object live beside it (company-frame, parties, invoices, bank-movements, payroll).
 */
export class CompanyBuilder {
  readonly random: Random;
  private readonly ids: Record<IdRange, IdSequence>;
  /**
   * Objects added after the original generator (invoice lines, quotes) draw from their own generator,
   * so adding them left every earlier object of a seed exactly as it was.
   */
  readonly sideRandom: Random;
  private readonly lineIds: IdSequence;
  private readonly quoteIds: IdSequence;
  readonly fiscalYears = new Table<FiscalYearRow>();
  readonly journals = new Table<JournalRow>();
  readonly ledgerAccounts = new Table<AccountRow>();
  readonly categories: CategoryRow[] = [];
  readonly categoryGroups = new Table<CategoryGroupRow>();
  readonly quotes = new Table<QuoteRow>();
  readonly customers = new Table<PlainRow>();
  readonly suppliers = new Table<PlainRow>();
  readonly products = new Table<PlainRow>();
  readonly bankAccounts = new Table<BankAccountRow>();
  readonly customerInvoices = new Table<InvoiceRow>();
  readonly supplierInvoices = new Table<InvoiceRow>();
  readonly transactions = new Table<TransactionRow>();
  readonly ledgerEntries = new Table<EntryRow>();
  readonly ledgerEntryLines = new Table<LineRow>();
  readonly events: Record<ChangelogResourceName, ChangelogEvent[]> = {
    customers: [],
    suppliers: [],
    customer_invoices: [],
    supplier_invoices: [],
    products: [],
    transactions: [],
    ledger_entry_lines: [],
    quotes: [],
  };
  readonly companyId: number;
  readonly userId: number;
  /** The general chart by account number; the makers post to it. */
  readonly general = new Map<string, AccountRow>();
  /** Set by setUp. */
  mainJournals!: MainJournals;
  /** Extra data per customer / supplier / product the API shape does not carry. */
  readonly accountOf = new Map<number, AccountRow>();
  readonly tradeOf = new Map<number, (typeof SUPPLIER_TRADES)[number]>();
  readonly kindOf = new Map<number, (typeof PRODUCT_KINDS)[number]>();
  private letteringCount = 0;
  private invoiceCount = { customer: 0, credit: 0 };
  private sequence = 0;

  constructor(
    seed: number,
    /** First day with no generated activity (the sandbox clock's start day). */
    readonly anchorDay: number,
  ) {
    this.random = createRandom(seed);
    const gap = () => this.random.int(1, 9);
    this.ids = Object.fromEntries(ID_RANGES.map((name, i) => [name, new IdSequence(i, gap)])) as Record<
      IdRange,
      IdSequence
    >;
    this.sideRandom = createRandom((seed ^ 0x5eed_1e55) >>> 0);
    const sideGap = () => this.sideRandom.int(1, 9);
    this.lineIds = new IdSequence(ID_RANGES.length, sideGap);
    this.quoteIds = new IdSequence(ID_RANGES.length + 1, sideGap);
    this.companyId = this.ids.company.next();
    this.userId = this.ids.company.next();
  }

  nextId(range: IdRange): number {
    return this.ids[range].next();
  }

  setUp(counts: SandboxCounts): this {
    this.mainJournals = setUpCompany(this, counts);
    return this;
  }

  /** A random time of a working day, in microseconds after midnight. */
  timeOfDay(): number {
    return this.random.int(8 * 3600, 19 * 3600) * 1_000_000 + this.random.int(0, 999_999);
  }

  addAccount(
    number: string,
    label: string,
    type: string,
    vatRate: string,
    at: number,
    collective?: string,
  ): AccountRow {
    const row: AccountRow = {
      id: this.nextId('ledger_accounts'),
      createdAt: at,
      updatedAt: at,
      number,
      label,
      vatRate,
      type,
      letterable: collective !== undefined,
      ...(collective ? { collective } : {}),
    };
    this.ledgerAccounts.add(row);
    return row;
  }

  makeLedgerAccount(number: string, label: string, at: number): AccountRow {
    return this.addAccount(number, label, number.startsWith('6') ? 'expense' : 'general', 'any', at);
  }

  makeCustomer(at: number, fields: ApiRecord = {}): PlainRow {
    return makeCustomer(this, at, fields);
  }

  makeSupplier(at: number, fields: ApiRecord = {}): PlainRow {
    return makeSupplier(this, at, fields);
  }

  makeProduct(at: number, fields: ApiRecord = {}): PlainRow {
    return makeProduct(this, at, fields);
  }

  makeCustomerInvoice(
    at: number,
    customer: PlainRow,
    credited: InvoiceRow | null,
    productAt: (at: number) => PlainRow,
  ): InvoiceRow {
    return makeCustomerInvoice(this, at, customer, credited, productAt);
  }

  makeSupplierInvoice(at: number, supplier: PlainRow): InvoiceRow {
    return makeSupplierInvoice(this, at, supplier);
  }

  makePayment(at: number, invoice: InvoiceRow, bank: BankAccountRow): TransactionRow {
    return makePayment(this, at, invoice, bank);
  }

  makeBankMovement(
    at: number,
    bank: BankAccountRow,
    amount: number,
    label: string,
    counterpart: string,
    category: CategoryRow | null = null,
  ): TransactionRow {
    return makeBankMovement(this, at, bank, amount, label, counterpart, category);
  }

  makePayrollEntry(at: number, day: number, gross: number, net: number, employer: number): EntryRow {
    return makePayrollEntry(this, at, day, gross, net, employer);
  }

  /** Entries get ids in creation order, after every document is built (see generateCompany in history.ts). */
  assignEntryIds(entry: EntryRow): void {
    entry.id = this.nextId('ledger_entries');
    this.ledgerEntries.add(entry);
    for (const line of entry.lines) {
      line.id = this.nextId('ledger_entry_lines');
      this.ledgerEntryLines.add(line);
    }
  }

  nextInvoiceLineId(): number {
    return this.lineIds.next();
  }

  nextQuoteId(): number {
    return this.quoteIds.next();
  }

  nextInvoiceSeq(kind: 'customer' | 'credit'): number {
    return ++this.invoiceCount[kind];
  }

  nextLetteringCode(): string {
    return lettersOf(++this.letteringCount);
  }

  nextEventSeq(): number {
    return ++this.sequence;
  }
}
