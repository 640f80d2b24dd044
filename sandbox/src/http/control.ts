import type { ListResourceName } from '../../../pennylane/src/api.js';
import type { Core } from '../core.js';
import type { RecordResource } from '../query/resources.js';
import type { ApiRecord, CreatableResource, Faults, LineChanges, RateLimit } from '../types.js';
import { ApiError } from './errors.js';

export type ControlResult = { status: number; body: unknown };

/** The routes of the HTTP control surface, listed by `GET /_sandbox`. */
export const CONTROL_ROUTES = [
  'GET    /_sandbox                          this list, the sandbox clock and counters',
  'GET    /_sandbox/now                      {"now": ISO date-time} (the sandbox clock)',
  'POST   /_sandbox/clock/advance            {"ms": n} moves the clock forward',
  'GET    /_sandbox/records/<resource>       current records, as the list endpoint renders them',
  'POST   /_sandbox/records/<resource>       {fields…} creates (insert events)',
  'PATCH  /_sandbox/records/<resource>/<id>  {fields…} updates (update event)',
  'DELETE /_sandbox/records/<resource>/<id>  deletes (delete events)',
  'GET    /_sandbox/invoice-lines/<customer_invoices|supplier_invoices>/<id>   the lines of an invoice',
  'PATCH  /_sandbox/invoice-lines/<customer_invoices|supplier_invoices>/<id>   {add, remove, edit}: totals and entry follow (update event)',
  'GET    /_sandbox/categories               every category with its category_group_id',
  'PATCH  /_sandbox/categories/<id>          {"label": …} renames a category',
  'PUT    /_sandbox/faults                   {latencyMs, rateLimitBurst, errorRate, resetRate, truncateRate, malformedRate, htmlErrorRate, stallRate, stallMs, wrongShapeRate, exportError, pathPrefix, methods}',
  'DELETE /_sandbox/faults                   clears faults',
  'GET    /_sandbox/counters                 {total, byPath, byStatus}',
  'DELETE /_sandbox/counters                 resets counters',
  'PUT    /_sandbox/scopes                   {"scopes": [...]}',
  'PUT    /_sandbox/token                    {"revoked": true|false}',
  'PUT    /_sandbox/rate-limit               {"requests": n, "windowMs": n} or false',
  'GET    /_sandbox/fec-rows?period_start=&period_end=   rows a FEC export would contain',
  'GET    /_sandbox/agl-rows?period_start=&period_end=   rows an AGL export would contain',
];

const invoiceSide = (part: string | undefined): 'customer_invoices' | 'supplier_invoices' => {
  if (part === 'customer_invoices' || part === 'supplier_invoices') return part;
  throw new Error(
    `invoice-lines: expected customer_invoices or supplier_invoices, got ${JSON.stringify(part)}`,
  );
};

const obj = (body: unknown): ApiRecord =>
  body && typeof body === 'object' && !Array.isArray(body) ? (body as ApiRecord) : {};

/** JSON in, JSON out; no authentication (the sandbox listens on loopback only). */
export async function handleControl(
  core: Core,
  method: string,
  url: URL,
  body: unknown,
): Promise<ControlResult> {
  const control = core.control();
  const parts = url.pathname.split('/').filter(Boolean).slice(1);
  const route = `${method} ${parts[0] ?? ''}`;
  const ok = (b: unknown = { ok: true }) => ({ status: 200, body: b });
  try {
    switch (route) {
      case 'GET ':
        return ok({ routes: CONTROL_ROUTES, now: control.now().toISOString(), counters: control.counters() });
      case 'GET now':
        return ok({ now: control.now().toISOString() });
      case 'POST clock':
        control.advanceClock(Number(obj(body).ms));
        return ok({ now: control.now().toISOString() });
      case 'GET records':
        return ok(control.records(parts[1] as RecordResource));
      case 'POST records':
        return { status: 201, body: control.create(parts[1] as CreatableResource, obj(body)) };
      case 'PATCH records':
        return ok(control.update(parts[1] as ListResourceName, Number(parts[2]), obj(body)));
      case 'DELETE records':
        control.remove(parts[1] as ListResourceName, Number(parts[2]));
        return ok();
      case 'GET invoice-lines':
        return ok(control.invoiceLines(invoiceSide(parts[1]), Number(parts[2])));
      case 'PATCH invoice-lines':
        return ok(
          control.changeInvoiceLines(invoiceSide(parts[1]), Number(parts[2]), obj(body) as LineChanges),
        );
      case 'GET categories':
        return ok(control.categories());
      case 'PATCH categories':
        return ok(control.renameCategory(Number(parts[1]), String(obj(body).label ?? '')));
      case 'PUT faults':
        control.setFaults(obj(body) as Faults);
        return ok();
      case 'DELETE faults':
        control.clearFaults();
        return ok();
      case 'GET counters':
        return ok(control.counters());
      case 'DELETE counters':
        control.resetCounters();
        return ok();
      case 'PUT scopes': {
        const scopes = obj(body).scopes;
        if (!Array.isArray(scopes)) throw new Error('scopes: expected {"scopes": [...]}');
        control.setScopes(scopes.map(String));
        return ok({ scopes });
      }
      case 'PUT token': {
        const revoked = obj(body).revoked;
        if (typeof revoked !== 'boolean') throw new Error('token: expected {"revoked": true|false}');
        if (revoked) control.revokeToken();
        else control.restoreToken();
        return ok({ revoked });
      }
      case 'PUT rate-limit':
        control.setRateLimit(body === false ? false : (obj(body) as RateLimit));
        return ok();
      case 'GET fec-rows':
      case 'GET agl-rows': {
        const start = url.searchParams.get('period_start') ?? '';
        const end = url.searchParams.get('period_end') ?? '';
        return ok(parts[0] === 'fec-rows' ? control.fecRows(start, end) : control.aglRows(start, end));
      }
      default:
        return { status: 404, body: { error: `no control route ${method} ${url.pathname}`, status: 404 } };
    }
  } catch (error) {
    if (error instanceof ApiError)
      return { status: error.status, body: { error: error.message, status: error.status } };
    return {
      status: 400,
      body: { error: error instanceof Error ? error.message : String(error), status: 400 },
    };
  }
}
