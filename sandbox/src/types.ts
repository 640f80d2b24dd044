import type { ListResourceName } from '../../pennylane/src/api.js';
import type { AglRow, FecDialect, FecRow } from '../../pennylane/src/export-formats.js';
import type { AglPartOrder } from './exports/agl-writer.js';

/** How many objects the generator makes; ledger entries and their lines follow from them. */
export type SandboxCounts = {
  customers: number;
  suppliers: number;
  products: number;
  customerInvoices: number;
  supplierInvoices: number;
  /** Bank transactions: invoice payments first, then other bank movements (fees, payroll, taxes). */
  transactions: number;
  bankAccounts: number;
  /** Calendar fiscal years ending with the current one (open); the earlier ones are closed. */
  fiscalYears: number;
};

export type SandboxSize = 'small' | 'large' | Partial<SandboxCounts>;

export type RateLimit = { requests: number; windowMs: number };

export type SandboxOptions = {
  /** 0 or undefined: a random free port. */
  port?: number;
  size?: SandboxSize;
  seed?: number;
  token?: string;
  /** Default: every scope. */
  scopes?: string[];
  /** Default: the real 25 requests per 5000 ms per token; false turns the limit off. */
  rateLimit?: RateLimit | false;
  /** Sandbox-clock milliseconds between an export's creation and its `ready` state (default 1500). */
  exportDelayMs?: number;
  /** Sandbox-clock lifetime of an export `file_url` (default 30 minutes). */
  fileUrlTtlMs?: number;
  /** Default tab + UTF-8. */
  fecDialect?: FecDialect;
  /**
   * Order of the parts in the AGL xlsx zip: `'streaming'` (default: shared strings before the sheet) or
   * `'excel'` (the sheet first, as Excel writes it), to test readers on Excel's order.
   */
  aglPartOrder?: AglPartOrder;
  /** The sandbox clock starts here (default: the real time at start); the data is anchored on its UTC day. */
  startTime?: Date;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
};

/** Fault injection; every share is a probability in [0, 1], drawn from a seeded generator. */
export type Faults = {
  /** Delay before every API answer under `pathPrefix` (ms): a slow server, headers included. */
  latencyMs?: number;
  /** The next N API requests get 429. */
  rateLimitBurst?: number;
  /** Share of API requests answered 500, 502 or 503. */
  errorRate?: number;
  /** Share of API requests whose connection is destroyed before any response. */
  resetRate?: number;
  /** Share of JSON responses cut in the middle of the body. */
  truncateRate?: number;
  /** Share of JSON responses whose body is not valid JSON (half the JSON, then an HTML fragment). */
  malformedRate?: number;
  /**
   * Share of API requests answered by a reverse proxy's HTML error page (502, 503 or 504,
   * `text/html`, no rate-limit headers), before authentication, as a gateway in front of the API does.
   */
  htmlErrorRate?: number;
  /**
   * Share of responses whose body stalls: status, headers (full Content-Length) and the first half of
   * the body at once, the rest `stallMs` later. Tests a read timeout that headers alone do not trip.
   */
  stallRate?: number;
  /** How long a stalled body waits (default 10,000 ms). */
  stallMs?: number;
  /**
   * Share of successful (2xx) answers whose JSON is valid but not the documented envelope: the body
   * is wrapped as `{"data": <body>}` (a list page has no top-level `items`, an object no `id`).
   */
  wrongShapeRate?: number;
  /** New export jobs end in `error`. */
  exportError?: boolean;
  /** Only requests whose path (after /api/external/v2) starts with this are affected. */
  pathPrefix?: string;
  /**
   * Methods the drawn faults (error, reset, truncate, malformed, html, stall, wrong shape) hit; default `['GET']`. A POST that
   * fails may have been applied, so clients rightly do not retry it: storms aimed at the read path
   * must not randomly fail an export creation (exportError covers export failures). 429 bursts and
   * latency hit every method.
   */
  methods?: string[];
};

export type Counters = {
  total: number;
  byPath: Record<string, number>;
  /** Keyed by HTTP status, plus `reset` for destroyed connections. */
  byStatus: Record<string, number>;
};

export type ApiRecord = Record<string, unknown>;

/** Resources the control surface can create objects in. */
export type CreatableResource =
  | 'customers'
  | 'suppliers'
  | 'products'
  | 'customer_invoices'
  | 'supplier_invoices'
  | 'transactions'
  | 'ledger_accounts'
  | 'quotes';

/** Changes to one invoice's lines (the control surface); amounts are dot-decimal strings. */
export type LineChanges = {
  /** New lines: a product's label, unit, price and VAT by `product_id` (customer invoices), or given. */
  add?: { product_id?: number; label?: string; quantity?: number; unit_price?: string; vat_rate?: string }[];
  /** Line ids to remove (an invoice keeps at least one line). */
  remove?: number[];
  /** Edits of existing lines by id. */
  edit?: { id: number; label?: string; quantity?: number; unit_price?: string }[];
};

export type SandboxControl = {
  /** Creates an object (with its ledger entry and lines for invoices and transactions); `fields` override generated values. */
  create(resource: CreatableResource, fields?: ApiRecord): ApiRecord;
  /** Overrides fields of an object and bumps its `updated_at` to the sandbox clock. */
  update(resource: ListResourceName, id: number, fields?: ApiRecord): ApiRecord;
  /** Deletes an object (an invoice or transaction takes its ledger entry and lines with it). */
  remove(resource: ListResourceName, id: number): void;
  /**
   * Adds, removes and edits an invoice's lines: the totals and the ledger entry follow (third-party line
   * updated, other lines replaced), the invoice's `updated_at` moves and an `update` event is written.
   */
  changeInvoiceLines(
    resource: 'customer_invoices' | 'supplier_invoices',
    invoiceId: number,
    changes: LineChanges,
  ): ApiRecord[];
  /** Renames an analytical category (also as shown inline on ledger entry lines and transactions). */
  renameCategory(id: number, label: string): ApiRecord;
  /** Every line of an invoice, as `GET …/invoice_lines` renders them (ascending id). */
  invoiceLines(resource: 'customer_invoices' | 'supplier_invoices', invoiceId: number): ApiRecord[];
  /** Every category of every group, as `GET /category_groups/{id}/categories` renders them, plus `category_group_id`. */
  categories(): ApiRecord[];
  advanceClock(ms: number): void;
  now(): Date;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  counters(): Counters;
  resetCounters(): void;
  setScopes(scopes: string[]): void;
  setRateLimit(limit: RateLimit | false): void;
  /** Every request with the token is answered 401 (a token deleted in Pennylane) until restoreToken(). */
  revokeToken(): void;
  restoreToken(): void;
  /** Every current record of a resource, in the default list order (-id), exactly as the list endpoint renders it. */
  records(resource: Exclude<ListResourceName, 'trial_balance'>): ApiRecord[];
  /** The rows a FEC export of this period would contain (dates YYYY-MM-DD, inclusive). */
  fecRows(periodStart: string, periodEnd: string): FecRow[];
  /** The rows an analytical general ledger export of this period would contain. */
  aglRows(periodStart: string, periodEnd: string): AglRow[];
};

export type Sandbox = {
  /** `http://127.0.0.1:<port>/api/external/v2` */
  baseUrl: string;
  token: string;
  /** `http://127.0.0.1:<port>/_sandbox` */
  controlUrl: string;
  control: SandboxControl;
  close(): Promise<void>;
};
