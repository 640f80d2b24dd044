import { randomBytes } from 'node:crypto';
import type { ExportKind, ListResourceName } from '../../pennylane/src/api.js';
import type { AglRow, FecDialect, FecRow } from '../../pennylane/src/export-formats.js';
import { COMPANY } from './data/french.js';
import type { RenderContext } from './data/render.js';
import {
  renderCustomerInvoiceLine,
  renderGroupCategory,
  renderSupplierInvoiceLine,
} from './data/render-documents.js';
import { type AglPartOrder, writeAglXlsx } from './exports/agl-writer.js';
import { writeFec } from './exports/fec-writer.js';
import { type ExportJob, exportStatus } from './exports/jobs.js';
import { linesInPeriod, toAglRows, toFecRows } from './exports/rows.js';
import { ApiError } from './http/errors.js';
import { FaultInjector } from './http/faults.js';
import { RateLimiter } from './http/rate-limiter.js';
import type { RecordResource } from './query/resources.js';
import { type TrialBalanceRow, trialBalance } from './query/trial-balance.js';
import type { Store } from './store.js';
import { parseDay } from './time.js';
import type { ApiRecord, Counters, CreatableResource, Faults, RateLimit, SandboxControl } from './types.js';

/** Every scope the sandbox knows; the default grant. */
export const ALL_SCOPES = [
  'customers:all',
  'suppliers:all',
  'customer_invoices:all',
  'supplier_invoices:all',
  'products:all',
  'transactions:all',
  'ledger_entries:all',
  'ledger_accounts:all',
  'bank_accounts:all',
  'journals:all',
  'fiscal_years:readonly',
  'trial_balance:readonly',
  'exports:fec',
  'exports:agl',
  'exports:gl',
  'categories:all',
  'quotes:all',
];

type FileLink = { job: ExportJob; expiresAtMs: number };

/** The sandbox's state besides the data: auth, limits, faults, counters, export jobs and file links. */
export class Core {
  scopes: string[];
  /** A revoked token is answered 401 as Pennylane answers a deleted token, until restored. */
  revoked = false;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  counters: Counters = { total: 0, byPath: {}, byStatus: {} };
  /** `http://localhost:<port>`, set once the server listens: file links use the other host name. */
  fileOrigin = '';
  readonly renderContext: RenderContext;
  private readonly jobs = new Map<number, ExportJob>();
  private readonly links = new Map<string, FileLink>();
  private readonly files = new Map<number, Promise<Buffer>>();
  private tbCache: { key: string; rows: TrialBalanceRow[] } | undefined;

  constructor(
    readonly store: Store,
    readonly opts: {
      token: string;
      scopes: string[];
      rateLimit: RateLimit | false;
      exportDelayMs: number;
      fileUrlTtlMs: number;
      fecDialect: FecDialect;
      aglPartOrder: AglPartOrder;
      seed: number;
      apiBase: string;
    },
  ) {
    this.scopes = [...opts.scopes];
    this.limiter = new RateLimiter(opts.rateLimit);
    this.faults = new FaultInjector(opts.seed);
    this.renderContext = { apiBase: opts.apiBase };
  }

  accepts(token: string | undefined): boolean {
    return token === this.opts.token && !this.revoked;
  }

  me() {
    const b = this.store.builder;
    return {
      user: {
        id: b.userId,
        first_name: COMPANY.user.firstName,
        last_name: COMPANY.user.lastName,
        email: COMPANY.user.email,
        locale: 'fr',
      },
      company: { id: b.companyId, name: COMPANY.name, reg_no: COMPANY.regNo },
      scopes: [...this.scopes],
    };
  }

  count(path: string, status: number | 'reset'): void {
    this.counters.total++;
    this.counters.byPath[path] = (this.counters.byPath[path] ?? 0) + 1;
    this.counters.byStatus[String(status)] = (this.counters.byStatus[String(status)] ?? 0) + 1;
  }

  trialBalance(start: number, end: number, auxiliary: boolean): TrialBalanceRow[] {
    const lines = this.store.builder.ledgerEntryLines;
    const key = `${start}:${end}:${auxiliary}:${lines.version}`;
    if (this.tbCache?.key !== key) {
      const accounts = new Map(this.store.builder.ledgerAccounts.rows.map((a) => [a.number, a]));
      this.tbCache = { key, rows: trialBalance(lines.rows, (n) => accounts.get(n), start, end, auxiliary) };
    }
    return this.tbCache.rows;
  }

  createExport(kind: ExportKind, period: Pick<ExportJob, 'periodStart' | 'periodEnd' | 'mode'>): ExportJob {
    const createdAt = this.store.clock.nowMicros();
    const job: ExportJob = {
      id: this.store.builder.nextId('exports'),
      kind,
      ...period,
      createdAt,
      doneAt: createdAt + this.opts.exportDelayMs * 1000,
      failed: this.faults.exportError,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  exportJob(kind: ExportKind, id: number): ExportJob | undefined {
    const job = this.jobs.get(id);
    return job?.kind === kind ? job : undefined;
  }

  /** Each poll of a ready job gets a fresh link valid fileUrlTtlMs, like a presigned S3 URL. */
  issueFileUrl(job: ExportJob): string {
    const token = randomBytes(16).toString('hex');
    this.links.set(token, { job, expiresAtMs: this.store.clock.nowMs() + this.opts.fileUrlTtlMs });
    const name = job.kind === 'fecs' ? `FEC-${job.id}.txt` : `grand-livre-analytique-${job.id}.xlsx`;
    return `${this.fileOrigin}/_files/${token}/${name}`;
  }

  /** The file behind a link: undefined when unknown, 'expired' after its lifetime. */
  fileFor(token: string): { job: ExportJob; body: Promise<Buffer> } | 'expired' | undefined {
    const link = this.links.get(token);
    if (!link) return undefined;
    if (this.store.clock.nowMs() >= link.expiresAtMs) return 'expired';
    const job = link.job;
    if (exportStatus(job, this.store.clock.nowMs() * 1000) !== 'ready') return undefined;
    // Built on first download and kept: the file is a snapshot, as a generated export is.
    let body = this.files.get(job.id);
    if (!body) {
      const lines = linesInPeriod(this.store.builder.ledgerEntryLines.rows, job.periodStart, job.periodEnd);
      const label = this.collectiveLabel();
      body =
        job.kind === 'fecs'
          ? Promise.resolve(writeFec(toFecRows(lines, label), this.opts.fecDialect))
          : writeAglXlsx(toAglRows(lines, label), { partOrder: this.opts.aglPartOrder });
      this.files.set(job.id, body);
    }
    return { job, body };
  }

  private collectiveLabel(): (number: string) => string {
    const accounts = new Map(this.store.builder.ledgerAccounts.rows.map((a) => [a.number, a.label]));
    return (n) => accounts.get(n) ?? n;
  }

  private period(start: string, end: string): [number, number] {
    const s = parseDay(start);
    const e = parseDay(end);
    if (s === undefined || e === undefined)
      throw new Error(`period: expected YYYY-MM-DD dates, got ${start} and ${end}`);
    return [s, e];
  }

  fecRows(start: string, end: string): FecRow[] {
    const [s, e] = this.period(start, end);
    return toFecRows(linesInPeriod(this.store.builder.ledgerEntryLines.rows, s, e), this.collectiveLabel());
  }

  aglRows(start: string, end: string): AglRow[] {
    const [s, e] = this.period(start, end);
    return toAglRows(linesInPeriod(this.store.builder.ledgerEntryLines.rows, s, e), this.collectiveLabel());
  }

  /** An invoice's lines as its `invoice_lines` endpoint renders them; 404 for an unknown invoice. */
  invoiceLines(resource: 'customer_invoices' | 'supplier_invoices', invoiceId: number): ApiRecord[] {
    const b = this.store.builder;
    const invoice = (resource === 'customer_invoices' ? b.customerInvoices : b.supplierInvoices).get(
      invoiceId,
    );
    if (!invoice) throw new ApiError(404, `${resource} ${invoiceId} not found`);
    return invoice.lines.map((l) =>
      resource === 'customer_invoices'
        ? renderCustomerInvoiceLine(l, this.renderContext)
        : renderSupplierInvoiceLine(l),
    );
  }

  categories(): ApiRecord[] {
    return this.store.builder.categories.map((c) => ({
      ...renderGroupCategory(c),
      category_group_id: c.groupId,
    }));
  }

  control(): SandboxControl {
    const store = this.store;
    return {
      create: (resource: CreatableResource, fields?: ApiRecord) => store.create(resource, fields),
      update: (resource: ListResourceName, id: number, fields?: ApiRecord) =>
        store.update(resource, id, fields),
      remove: (resource: ListResourceName, id: number) => store.remove(resource, id),
      changeInvoiceLines: (resource, invoiceId, changes) => {
        store.changeInvoiceLines(resource, invoiceId, changes);
        return this.invoiceLines(resource, invoiceId);
      },
      renameCategory: (id, label) => {
        store.renameCategory(id, label);
        return this.categories().find((c) => c.id === id)!;
      },
      invoiceLines: (resource, invoiceId) => this.invoiceLines(resource, invoiceId),
      categories: () => this.categories(),
      advanceClock: (ms: number) => store.clock.advance(ms),
      now: () => new Date(store.clock.nowMs()),
      setFaults: (faults: Faults) => this.faults.set(faults),
      clearFaults: () => this.faults.clear(),
      counters: () => structuredClone(this.counters),
      resetCounters: () => {
        this.counters = { total: 0, byPath: {}, byStatus: {} };
      },
      setScopes: (scopes: string[]) => {
        this.scopes = [...scopes];
      },
      setRateLimit: (limit: RateLimit | false) => this.limiter.set(limit),
      revokeToken: () => {
        this.revoked = true;
      },
      restoreToken: () => {
        this.revoked = false;
      },
      records: (resource: RecordResource) => {
        const def = store.resources[resource];
        if (!def) throw new Error(`records: unknown resource ${JSON.stringify(resource)}`);
        const out: ApiRecord[] = [];
        for (let i = def.table.rows.length - 1; i >= 0; i--) out.push(def.render(def.table.rows[i]!));
        return out;
      },
      fecRows: (start: string, end: string) => this.fecRows(start, end),
      aglRows: (start: string, end: string) => this.aglRows(start, end),
    };
  }
}
