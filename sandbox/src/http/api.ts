import {
  CHANGELOG_RESOURCES,
  CHILD_RESOURCES,
  type ChangelogResourceName,
  type ChildResourceName,
  childOpenApiPath,
  EXPORT_RESOURCES,
  type ExportKind,
  LIST_RESOURCES,
  type ListResourceName,
  type ScopeRequirement,
  SINGLE_RECORD_RESOURCES,
  type SingleRecordResourceName,
  satisfiesScope,
  scopeLabel,
} from '../../../pennylane/src/api.js';
import type { Core } from '../core.js';
import type { CategoryRow, EntryRow, InvoiceLineRow, Row } from '../data/model.js';
import { renderEntryWithLines } from '../data/render.js';
import {
  renderCustomerInvoiceLine,
  renderGroupCategory,
  renderSupplierInvoiceLine,
} from '../data/render-documents.js';
import { Table } from '../data/table.js';
import { parseExportBody, renderJob } from '../exports/jobs.js';
import { changelogPage } from '../query/changelog.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import { listPage } from '../query/list.js';
import type { RecordResource } from '../query/resources.js';
import { parseDay } from '../time.js';
import type { ApiRecord } from '../types.js';
import { ApiError, badRequest, notFound } from './errors.js';

export type ApiRequest = { method: string; path: string; query: URLSearchParams; body: unknown };
export type ApiResult = { status: number; body: unknown };

export type Route = {
  method: 'GET' | 'POST';
  /** The OpenAPI operation it answers (`GET /customers/{id}`): the contract test validates each one. */
  operation: string;
  pattern: RegExp;
  scope?: ScopeRequirement;
  handle: (core: Core, req: ApiRequest, match: RegExpExecArray) => ApiResult | Promise<ApiResult>;
};

const LEGACY_KEYS = { total_pages: null, current_page: null, total_items: null, per_page: null };

/** `limit`: default 20, validated (not clamped) against the endpoint's bounds → 400 outside. */
function parseLimit(query: URLSearchParams, max: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return 20;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw badRequest(`limit must be an integer between 1 and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

const optional = (query: URLSearchParams, key: string): string | undefined => {
  const v = query.get(key);
  return v === null || v === '' ? undefined : v;
};

function listRoute(name: RecordResource): Route {
  const facts = LIST_RESOURCES[name];
  return {
    method: 'GET',
    operation: `GET ${facts.path}`,
    pattern: new RegExp(`^${facts.path}$`),
    scope: facts.scope,
    handle: (core, req) => {
      const def = core.store.resources[name];
      const page = listPage(def, {
        limit: parseLimit(req.query, facts.maxLimit),
        cursor: optional(req.query, 'cursor'),
        sort: optional(req.query, 'sort'),
        filter: optional(req.query, 'filter'),
      });
      const body = {
        ...(facts.legacyOffsetKeys ? LEGACY_KEYS : {}),
        items: page.rows.map(def.render),
        has_more: page.hasMore,
        next_cursor: page.nextCursor,
      };
      return { status: 200, body };
    },
  };
}

function getByIdRoute(name: SingleRecordResourceName): Route {
  const facts = LIST_RESOURCES[name];
  return {
    method: 'GET',
    operation: `GET ${facts.path}/{id}`,
    pattern: new RegExp(`^${facts.path}/(\\d+)$`),
    scope: facts.scope,
    handle: (core, _req, match) => {
      const def = core.store.resources[name];
      const row = def.table.get(Number(match[1]));
      if (!row) throw notFound();
      if (name === 'ledger_entries')
        return { status: 200, body: renderEntryWithLines(row as EntryRow, core.renderContext) };
      return { status: 200, body: def.render(row) };
    },
  };
}

function changelogRoute(name: ChangelogResourceName): Route {
  return {
    method: 'GET',
    operation: `GET /changelogs/${name}`,
    pattern: new RegExp(`^/changelogs/${name}$`),
    scope: LIST_RESOURCES[name].scope,
    handle: (core, req) => ({
      status: 200,
      body: changelogPage(
        core.store.changelog(name),
        {
          limit: parseLimit(req.query, 1000),
          cursor: optional(req.query, 'cursor'),
          startDate: optional(req.query, 'start_date'),
        },
        core.store.clock.nowMs() * 1000,
      ),
    }),
  };
}

const trialBalanceRoute: Route = {
  method: 'GET',
  operation: 'GET /trial_balance',
  pattern: /^\/trial_balance$/,
  scope: LIST_RESOURCES.trial_balance.scope,
  handle: (core, req) => {
    const day = (key: string): number => {
      const raw = req.query.get(key);
      if (raw === null) throw badRequest(`${key} is required (YYYY-MM-DD)`);
      const d = parseDay(raw);
      if (d === undefined) throw badRequest(`${key} must be a date YYYY-MM-DD, got ${JSON.stringify(raw)}`);
      return d;
    };
    const start = day('period_start');
    const end = day('period_end');
    const auxRaw = req.query.get('is_auxiliary');
    if (auxRaw !== null && auxRaw !== 'true' && auxRaw !== 'false')
      throw badRequest('is_auxiliary must be true or false');
    const limit = parseLimit(req.query, LIST_RESOURCES.trial_balance.maxLimit);
    const cursor = optional(req.query, 'cursor');
    const after = cursor
      ? decodeCursor(cursor, (v): v is { n: string } => typeof (v as { n?: unknown })?.n === 'string').n
      : undefined;
    const rows = core.trialBalance(start, end, auxRaw === 'true');
    const from = after === undefined ? 0 : rows.findIndex((r) => r.number > after);
    const slice = from < 0 ? [] : rows.slice(from, from + limit);
    const hasMore = from >= 0 && from + limit < rows.length;
    return {
      status: 200,
      body: {
        items: slice,
        ...LEGACY_KEYS,
        has_more: hasMore,
        next_cursor: hasMore ? encodeCursor({ n: slice[slice.length - 1]!.number }) : null,
      },
    };
  },
};

function exportRoutes(kind: ExportKind): Route[] {
  const facts = EXPORT_RESOURCES[kind];
  return [
    {
      method: 'POST',
      operation: `POST ${facts.path}`,
      pattern: new RegExp(`^${facts.path}$`),
      scope: facts.scope,
      handle: (core, req) => {
        const job = core.createExport(kind, parseExportBody(kind, req.body));
        return { status: 201, body: renderJob(job, job.createdAt) };
      },
    },
    {
      method: 'GET',
      operation: `GET ${facts.path}/{id}`,
      pattern: new RegExp(`^${facts.path}/(\\d+)$`),
      scope: facts.scope,
      handle: (core, _req, match) => {
        const job = core.exportJob(kind, Number(match[1]));
        if (!job) throw notFound();
        const now = core.store.clock.nowMs() * 1000;
        const rendered = renderJob(job, now);
        const fileUrl = rendered.status === 'ready' ? core.issueFileUrl(job) : null;
        return {
          status: 200,
          body: {
            id: rendered.id,
            file_url: fileUrl,
            status: rendered.status,
            created_at: rendered.created_at,
            updated_at: rendered.updated_at,
          },
        };
      },
    },
  ];
}

/**
 * `GET <parent>/{id}/<child>`: the lines of one invoice, the categories of one group. Cursor pages like
 * every list; an unknown parent answers 404 (Pennylane's "not found" body).
 */
function childRoute(name: ChildResourceName): Route {
  const facts = CHILD_RESOURCES[name];
  const [before, after] = facts.path.split('{id}') as [string, string];
  return {
    method: 'GET',
    operation: `GET ${childOpenApiPath(name)}`,
    pattern: new RegExp(`^${before}(\\d+)${after}$`),
    scope: facts.scope,
    handle: (core, req, match) => {
      const parentId = Number(match[1]);
      const b = core.store.builder;
      let table: Table<Row>;
      let render: (row: Row) => ApiRecord;
      if (name === 'categories') {
        if (!b.categoryGroups.get(parentId)) throw notFound();
        table = new Table<Row>(b.categories.filter((c) => c.groupId === parentId));
        render = (row) => renderGroupCategory(row as CategoryRow);
      } else {
        const invoices = name === 'customer_invoice_lines' ? b.customerInvoices : b.supplierInvoices;
        const invoice = invoices.get(parentId);
        if (!invoice) throw notFound();
        table = new Table<Row>(invoice.lines);
        render =
          name === 'customer_invoice_lines'
            ? (row) => renderCustomerInvoiceLine(row as InvoiceLineRow, core.renderContext)
            : (row) => renderSupplierInvoiceLine(row as InvoiceLineRow);
      }
      // A line's rank is its place in the invoice, which is its id order.
      const sorts = Object.fromEntries(['id', ...facts.sorts].map((f) => [f, (r: Row) => r.id]));
      const page = listPage(
        { table, render, filters: {}, sorts },
        {
          limit: parseLimit(req.query, facts.maxLimit),
          cursor: optional(req.query, 'cursor'),
          sort: optional(req.query, 'sort'),
        },
      );
      return {
        status: 200,
        body: { items: page.rows.map(render), has_more: page.hasMore, next_cursor: page.nextCursor },
      };
    },
  };
}

const meRoute: Route = {
  method: 'GET',
  operation: 'GET /me',
  pattern: /^\/me$/,
  handle: (core) => ({ status: 200, body: core.me() }),
};

const RECORD_RESOURCES = (Object.keys(LIST_RESOURCES) as ListResourceName[]).filter(
  (n): n is RecordResource => n !== 'trial_balance',
);

export const ROUTES: Route[] = [
  meRoute,
  ...RECORD_RESOURCES.map(listRoute),
  // Only where the OpenAPI file has `GET <path>/{id}` (not fiscal_years): other paths answer 404.
  ...SINGLE_RECORD_RESOURCES.map(getByIdRoute),
  ...CHANGELOG_RESOURCES.map(changelogRoute),
  trialBalanceRoute,
  ...(Object.keys(CHILD_RESOURCES) as ChildResourceName[]).map(childRoute),
  ...exportRoutes('fecs'),
  ...exportRoutes('analytical_general_ledgers'),
];

/**
 * Routes a request under /api/external/v2 after authentication: unknown route → 404, missing scope →
 * 403 naming the scope (`:all` satisfies `:readonly`). The 2026 switch (`use_2026_api_changes`, header
 * `X-Use-2026-API-Changes`) is accepted and ignored: only the new behaviour exists.
 */
export async function handleApi(core: Core, req: ApiRequest): Promise<ApiResult> {
  for (const route of ROUTES) {
    const match = route.pattern.exec(req.path);
    if (!match) continue;
    if (route.method !== req.method) continue;
    if (route.scope && !satisfiesScope(core.scopes, route.scope)) {
      throw new ApiError(403, `Access to this resource requires scope "${scopeLabel(route.scope)}".`);
    }
    return route.handle(core, req, match);
  }
  throw notFound();
}
