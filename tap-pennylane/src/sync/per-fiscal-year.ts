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

export type YearsPlan =
  /** Every year in scope, as one new table version activated at the end. `reason` is for the log. */
  | { mode: 'full'; years: FiscalYear[]; reason: string }
  /** Only the years that can have changed, under the last full pass's version; `kept` were not due. */
  | { mode: 'partial'; years: FiscalYear[]; kept: number };

/**
 * Which years a run reads, and how. A run between full passes may read a year again only when it can
 * delete the accounts that left the year's balance, i.e. when the bookmark holds the account numbers
 * the table has for it; and it cannot remove a year that left the scope. Either case makes a full pass,
 * whose activation replaces the whole table: exact first, fewer requests second.
 */
export function planYears(
  prior: FullTableBookmark | undefined,
  inScope: readonly FiscalYear[],
  opts: { now: number; maxAgeHours: number; fullRefresh: boolean },
): YearsPlan {
  const full = (reason: string): YearsPlan => ({ mode: 'full', years: [...inScope], reason });
  if (!prior) return full('first run');
  if (!prior.years) return full('the bookmark has no years');
  if (opts.fullRefresh) return full('full_refresh');
  if (fullListingDue(prior, opts.now, opts.maxAgeHours))
    return full('the last full pass is older than full_listing_max_age_hours');
  const ids = new Set(inScope.map((y) => String(y.id)));
  const left = Object.keys(prior.years).find((id) => !ids.has(id));
  if (left !== undefined) return full(`fiscal year ${left} left the scope, its rows are removed`);
  const due = inScope.filter((y) => yearDue(y, prior.years![String(y.id)]));
  const unknown = due.find(
    (y) => prior.years![String(y.id)] !== undefined && !prior.accounts?.[String(y.id)],
  );
  if (unknown) {
    return full(
      `the accounts of fiscal year ${unknown.id} in the table are not known (its last read did not finish, or an older version wrote the state)`,
    );
  }
  return { mode: 'partial', years: due, kept: inScope.length - due.length };
}

/** A bookmark's account numbers without those of `years` (about to be read again). */
const forget = (accounts: Record<string, string[]> | undefined, years: readonly FiscalYear[]) => {
  const out = { ...accounts };
  for (const y of years) delete out[String(y.id)];
  return out;
};

/**
 * trial_balance: one listing per fiscal year (period_start/period_end, no sort parameter), each row
 * keyed by its year and account number. A full pass (first run, full_refresh, the last full pass older
 * than full_listing_max_age_hours, a year gone from the scope) reads every year in scope as one table
 * version, activated once complete. In between, a run reads only the years that can still change (open
 * ones, and settled ones not yet read as settled) under the last full pass's version, and deletes the
 * accounts a re-read year no longer has (`{fiscal_year_id, number, _sdc_deleted_at}`), so each year's
 * rows are always exactly its latest trial balance: debits equal credits.
 */
export async function syncPerFiscalYear(
  ctx: SyncContext,
  w: StreamWriter,
  def: PerFiscalYearStream,
): Promise<void> {
  const prior = readFullTableBookmark(ctx.state.get(def.name));
  const t0 = ctx.now();
  const inScope = await ctx.fiscalYearsInScope();
  const plan = planYears(prior, inScope, {
    now: t0,
    maxAgeHours: ctx.config.fullListingMaxAgeHours,
    fullRefresh: ctx.config.fullRefresh,
  });
  if (plan.mode === 'full' && prior) ctx.log.info(`${def.name}: full pass (${plan.reason})`);
  if (plan.mode === 'partial' && plan.kept > 0)
    ctx.log.info(`${def.name}: ${plan.kept} settled fiscal year(s) already read, kept`);
  const version = plan.mode === 'partial' ? prior!.version : t0;

  // Before any row is emitted, the years about to be read lose their account numbers in the state: if
  // this run stops half way, rows it emitted may be in the table, and the next run makes a full pass
  // rather than trust numbers that no longer match the table.
  if (prior) ctx.state.set(def.name, { ...prior, accounts: forget(prior.accounts, plan.years) });

  const numbers = new Map<number, Set<string>>();
  let stop = false;
  // Years are independent listings: run them side by side, the client's budget spaces the requests.
  const results = await Promise.allSettled(
    plan.years.map(async (year) => {
      try {
        numbers.set(year.id, await readYear(ctx, w, def, year, version, () => stop));
      } catch (err) {
        // A year that failed ends the others at their next row: nothing more is emitted for the stream.
        stop = true;
        throw err;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  const accounts: Record<string, string[]> =
    plan.mode === 'partial' ? forget(prior!.accounts, plan.years) : {};
  const deletedAt = iso(t0);
  for (const year of plan.years) {
    const seen = numbers.get(year.id)!;
    if (plan.mode === 'partial') {
      for (const number of prior!.accounts?.[String(year.id)] ?? []) {
        if (!seen.has(number)) await w.tombstone({ fiscal_year_id: year.id, number }, deletedAt);
      }
    }
    // A year read as settled is not read again before the next full pass: its numbers are not needed.
    if (!isSettled(year.status)) accounts[String(year.id)] = [...seen].sort();
  }
  const read = Object.fromEntries(plan.years.map((y) => [String(y.id), y.status]));
  if (plan.mode === 'partial') {
    ctx.state.set(def.name, {
      ...prior!,
      years: { ...prior!.years, ...read },
      accounts,
    } satisfies FullTableBookmark);
  } else {
    await w.activateVersion(version);
    ctx.state.set(def.name, {
      version,
      complete_at: iso(t0),
      years: read,
      accounts,
    } satisfies FullTableBookmark);
  }
}

/** One year's listing, emitted row by row; returns the account numbers it held. */
async function readYear(
  ctx: SyncContext,
  w: StreamWriter,
  def: PerFiscalYearStream,
  year: FiscalYear,
  version: number,
  stopped: () => boolean,
): Promise<Set<string>> {
  const resource = LIST_RESOURCES[def.resource];
  const seen = new Set<string>();
  const query = { period_start: year.start, period_end: year.finish, limit: resource.maxLimit };
  for await (const page of ctx.client.paginate<ApiRecord>(resource.path, query, { stream: def.name })) {
    for (const row of page) {
      if (stopped()) return seen;
      if (typeof row.number !== 'string' || row.number === '') {
        throw new Error(
          `${def.name}: GET ${resource.path} for fiscal year ${year.id} (${year.start}..${year.finish}) returned a row without an account "number" (${JSON.stringify(row).slice(0, 120)}); the API's answer is at fault: retry later, and report it to Pennylane if it persists`,
        );
      }
      seen.add(row.number);
      await w.record(
        { ...row, fiscal_year_id: year.id, period_start: year.start, period_end: year.finish },
        version,
      );
    }
  }
  return seen;
}
