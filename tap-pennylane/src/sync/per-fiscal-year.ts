import { LIST_RESOURCES } from '../../../pennylane/src/api.js';
import type { PerFiscalYearStream } from '../streams/definition.js';
import type { ApiRecord, SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { type FullTableBookmark, readFullTableBookmark } from './state.js';

/**
 * trial_balance: one listing per fiscal year in scope (period_start/period_end, no sort parameter),
 * each row keyed by its year and account number. The whole pass is one table version, so rows of
 * accounts that disappeared, or of years that left the scope, are removed when it is activated.
 */
export async function syncPerFiscalYear(
  ctx: SyncContext,
  w: StreamWriter,
  def: PerFiscalYearStream,
): Promise<void> {
  const prior = readFullTableBookmark(ctx.state.get(def.name));
  const version = ctx.now();
  if (!prior) await w.activateVersion(version);
  const resource = LIST_RESOURCES[def.resource];
  const years = await ctx.fiscalYearsInScope();
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
  await w.activateVersion(version);
  ctx.state.set(def.name, { version } satisfies FullTableBookmark);
}
