import type { ChangelogResourceName } from '../../../pennylane/src/api.js';
import { applyRate, formatCents, parseCents } from '../money.js';
import { createRandom, type Random } from '../random.js';
import { formatTimestamp, MICROS_PER_DAY, yearStart } from '../time.js';
import type { ApiRecord, SandboxCounts } from '../types.js';
import {
  BANKS,
  CATEGORIES,
  CITIES,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  FIRST_NAMES,
  GENERAL_ACCOUNTS,
  LAST_NAMES,
  PRODUCT_KINDS,
  STREETS,
  SUPPLIER_TRADES,
} from './french.js';
import { frenchIban, lettersOf, luhnCheckDigit, vatNumber } from './identifiers.js';
import type {
  AccountRow,
  BankAccountRow,
  CategoryRow,
  ChangelogEvent,
  EntryRow,
  FiscalYearRow,
  InvoiceRow,
  JournalRow,
  LineRow,
  PlainRow,
  TransactionRow,
} from './model.js';
import { IdSequence, Table } from './table.js';

export const CHANGELOG_TABLES = [
  'customers',
  'suppliers',
  'customer_invoices',
  'supplier_invoices',
  'products',
  'transactions',
  'ledger_entry_lines',
] as const satisfies readonly ChangelogResourceName[];

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

const HOUR = 3_600_000_000;
/**
 * Entries and lines get their ids once every document exists (ids follow creation time). The
 * placeholder is a non-integer number so V8 stores the field as a double from the start: changing an
 * integer field to a large id later would migrate every object's layout, which costs seconds.
 */
const UNASSIGNED = Number.NaN;

/** A line to post: account, signed amount (debit > 0, credit < 0), label, optional category. */
type Posting = { account: AccountRow; cents: number; label: string; category?: CategoryRow | null };

/**
 * Builds one coherent French company: everything is drawn from a seeded generator and anchored on a
 * day, so the same (seed, counts, day) always gives the same data. The same builder makes the objects
 * the control surface creates later, so they look like the generated ones.
 */
export class CompanyBuilder {
  readonly random: Random;
  private readonly ids: Record<IdRange, IdSequence>;
  readonly fiscalYears = new Table<FiscalYearRow>();
  readonly journals = new Table<JournalRow>();
  readonly ledgerAccounts = new Table<AccountRow>();
  readonly categories: CategoryRow[] = [];
  readonly customers = new Table<PlainRow>();
  readonly suppliers = new Table<PlainRow>();
  readonly products = new Table<PlainRow>();
  readonly bankAccounts = new Table<BankAccountRow>();
  readonly customerInvoices = new Table<InvoiceRow>();
  readonly supplierInvoices = new Table<InvoiceRow>();
  readonly transactions = new Table<TransactionRow>();
  readonly ledgerEntries = new Table<EntryRow>();
  readonly ledgerEntryLines = new Table<LineRow>();
  readonly events: Record<(typeof CHANGELOG_TABLES)[number], ChangelogEvent[]> = {
    customers: [],
    suppliers: [],
    customer_invoices: [],
    supplier_invoices: [],
    products: [],
    transactions: [],
    ledger_entry_lines: [],
  };
  readonly companyId: number;
  readonly userId: number;
  private readonly general = new Map<string, AccountRow>();
  private sales!: JournalRow;
  private purchases!: JournalRow;
  private misc!: JournalRow;
  private letteringCount = 0;
  private invoiceCount = { customer: 0, credit: 0 };
  private sequence = 0;
  /** Extra data per customer / supplier / product the API shape does not carry. */
  private readonly accountOf = new Map<number, AccountRow>();
  private readonly tradeOf = new Map<number, (typeof SUPPLIER_TRADES)[number]>();
  private readonly kindOf = new Map<number, (typeof PRODUCT_KINDS)[number]>();

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
    this.companyId = this.ids.company.next();
    this.userId = this.ids.company.next();
  }

  nextId(range: IdRange): number {
    return this.ids[range].next();
  }

  /** The company's frame: fiscal years, journals, the general chart, analytical categories, bank accounts. */
  setUp(counts: SandboxCounts): this {
    const r = this.random;
    const anchorYear = new Date(this.anchorDay * 86_400_000).getUTCFullYear();
    const firstYear = anchorYear - counts.fiscalYears + 1;
    const firstDay = yearStart(firstYear);
    const setupAt = (firstDay - 45) * MICROS_PER_DAY + 10 * HOUR;

    for (let year = firstYear; year <= anchorYear; year++) {
      const start = yearStart(year);
      const finish = yearStart(year + 1) - 1;
      const open = year === anchorYear;
      const createdAt = year === firstYear ? setupAt : (start - 20) * MICROS_PER_DAY + this.timeOfDay();
      const closedAt = (finish + 110) * MICROS_PER_DAY + this.timeOfDay();
      const updatedAt = !open && finish + 110 < this.anchorDay ? closedAt : createdAt;
      this.fiscalYears.add({
        id: this.nextId('fiscal_years'),
        createdAt,
        updatedAt,
        start,
        finish,
        status: open || finish + 110 >= this.anchorDay ? 'open' : 'closed',
      });
    }
    // A year still being closed is realistic, but the data promise is at least one closed year: the
    // oldest one is always closed once there are two.
    const oldest = this.fiscalYears.rows[0]!;
    if (this.fiscalYears.rows.length > 1 && oldest.status === 'open') oldest.status = 'closed';

    const journal = (code: string, label: string, type: string): JournalRow => {
      const row = { id: this.nextId('journals'), createdAt: setupAt, updatedAt: setupAt, code, label, type };
      this.journals.add(row);
      return row;
    };
    this.sales = journal('VT', 'Ventes', 'sales');
    this.purchases = journal('HA', 'Achats', 'purchases');
    this.misc = journal('OD', 'Opérations diverses', 'misc');
    for (const [number, label, type, vatRate] of GENERAL_ACCOUNTS) {
      this.general.set(number, this.addAccount(number, label, type, vatRate, setupAt));
    }
    const groupId = this.nextId('categories');
    for (const [label, code] of CATEGORIES) {
      this.categories.push({
        id: this.nextId('categories'),
        createdAt: setupAt,
        updatedAt: setupAt,
        label,
        code,
        groupId,
      });
    }
    for (let i = 0; i < counts.bankAccounts; i++) {
      const bank = BANKS[i % BANKS.length]!;
      const code = i === 0 ? 'BQ' : `BQ${i + 1}`;
      const bankJournal = journal(code, `Banque - ${bank.name}`, 'bank');
      const account = this.addAccount(`512${i + 1}`, bank.name, 'bank', 'any', setupAt);
      const openingCents = r.int(5_000, 40_000) * 100;
      this.bankAccounts.add({
        id: this.nextId('bank_accounts'),
        createdAt: setupAt,
        updatedAt: setupAt,
        name: bank.name,
        establishment: bank.establishment,
        journal: bankJournal,
        account,
        openingCents,
        balanceCents: openingCents,
      });
    }

    return this;
  }

  /** A random time of a working day, in microseconds after midnight. */
  timeOfDay(): number {
    return this.random.int(8 * 3600, 19 * 3600) * 1_000_000 + this.random.int(0, 999_999);
  }

  private addAccount(
    number: string,
    label: string,
    type: string,
    vatRate: string,
    at: number,
    collective?: string,
  ) {
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

  private address(): ApiRecord {
    const [city, postalCode] = this.random.pick(CITIES);
    return {
      address: `${this.random.int(1, 180)} ${this.random.pick(STREETS)}`,
      postal_code: postalCode,
      city,
      country_alpha2: 'FR',
    };
  }

  private siren(): string {
    const digits = String(this.random.int(10_000_000, 99_999_999));
    return digits + luhnCheckDigit(digits);
  }

  private externalReference(): string {
    const hex = () => this.random.int(0, 0xffff).toString(16).padStart(4, '0');
    return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
  }

  private partyName(): { name: string; first: string; last: string } {
    const first = this.random.pick(FIRST_NAMES);
    const last = this.random.pick(LAST_NAMES);
    return { name: `${first} ${last}`, first, last };
  }

  private auxiliary(collective: '411' | '401', table: Table<PlainRow>, name: string, at: number): AccountRow {
    const number = `${collective}${String(table.rows.length + 1).padStart(table.rows.length >= 9_999 ? 5 : 4, '0')}`;
    return this.addAccount(
      number,
      name,
      collective === '411' ? 'customer' : 'supplier',
      'any',
      at,
      collective,
    );
  }

  makeCustomer(at: number, fields: ApiRecord = {}): PlainRow {
    const r = this.random;
    const id = this.nextId('customers');
    const company = r.chance(0.7);
    const person = this.partyName();
    const name = company
      ? `${r.pick(COMPANY_WORDS)} ${r.pick(LAST_NAMES)} ${r.pick(COMPANY_SUFFIXES)}`
      : person.name;
    const account = this.auxiliary('411', this.customers, name, at);
    const address = this.address();
    const slug = person.last
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
    const common: ApiRecord = {
      name,
      billing_iban: r.chance(0.3) ? this.iban() : null,
      payment_conditions: r.pick(['upon_receipt', '30_days', '30_days', '45_days_end_of_month', '60_days']),
      recipient: person.name,
      phone: `+33 ${r.int(1, 9)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`,
      reference: r.chance(0.5) ? `CLI-${String(this.customers.rows.length + 1).padStart(5, '0')}` : null,
      notes: r.chance(0.1) ? 'Relancer par téléphone avant échéance.' : null,
      ledger_account: { id: account.id },
      emails: [`${slug}${r.int(1, 99)}@exemple.fr`],
      billing_address: address,
      delivery_address: r.chance(0.8) ? { ...address } : this.address(),
      customer_type: company ? 'company' : 'individual',
      external_reference: this.externalReference(),
      billing_language: r.chance(0.9) ? 'fr_FR' : 'en_GB',
    };
    const siren = this.siren();
    const data: ApiRecord = company
      ? { ...common, vat_number: vatNumber(siren), reg_no: siren }
      : { ...common, first_name: person.first, last_name: person.last };
    const row: PlainRow = {
      id,
      createdAt: at,
      updatedAt: this.maybeUpdated(at),
      data: { ...data, ...fields },
    };
    this.accountOf.set(id, account);
    this.customers.add(row);
    return row;
  }

  makeSupplier(at: number, fields: ApiRecord = {}): PlainRow {
    const r = this.random;
    const id = this.nextId('suppliers');
    const trade = r.pick(SUPPLIER_TRADES);
    const name = `${trade.name} ${r.pick(LAST_NAMES)} ${r.pick(COMPANY_SUFFIXES)}`;
    const account = this.auxiliary('401', this.suppliers, name, at);
    const siren = this.siren();
    const data: ApiRecord = {
      name,
      establishment_no: r.chance(0.8)
        ? `${siren}${String(r.int(1, 99)).padStart(4, '0')}${r.int(0, 9)}`
        : null,
      reg_no: r.chance(0.9) ? siren : null,
      vat_number: vatNumber(siren),
      ledger_account: { id: account.id },
      emails: r.chance(0.8)
        ? [
            `factures@${trade.name
              .toLowerCase()
              .normalize('NFD')
              .replace(/[^a-z]/g, '')}.fr`,
          ]
        : [],
      iban: this.iban(),
      postal_address: this.address(),
      supplier_payment_method: r.pick(['manual_transfer', 'automatic_debiting', 'card', null]),
      supplier_due_date_delay: r.chance(0.7) ? r.pick([0, 30, 45, 60]) : null,
      supplier_due_date_rule: r.chance(0.7) ? r.pick(['days', 'days_or_end_of_month']) : null,
      external_reference: this.externalReference(),
      ...fields,
    };
    const row: PlainRow = { id, createdAt: at, updatedAt: this.maybeUpdated(at), data };
    this.accountOf.set(id, account);
    this.tradeOf.set(id, trade);
    this.suppliers.add(row);
    return row;
  }

  makeProduct(at: number, fields: ApiRecord = {}): PlainRow {
    const r = this.random;
    const id = this.nextId('products');
    const kind = r.pick(PRODUCT_KINDS);
    const beforeTax = r.int(kind.min, kind.max) * 100 + r.pick([0, 0, 50, 90]);
    const n = this.products.rows.length + 1;
    const data: ApiRecord = {
      label: `${kind.label} ${n}`,
      description: `${kind.label} — référence ${n}`,
      external_reference: this.externalReference(),
      price_before_tax: formatCents(beforeTax),
      vat_rate: kind.vatRate,
      price: formatCents(beforeTax + applyRate(beforeTax, kind.vatBp)),
      unit: kind.unit,
      currency: 'EUR',
      reference: r.chance(0.8) ? `PRD-${String(n).padStart(4, '0')}` : null,
      ledger_account: { id: this.general.get(kind.account)!.id },
      archived_at: null,
      ...fields,
    };
    const row: PlainRow = { id, createdAt: at, updatedAt: this.maybeUpdated(at), data };
    // Some edited products were archived by that edit; archived products stay listed.
    if (row.updatedAt > at && !('archived_at' in fields) && r.chance(0.25))
      data.archived_at = formatTimestamp(row.updatedAt);
    this.kindOf.set(id, kind);
    this.products.add(row);
    return row;
  }

  /** Some objects get edited later; the edit time stays before the anchor day. */
  private maybeUpdated(at: number): number {
    if (!this.random.chance(0.2)) return at;
    const end = this.anchorDay * MICROS_PER_DAY - HOUR;
    return end <= at ? at : at + Math.floor(this.random.next() * (end - at));
  }

  private iban(): string {
    const r = this.random;
    return frenchIban(
      `${r.int(10_000, 39_999)}${String(r.int(0, 99_999)).padStart(5, '0')}${String(r.int(0, 99_999_999)).padStart(11, '0')}${String(r.int(10, 97))}`,
    );
  }

  makeCustomerInvoice(
    at: number,
    customer: PlainRow,
    credited: InvoiceRow | null,
    productAt: (at: number) => PlainRow,
  ): InvoiceRow {
    const r = this.random;
    const day = Math.floor(at / MICROS_PER_DAY);
    const sign = credited ? -1 : 1;
    const year = new Date(at / 1000).getUTCFullYear();
    const number = credited
      ? `AV-${year}-${String(++this.invoiceCount.credit).padStart(4, '0')}`
      : `F-${year}-${String(++this.invoiceCount.customer).padStart(5, '0')}`;
    const name = customer.data.name as string;
    const postings: Posting[] = [];
    let beforeTax = 0;
    let tax = 0;
    const lineCount = r.int(1, 5);
    for (let i = 0; i < lineCount; i++) {
      const product = productAt(at);
      const kind = this.kindOf.get(product.id) ?? PRODUCT_KINDS[0]!;
      const quantity = r.int(1, 8);
      const ht = sign * parseCents(String(product.data.price_before_tax)) * quantity;
      beforeTax += ht;
      tax += applyRate(ht, kind.vatBp);
      postings.push({
        account: this.general.get(kind.account)!,
        cents: -ht,
        label: `${name} - ${product.data.label as string}`,
        category: this.categories[PRODUCT_KINDS.indexOf(kind) % this.categories.length] ?? null,
      });
    }
    if (tax !== 0)
      postings.push({ account: this.general.get('44571')!, cents: -tax, label: `${name} - TVA` });
    const account = this.accountOf.get(customer.id) ?? this.general.get('411')!;
    postings.unshift({ account, cents: beforeTax + tax, label: `${name} - ${number}` });
    const deadline = day + r.pick([0, 30, 30, 45, 60]);
    const entry = this.makeEntry(at, day, this.sales, `Facture ${number} - ${name}`, postings, {
      piece: number,
      invoiceNumber: number,
      dueDay: deadline,
      filename: `${number}.pdf`,
    });
    const invoice: InvoiceRow = {
      id: this.nextId('customer_invoices'),
      createdAt: at,
      updatedAt: at,
      side: 'customer',
      number,
      label: `${credited ? 'Avoir' : 'Facture'} ${name} - ${number}`,
      day,
      deadline,
      partyId: customer.id,
      beforeTaxCents: beforeTax,
      taxCents: tax,
      creditNote: credited !== null,
      creditedId: credited?.id ?? null,
      paidDay: null,
      entry,
      externalReference: this.externalReference(),
    };
    this.customerInvoices.add(invoice);
    return invoice;
  }

  makeSupplierInvoice(at: number, supplier: PlainRow): InvoiceRow {
    const r = this.random;
    const day = Math.floor(at / MICROS_PER_DAY);
    const trade = this.tradeOf.get(supplier.id) ?? SUPPLIER_TRADES[0]!;
    const name = supplier.data.name as string;
    const number = `${(supplier.data.name as string).slice(0, 3).toUpperCase()}-${r.int(10_000, 999_999)}`;
    const postings: Posting[] = [];
    let beforeTax = 0;
    let tax = 0;
    for (let i = r.int(1, 3); i > 0; i--) {
      const ht = r.int(2_000, 300_000);
      beforeTax += ht;
      tax += applyRate(ht, trade.vatBp);
      postings.push({
        account: this.general.get(trade.account)!,
        cents: ht,
        label: `${name} - ${trade.name}`,
        category: r.chance(0.3) ? r.pick(this.categories) : null,
      });
    }
    if (tax !== 0)
      postings.push({ account: this.general.get('44566')!, cents: tax, label: `${name} - TVA déductible` });
    const account = this.accountOf.get(supplier.id) ?? this.general.get('401')!;
    postings.unshift({ account, cents: -(beforeTax + tax), label: `${name} - ${number}` });
    const deadline = day + r.pick([0, 30, 45]);
    const entry = this.makeEntry(at, day, this.purchases, `Facture ${name} - ${number}`, postings, {
      piece: number,
      invoiceNumber: number,
      dueDay: deadline,
      filename: `facture-${number.toLowerCase()}.pdf`,
    });
    const invoice: InvoiceRow = {
      id: this.nextId('supplier_invoices'),
      createdAt: at,
      updatedAt: at,
      side: 'supplier',
      number,
      label: `Facture ${name} - ${number}`,
      day,
      deadline,
      partyId: supplier.id,
      beforeTaxCents: beforeTax,
      taxCents: tax,
      creditNote: false,
      creditedId: null,
      paidDay: null,
      entry,
      externalReference: this.externalReference(),
    };
    this.supplierInvoices.add(invoice);
    return invoice;
  }

  /** A bank transaction paying an invoice, its bank entry, and the lettering of the third-party lines. */
  makePayment(at: number, invoice: InvoiceRow, bank: BankAccountRow): TransactionRow {
    const total = invoice.beforeTaxCents + invoice.taxCents;
    const customer = invoice.side === 'customer';
    const thirdParty = invoice.entry.lines[0]!;
    const party = (customer ? this.customers : this.suppliers).get(invoice.partyId);
    const name = (party?.data.name as string | undefined) ?? invoice.label;
    const label = customer
      ? `VIR SEPA ${name.toUpperCase()} ${invoice.number}`
      : `VIR ${name.toUpperCase()} ${invoice.number}`;
    const amount = customer ? total : -total;
    const txn = this.makeTransaction(
      at,
      bank,
      amount,
      label,
      [{ account: thirdParty.account, cents: -amount, label }],
      {
        customerId: customer ? invoice.partyId : null,
        supplierId: customer ? null : invoice.partyId,
        matched: true,
      },
    );
    const day = Math.floor(at / MICROS_PER_DAY);
    const paymentLine = txn.entry.lines.find((l) => l.account === thirdParty.account)!;
    const letter = { code: lettersOf(++this.letteringCount), day, lines: [thirdParty, paymentLine] };
    thirdParty.letter = letter;
    paymentLine.letter = letter;
    const matchedAt = at + this.random.int(60, 3_600) * 1_000_000;
    thirdParty.updatedAt = matchedAt;
    paymentLine.updatedAt = matchedAt;
    invoice.paidDay = day;
    invoice.updatedAt = matchedAt;
    txn.updatedAt = matchedAt;
    return txn;
  }

  makeBankMovement(
    at: number,
    bank: BankAccountRow,
    amount: number,
    label: string,
    counterpart: string,
    category: CategoryRow | null = null,
  ): TransactionRow {
    const account = this.general.get(counterpart) ?? this.general.get('580')!;
    return this.makeTransaction(at, bank, amount, label, [{ account, cents: -amount, label, category }], {
      customerId: null,
      supplierId: null,
      matched: this.random.chance(0.9),
      category,
    });
  }

  private makeTransaction(
    at: number,
    bank: BankAccountRow,
    amount: number,
    label: string,
    counterparts: Posting[],
    extra: {
      customerId: number | null;
      supplierId: number | null;
      matched: boolean;
      category?: CategoryRow | null;
    },
  ): TransactionRow {
    const day = Math.floor(at / MICROS_PER_DAY);
    const entry = this.makeEntry(
      at,
      day,
      bank.journal,
      label,
      [{ account: bank.account, cents: amount, label }, ...counterparts],
      {
        piece: null,
        invoiceNumber: null,
        dueDay: null,
        filename: null,
      },
    );
    bank.balanceCents += amount;
    const txn: TransactionRow = {
      id: this.nextId('transactions'),
      createdAt: at,
      updatedAt: at,
      day,
      bank,
      amountCents: amount,
      label,
      customerId: extra.customerId,
      supplierId: extra.supplierId,
      matched: extra.matched,
      category: extra.category ?? null,
      entry,
    };
    this.transactions.add(txn);
    return txn;
  }

  makePayrollEntry(at: number, day: number, gross: number, net: number, employer: number): EntryRow {
    const label = `Salaires ${new Date(day * 86_400_000).toISOString().slice(0, 7)}`;
    return this.makeEntry(
      at,
      day,
      this.misc,
      label,
      [
        { account: this.general.get('6411')!, cents: gross, label },
        { account: this.general.get('6451')!, cents: employer, label: `${label} - charges patronales` },
        { account: this.general.get('421')!, cents: -net, label: `${label} - net à payer` },
        { account: this.general.get('431')!, cents: -(gross - net + employer), label: `${label} - URSSAF` },
      ],
      { piece: `OD-${label.slice(9)}`, invoiceNumber: null, dueDay: null, filename: null },
    );
  }

  /** An entry whose lines balance by construction: postings are signed cents summing to zero. */
  private makeEntry(
    at: number,
    day: number,
    journal: JournalRow,
    label: string,
    postings: Posting[],
    extra: Pick<EntryRow, 'piece' | 'invoiceNumber' | 'dueDay' | 'filename'>,
  ): EntryRow {
    if (postings.reduce((sum, p) => sum + p.cents, 0) !== 0) throw new Error(`unbalanced entry ${label}`);
    const entry: EntryRow = {
      id: UNASSIGNED,
      createdAt: at,
      updatedAt: at,
      day,
      journal,
      label,
      ...extra,
      lines: [],
    };
    for (const p of postings) {
      if (p.cents === 0) continue;
      entry.lines.push({
        id: UNASSIGNED,
        createdAt: at,
        updatedAt: at,
        entry,
        account: p.account,
        debit: Math.max(p.cents, 0),
        credit: p.cents < 0 ? -p.cents : 0,
        label: p.label,
        category: p.category ?? null,
        letter: null,
      });
    }
    return entry;
  }

  /** Entries get ids in creation order, after every document is built (see generate). */
  assignEntryIds(entry: EntryRow): void {
    entry.id = this.nextId('ledger_entries');
    this.ledgerEntries.add(entry);
    for (const line of entry.lines) {
      line.id = this.nextId('ledger_entry_lines');
      this.ledgerEntryLines.add(line);
    }
  }

  nextEventSeq(): number {
    return ++this.sequence;
  }
}
