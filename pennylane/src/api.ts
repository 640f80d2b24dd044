/**
 * Facts about the Pennylane API v2 that both the tap (which calls it) and the sandbox (which fakes it)
 * must agree on. Source: the project's API facts file (Pennylane OpenAPI, April 2026, and the docs
 * it cites); tags there say how sure each fact is.
 */
export const API_PREFIX = '/api/external/v2';
export const PRODUCTION_BASE_URL = `https://app.pennylane.com${API_PREFIX}`;

/** 25 requests per 5 seconds per token, for every endpoint. */
export const RATE_LIMIT = { requests: 25, windowMs: 5_000 } as const;

/** Changelogs keep "the last 4 weeks"; taken as 28 days, as the reference mock does. */
export const CHANGELOG_RETENTION_MS = 28 * 24 * 3600 * 1000;

/** A scope requirement: `base` is satisfied by `<base>:readonly` or `<base>:all`; `exact` by itself only. */
export type ScopeRequirement = { base: string } | { exact: string };

export const satisfiesScope = (granted: readonly string[], need: ScopeRequirement): boolean =>
  'exact' in need
    ? granted.includes(need.exact)
    : granted.includes(`${need.base}:readonly`) || granted.includes(`${need.base}:all`);

export const scopeLabel = (need: ScopeRequirement): string =>
  'exact' in need ? need.exact : `${need.base}:readonly`;

export type ListResource = {
  /** Path after the API prefix, e.g. `/customers`. */
  path: string;
  scope: ScopeRequirement;
  /** Largest `limit` the endpoint accepts (400 above it). */
  maxLimit: 100 | 1000;
  /** `/changelogs/<name>` exists for it. */
  changelog: boolean;
  /** Returns the four legacy offset keys (all null) besides the cursor envelope. */
  legacyOffsetKeys: boolean;
};

export const LIST_RESOURCES = {
  customers: {
    path: '/customers',
    scope: { base: 'customers' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  suppliers: {
    path: '/suppliers',
    scope: { base: 'suppliers' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  customer_invoices: {
    path: '/customer_invoices',
    scope: { base: 'customer_invoices' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  supplier_invoices: {
    path: '/supplier_invoices',
    scope: { base: 'supplier_invoices' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  products: {
    path: '/products',
    scope: { base: 'products' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  transactions: {
    path: '/transactions',
    scope: { base: 'transactions' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  ledger_entry_lines: {
    path: '/ledger_entry_lines',
    scope: { base: 'ledger_entries' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  ledger_entries: {
    path: '/ledger_entries',
    scope: { base: 'ledger_entries' },
    maxLimit: 100,
    changelog: false,
    legacyOffsetKeys: true,
  },
  ledger_accounts: {
    path: '/ledger_accounts',
    scope: { base: 'ledger_accounts' },
    maxLimit: 1000,
    changelog: false,
    legacyOffsetKeys: true,
  },
  bank_accounts: {
    path: '/bank_accounts',
    scope: { base: 'bank_accounts' },
    maxLimit: 100,
    changelog: false,
    legacyOffsetKeys: false,
  },
  fiscal_years: {
    path: '/fiscal_years',
    scope: { exact: 'fiscal_years:readonly' },
    maxLimit: 100,
    changelog: false,
    legacyOffsetKeys: true,
  },
  journals: {
    path: '/journals',
    scope: { base: 'journals' },
    maxLimit: 100,
    changelog: false,
    legacyOffsetKeys: true,
  },
  quotes: {
    path: '/quotes',
    scope: { base: 'quotes' },
    maxLimit: 100,
    changelog: true,
    legacyOffsetKeys: false,
  },
  category_groups: {
    path: '/category_groups',
    scope: { base: 'categories' },
    maxLimit: 100,
    changelog: false,
    legacyOffsetKeys: false,
  },
  trial_balance: {
    path: '/trial_balance',
    scope: { exact: 'trial_balance:readonly' },
    maxLimit: 1000,
    changelog: false,
    // The OpenAPI response schema lists the four legacy keys as required here too.
    legacyOffsetKeys: true,
  },
} as const satisfies Record<string, ListResource>;

export type ListResourceName = keyof typeof LIST_RESOURCES;
export type ChangelogResourceName = {
  [K in ListResourceName]: (typeof LIST_RESOURCES)[K]['changelog'] extends true ? K : never;
}[ListResourceName];

export const EXPORT_RESOURCES = {
  fecs: { path: '/exports/fecs', scope: { exact: 'exports:fec' } },
  analytical_general_ledgers: {
    path: '/exports/analytical_general_ledgers',
    scope: { exact: 'exports:agl' },
  },
} as const satisfies Record<string, { path: string; scope: ScopeRequirement }>;

export type ExportKind = keyof typeof EXPORT_RESOURCES;

/** Export job lifecycle, as `GET /exports/<kind>/{id}` reports it. */
export type ExportStatus = 'pending' | 'ready' | 'error';

/** The `file_url` of a ready export expires after 30 minutes (one third party says 10). */
export const EXPORT_FILE_URL_TTL_MS = 30 * 60 * 1000;

/**
 * Lists read once per parent object: `GET <parent path>/{id}/<child>` (the OpenAPI names the parameter
 * `pathParam`). An unknown parent answers 404. `parentField` is the field the tap adds to each item.
 */
export type ChildResource = {
  parent: ListResourceName;
  /** Path after the API prefix, `{id}` standing for the parent's id. */
  path: string;
  /** The path parameter's name in the OpenAPI file (`customer_invoice_id`). */
  pathParam: string;
  scope: ScopeRequirement;
  maxLimit: 100;
  parentField: string;
  /** Declared sort fields (`id` always among them). */
  sorts: readonly string[];
};

export const CHILD_RESOURCES = {
  customer_invoice_lines: {
    parent: 'customer_invoices',
    path: '/customer_invoices/{id}/invoice_lines',
    pathParam: 'customer_invoice_id',
    scope: { base: 'customer_invoices' },
    maxLimit: 100,
    parentField: 'customer_invoice_id',
    sorts: ['id', 'rank'],
  },
  supplier_invoice_lines: {
    parent: 'supplier_invoices',
    path: '/supplier_invoices/{id}/invoice_lines',
    pathParam: 'supplier_invoice_id',
    scope: { base: 'supplier_invoices' },
    maxLimit: 100,
    parentField: 'supplier_invoice_id',
    sorts: ['id', 'rank'],
  },
  categories: {
    parent: 'category_groups',
    path: '/category_groups/{id}/categories',
    pathParam: 'category_group_id',
    scope: { base: 'categories' },
    maxLimit: 100,
    parentField: 'category_group_id',
    // The OpenAPI file declares no sort on this one.
    sorts: [],
  },
} as const satisfies Record<string, ChildResource>;

export type ChildResourceName = keyof typeof CHILD_RESOURCES;

/** `/customer_invoices/42/invoice_lines` */
export const childPath = (name: ChildResourceName, parentId: number): string =>
  CHILD_RESOURCES[name].path.replace('{id}', String(parentId));

/** `/customer_invoices/{customer_invoice_id}/invoice_lines`, as the OpenAPI file spells it. */
export const childOpenApiPath = (name: ChildResourceName): string =>
  CHILD_RESOURCES[name].path.replace('{id}', `{${CHILD_RESOURCES[name].pathParam}}`);

/** Resources listed by id (every list but trial_balance), in the table's order. */
export type IdListResourceName = Exclude<ListResourceName, 'trial_balance'>;
export const ID_LIST_RESOURCES = (Object.keys(LIST_RESOURCES) as ListResourceName[]).filter(
  (r): r is IdListResourceName => r !== 'trial_balance',
);

/** Resources with a `/changelogs/<name>` feed. */
export const CHANGELOG_RESOURCES = ID_LIST_RESOURCES.filter(
  (r): r is ChangelogResourceName => LIST_RESOURCES[r].changelog,
);

/**
 * Resources with a `GET <path>/{id}` (the OpenAPI file has one for every id-listed resource but
 * fiscal_years). Its object can differ from the list item: a ledger entry adds its lines.
 */
export type SingleRecordResourceName = Exclude<IdListResourceName, 'fiscal_years'>;
export const SINGLE_RECORD_RESOURCES = ID_LIST_RESOURCES.filter(
  (r): r is SingleRecordResourceName => r !== 'fiscal_years',
);
