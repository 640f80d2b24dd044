import { CHILD_RESOURCES, LIST_RESOURCES } from '../../pennylane/src/api.js';
import type { SingerCatalog } from '../../singer/src/catalog.js';
import type { Logger } from '../../singer/src/log.js';
import type { SingerMessage } from '../../singer/src/messages.js';
import { type SelectedStream, selectStreams } from './catalog/select.js';
import type { TapConfig } from './config.js';
import { type ClientStats, PennylaneClient } from './http/client.js';
import { STREAMS } from './streams/definitions.js';
import { type ChangeFeed, syncChangelogStream } from './sync/changelog.js';
import { syncChildTable } from './sync/child-table.js';
import type { ApiClient, ApiRecord, SyncContext } from './sync/context.js';
import { CountingClient } from './sync/counting-client.js';
import { Output, type StreamCounts, StreamWriter } from './sync/emitter.js';
import { syncExport } from './sync/export.js';
import { type FiscalYear, toFiscalYear, yearsInScope } from './sync/fiscal-years.js';
import { type RefreshSource, referencedId, syncFullTable } from './sync/full-table.js';
import { syncInvoiceLines } from './sync/invoice-lines.js';
import type { SplitPolicy } from './sync/listing.js';
import { syncPerFiscalYear } from './sync/per-fiscal-year.js';
import { checkScopes } from './sync/scopes.js';
import { foreignBookmarks, parseState, StateStore } from './sync/state.js';

export type { StreamCounts };

/** Stream lifecycle callbacks (the Airbyte adapter turns them into TRACE STREAM_STATUS messages). */
export type TapEvents = {
  streamStarted?(name: string): void;
  streamCompleted?(name: string, counts: StreamCounts): void;
  streamFailed?(name: string, error: Error): void;
};

export type StreamResult = StreamCounts & {
  status: 'ok' | 'failed';
  /** API calls answered for this stream (pages, polls, creations). */
  requests: number;
  seconds: number;
  error?: string;
};

export type TapSummary = {
  /** Every selected stream completed. */
  ok: boolean;
  streams: Record<string, StreamResult>;
  streamsOk: number;
  streamsTotal: number;
  records: number;
  deleted: number;
  /** HTTP requests sent, retries and downloads included. */
  requests: number;
  retries: number;
  rateWaits: number;
  seconds: number;
  /** The first failure, one line, when !ok. */
  error?: string;
};

export type RunTapOptions = {
  config: TapConfig;
  catalog: SingerCatalog;
  /** The state value from --state (what the target printed last); undefined = first run. */
  state: unknown;
  emit: (message: SingerMessage) => Promise<void>;
  log: Logger;
  events?: TapEvents;
  /** A client to use instead of building one from the config (closing it is then the caller's job). */
  client?: ApiClient & { readonly stats?: ClientStats };
  /** Clock of the run (ms since the epoch). */
  now?: () => number;
  /** A STATE every this many records inside long streams (default 10,000). */
  stateEvery?: number;
  /** Progress line period on stderr (default 10 s; 0 = none). */
  progressEveryMs?: number;
  /** How big listings are cut into id ranges read side by side (default: from the rate budget). */
  splitPolicy?: SplitPolicy;
};

type Deferred<T> = { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void };

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a waiter may not exist: not an unhandled rejection
  return { promise, resolve, reject };
}

/** Streams that can emit deletes get `_sdc_deleted_at` in their SCHEMA. */
const emitsDeletes = (s: SelectedStream): boolean =>
  s.definition.kind === 'changelog' ||
  s.definition.kind === 'export' ||
  s.definition.kind === 'child_changelog' ||
  s.definition.kind === 'per_fiscal_year' ||
  (s.definition.kind === 'full_table' && s.definition.refreshFrom !== undefined);

const oneLine = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');

/**
 * One sync run: checks the token's scopes, then syncs every selected stream concurrently (the client's
 * rate limiter shares the budget), each message emitted whole through `emit`. A STATE follows each
 * completed stream and ends the run; it only ever carries bookmarks whose records were emitted before it.
 * A failing stream does not stop the others; the summary says which failed (ok: false).
 */
export async function runTap(opts: RunTapOptions): Promise<TapSummary> {
  const started = performance.now();
  const { config, log } = opts;
  const now = opts.now ?? Date.now;
  const state = new StateStore(parseState(opts.state, 'state'));
  const selected = selectStreams(opts.catalog);
  const streams = selected.map((s) => ({ name: s.definition.name, kind: s.definition.kind }));
  const everyStream = STREAMS.map((d) => d.name);
  for (const line of foreignBookmarks(state.snapshot(), everyStream, streams)) log.warn(line);
  const own = opts.client
    ? undefined
    : new PennylaneClient({
        baseUrl: config.baseUrl,
        token: config.apiToken,
        timeoutMs: config.requestTimeoutSeconds * 1000,
        rateLimit: { requests: config.rateLimitRequests, windowMs: config.rateLimitWindowSeconds * 1000 },
        log,
      });
  const inner = opts.client ?? own!;
  const client = new CountingClient(inner);
  const stats = (): ClientStats | undefined => inner.stats;
  try {
    await checkScopes(client, selected);
    const out = new Output(opts.emit, state, opts.stateEvery);

    // Fiscal years: listed by the fiscal_years stream when it is selected, else once on demand.
    const fiscal = deferred<FiscalYear[]>();
    const fiscalSelected = selected.some((s) => s.definition.name === 'fiscal_years');
    let fiscalFetch: Promise<FiscalYear[]> | undefined;
    const fiscalYearsInScope = async (): Promise<FiscalYear[]> => {
      let all: FiscalYear[];
      if (fiscalSelected) all = await fiscal.promise;
      else {
        fiscalFetch ??= listFiscalYears(client);
        all = await fiscalFetch;
      }
      return yearsInScope(all, config.fiscalYearsBack, config.startDate);
    };
    const ctx: SyncContext = {
      config,
      client,
      state,
      out,
      log,
      now,
      fiscalYearsInScope,
      ...(opts.splitPolicy ? { splitPolicy: opts.splitPolicy } : {}),
    };

    // Change feeds: a changelog stream that another selected stream refreshes from (ledger_entry_lines),
    // or whose events the invoice lines streams take instead of reading the same changelog again.
    const feeds = new Map<string, Deferred<ChangeFeed> & { ids: Set<number>; idField: string }>();
    for (const s of selected) {
      const def = s.definition;
      if (def.kind === 'child_changelog') {
        const parent = CHILD_RESOURCES[def.child].parent;
        const source = selected.find((x) => x.definition.name === parent);
        if (source?.definition.kind === 'changelog' && !feeds.has(parent))
          feeds.set(parent, { ...deferred<ChangeFeed>(), ids: new Set(), idField: 'id' });
        continue;
      }
      if (def.kind !== 'full_table' || !def.refreshFrom) continue;
      const source = selected.find((x) => x.definition.name === def.refreshFrom?.stream);
      if (source?.definition.kind === 'changelog') {
        feeds.set(source.definition.name, {
          ...deferred<ChangeFeed>(),
          ids: new Set(),
          idField: def.refreshFrom.idField,
        });
      }
    }

    const results: Record<string, StreamResult> = {};
    const running = new Set<string>();
    const writers = new Map<string, StreamWriter>();
    const progressEvery = opts.progressEveryMs ?? 10_000;
    const timer =
      progressEvery > 0
        ? setInterval(() => {
            const records = [...writers.values()].reduce((n, w) => n + w.counts.records, 0);
            const st = stats();
            const perStream = [...running].map((n) => `${n} ${writers.get(n)?.counts.records ?? 0}`);
            log.info(
              `progress: ${records} records, ${st?.requests ?? '?'} requests, ${st?.rateWaits ?? '?'} rate waits; running (records): ${perStream.join(', ')}`,
            );
          }, progressEvery)
        : undefined;
    timer?.unref();

    const runStream = async (s: SelectedStream): Promise<void> => {
      const def = s.definition;
      const t = performance.now();
      const w = new StreamWriter(out, s, emitsDeletes(s));
      writers.set(def.name, w);
      running.add(def.name);
      opts.events?.streamStarted?.(def.name);
      const feed = feeds.get(def.name);
      try {
        await w.schema();
        switch (def.kind) {
          case 'changelog': {
            const observe = feed
              ? (record: ApiRecord) => {
                  const id = referencedId(record, feed.idField);
                  if (id !== undefined) feed.ids.add(id);
                }
              : undefined;
            const outcome = await syncChangelogStream(ctx, w, def, observe);
            feed?.resolve(outcome);
            break;
          }
          case 'full_table': {
            const source = def.refreshFrom ? feeds.get(def.refreshFrom.stream) : undefined;
            const refresh: RefreshSource | undefined = source
              ? { feed: source.promise, ids: source.ids }
              : undefined;
            if (def.refreshFrom && !source) {
              log.info(
                `${def.name}: ${def.refreshFrom.stream} is not selected, so ${def.name} is listed in full`,
              );
            }
            const years: FiscalYear[] = [];
            const collect =
              def.name === 'fiscal_years' ? (r: ApiRecord) => years.push(toFiscalYear(r)) : undefined;
            await syncFullTable(ctx, w, def, {
              ...(refresh ? { refresh } : {}),
              ...(collect ? { collect } : {}),
            });
            if (collect) fiscal.resolve(years);
            break;
          }
          case 'export':
            await syncExport(ctx, w, def);
            break;
          case 'per_fiscal_year':
            await syncPerFiscalYear(ctx, w, def);
            break;
          case 'child_table':
            await syncChildTable(ctx, w, def);
            break;
          case 'child_changelog':
            await syncInvoiceLines(ctx, w, def, feeds.get(CHILD_RESOURCES[def.child].parent)?.promise);
            break;
        }
        await out.emitState();
        const seconds = (performance.now() - t) / 1000;
        results[def.name] = { ...w.counts, status: 'ok', requests: client.requests(def.name), seconds };
        log.info(
          `${def.name}: ok, ${w.counts.records} records (${w.counts.deleted} deleted), ${client.requests(def.name)} requests, ${seconds.toFixed(1)} s`,
        );
        opts.events?.streamCompleted?.(def.name, { ...w.counts });
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const message = oneLine(error).startsWith(def.name)
          ? oneLine(error)
          : `${def.name}: ${oneLine(error)}`;
        feed?.reject(new Error(`${def.name} failed first (${message})`));
        if (def.name === 'fiscal_years') fiscal.reject(new Error(`fiscal_years failed first (${message})`));
        const seconds = (performance.now() - t) / 1000;
        results[def.name] = {
          ...w.counts,
          status: 'failed',
          requests: client.requests(def.name),
          seconds,
          error: message,
        };
        log.error(message);
        opts.events?.streamFailed?.(def.name, error);
      } finally {
        running.delete(def.name);
      }
    };

    try {
      await Promise.all(selected.map(runStream));
    } finally {
      if (timer) clearInterval(timer);
    }
    await out.emitState();

    const list = Object.values(results);
    const failed = selected.map((s) => results[s.definition.name]).find((r) => r?.status === 'failed');
    const st = stats();
    const summary: TapSummary = {
      ok: !failed,
      streams: Object.fromEntries(selected.map((s) => [s.definition.name, results[s.definition.name]!])),
      streamsOk: list.filter((r) => r.status === 'ok').length,
      streamsTotal: selected.length,
      records: list.reduce((n, r) => n + r.records, 0),
      deleted: list.reduce((n, r) => n + r.deleted, 0),
      requests: st?.requests ?? [...client.byStream.values()].reduce((a, b) => a + b, 0),
      retries: st?.retries ?? 0,
      rateWaits: st?.rateWaits ?? 0,
      seconds: (performance.now() - started) / 1000,
    };
    if (failed?.error) summary.error = failed.error;
    return summary;
  } finally {
    await own?.close();
  }
}

async function listFiscalYears(client: ApiClient): Promise<FiscalYear[]> {
  const years: FiscalYear[] = [];
  const resource = LIST_RESOURCES.fiscal_years;
  const pages = client.paginate<ApiRecord>(
    resource.path,
    { sort: 'id', limit: resource.maxLimit },
    {
      stream: 'fiscal_years',
    },
  );
  for await (const page of pages) for (const r of page) years.push(toFiscalYear(r));
  return years;
}

/** `tap-pennylane: 20/20 streams ok, 7436 records (123 deleted), 96 requests, 21.4 s` */
export const formatSummary = (s: TapSummary): string =>
  `tap-pennylane: ${s.streamsOk}/${s.streamsTotal} streams ok, ${s.records} records (${s.deleted} deleted), ${s.requests} requests, ${s.seconds.toFixed(1)} s`;
