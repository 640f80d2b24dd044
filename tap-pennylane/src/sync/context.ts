import type { Logger } from '../../../singer/src/log.js';
import type { TapConfig } from '../config.js';
import type { ChangelogEvent, PennylaneClient } from '../http/client.js';
import type { Output } from './emitter.js';
import type { FiscalYear } from './fiscal-years.js';
import type { SplitPolicy } from './listing.js';
import type { StateStore } from './state.js';

export type { ChangelogEvent };

/** The part of PennylaneClient the engine uses (a counting wrapper stands in for it, see tap.ts). */
export type ApiClient = Pick<
  PennylaneClient,
  'getJson' | 'postJson' | 'paginate' | 'paginateChangelog' | 'download'
>;

/** Everything a stream's sync needs; one per run, shared by the concurrent streams. */
export type SyncContext = {
  config: TapConfig;
  client: ApiClient;
  state: StateStore;
  out: Output;
  log: Logger;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
  /** The fiscal years in scope for exports and trial balances (listed once per run). */
  fiscalYearsInScope: () => Promise<FiscalYear[]>;
  /** How big listings are cut into id ranges (default: from the rate budget, see listing.ts). */
  splitPolicy?: SplitPolicy;
};

export type ApiRecord = Record<string, unknown> & { id?: number };

/** `filter` for `id in [...]`, the only way to fetch many records by id. */
export const idInFilter = (ids: readonly number[]): string =>
  JSON.stringify([{ field: 'id', operator: 'in', value: ids }]);

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
