import { LIST_RESOURCES } from '../../../pennylane/src/api.js';
import type { PerFiscalYearStream } from '../streams/definition.js';
import { type ApiRecord, iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { type FiscalYear, isSettled } from './fiscal-years.js';
import { fullListingDue } from './full-table.js';
import { type FullTableBookmark, readFullTableBookmark } from './state.js';

/**
 * Whether a year is read on a run between full passes: open years always; a settled (closed, frozen)
 * year once, unless it was already settled when it was last read (its balance cannot change since).
 */
export const yearDue = (year: FiscalYear, readAs: string | undefined): boolean =>
  !isSettled(year.status) || readAs === undefined || !isSettled(readAs);

/**
 * trial_balance: one listing per fiscal year (period_start/period_end, no sort parameter), each row
 * keyed by its year and account number. A full pass (first run, full_refresh, or the last full pass older
 * than full_listing_max_age_hours) reads every year in scope as one table version, so rows of accounts
 * that disappeared, or of years that left the scope, are removed when it is activated. In between, a
 * run reads only the years that can still change (open ones, and settled ones not yet read as
 * settled), upserting their rows under the last full pass's version, without an activation.
 */
export async function syncPerFiscalYear(
  ctx: SyncContext,
  w: StreamWriter,
  def: PerFiscalYearStream,
): Promise<void> {
  const prior = readFullTableBookmark(ctx.state.get(def.name));
  const t0 = ctx.now();
  const partial =
    prior?.years !== undefined &&
    !ctx.config.fullRefresh &&
    !fullListingDue(prior, t0, ctx.config.fullListingMaxAgeHours)
      ? { ...prior, years: prior.years }
      : undefined;
  const version = partial ? partial.version : t0;
  const resource = LIST_RESOURCES[def.resource];
  const inScope = await ctx.fiscalYearsInScope();
  const years = partial ? inScope.filter((y) => yearDue(y, partial.years[String(y.id)])) : inScope;
  if (partial && years.length < inScope.length)
    ctx.log.info(`${def.name}: ${inScope.length - years.length} settled fiscal year(s) already read, kept`);
  // Years are independent listings: run them side by side, the client's budget spaces the requests.
  await Promise.all(
    years.map(async (year) => {
      const query = { period_start: year.start, period_end: year.finish, limit: resource.maxLimit };
      const pages = ctx.client.paginate<ApiRecord>(resource.path, query, { stream: def.name });
      for await (const page of pages) {
        for (const row of page) {
          await w.record(
            { ...row, fiscal_year_id: year.id, period_start: year.start, period_end: year.finish },
            version,
          );
        }
      }
    }),
  );
  const read = Object.fromEntries(years.map((y) => [String(y.id), y.status]));
  if (partial) {
    ctx.state.set(def.name, { ...partial, years: { ...partial.years, ...read } } satisfies FullTableBookmark);
  } else {
    await w.activateVersion(version);
    ctx.state.set(def.name, { version, complete_at: iso(t0), years: read } satisfies FullTableBookmark);
  }
}
