import { CHANGELOG_RESOURCES, CHILD_RESOURCES, ID_LIST_RESOURCES } from '../../../pennylane/src/api.js';
import { startSandbox } from '../../../sandbox/src/index.js';
import type { Sandbox, SandboxOptions } from '../../../sandbox/src/types.js';
import type { SingerCatalog } from '../../../singer/src/catalog.js';
import { createLogger } from '../../../singer/src/log.js';
import type { SingerMessage } from '../../../singer/src/messages.js';
import { discoverCatalog } from '../../src/catalog/discover.js';
import { selectStreams } from '../../src/catalog/select.js';
import { type TapConfig, toTapConfig } from '../../src/config.js';
import { PennylaneClient } from '../../src/http/client.js';
import type { ApiClient } from '../../src/sync/context.js';
import type { SplitPolicy } from '../../src/sync/listing.js';
import { runTap, type TapSummary } from '../../src/tap.js';

/** A fast sandbox budget for the tests that are not about the rate limit. */
export const FAST = { requests: 2000, windowMs: 1000 };

export async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ rateLimit: FAST, exportDelayMs: 150, ...opts });
}

/** The tap's settings for a sandbox (as a config file holds them): its budget raised to match, export polls short. */
export const sandboxSettings = (sb: Sandbox): Record<string, unknown> => ({
  api_token: sb.token,
  base_url: sb.baseUrl,
  rate_limit_requests: FAST.requests,
  rate_limit_window_seconds: FAST.windowMs / 1000,
  export_poll_interval_seconds: 0.05,
});

/** The tap's config for a sandbox (sandboxSettings, with bounded export and request timeouts). */
export function configFor(sb: Sandbox, raw: Record<string, unknown> = {}): TapConfig {
  return toTapConfig({
    ...sandboxSettings(sb),
    export_poll_timeout_seconds: 20,
    request_timeout_seconds: 10,
    ...raw,
  });
}

/** The discovered catalog with only `names` selected (all streams when omitted). */
export function catalogOf(names?: readonly string[]): SingerCatalog {
  const catalog = discoverCatalog();
  if (!names) return catalog;
  for (const entry of catalog.streams) {
    const top = entry.metadata?.find((m) => m.breadcrumb.length === 0);
    if (top) top.metadata.selected = names.includes(entry.stream);
  }
  return catalog;
}

export type SyncResult = {
  messages: SingerMessage[];
  /** The last STATE value. */
  state: unknown;
  summary: TapSummary;
  logs: string[];
  /** HTTP requests the client sent (retries included). */
  requests: number;
};

/** One tap run in process, against the sandbox over real HTTP, on the sandbox's clock. */
export async function sync(
  sb: Sandbox,
  opts: {
    state?: unknown;
    catalog?: SingerCatalog;
    config?: Record<string, unknown>;
    /** The tap's clock (default: the sandbox's). */
    now?: () => number;
    /** Stand between the tap and its client (to act at a precise moment of the run). */
    wrapClient?: (client: PennylaneClient) => ApiClient;
    splitPolicy?: SplitPolicy;
  } = {},
): Promise<SyncResult> {
  const config = configFor(sb, opts.config);
  const messages: SingerMessage[] = [];
  const logs: string[] = [];
  const log = createLogger('tap-pennylane', (line) => logs.push(line));
  const client = new PennylaneClient({
    baseUrl: config.baseUrl,
    token: config.apiToken,
    timeoutMs: config.requestTimeoutSeconds * 1000,
    rateLimit: { requests: config.rateLimitRequests, windowMs: config.rateLimitWindowSeconds * 1000 },
    log,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  try {
    const summary = await runTap({
      config,
      catalog: opts.catalog ?? catalogOf(),
      state: opts.state,
      emit: async (m) => {
        messages.push(structuredClone(m));
      },
      log,
      client: opts.wrapClient ? opts.wrapClient(client) : client,
      now: opts.now ?? (() => sb.control.now().getTime()),
      progressEveryMs: 0,
      ...(opts.splitPolicy ? { splitPolicy: opts.splitPolicy } : {}),
    });
    const states = messages.filter((m) => m.type === 'STATE');
    return { messages, state: states.at(-1)?.value, summary, logs, requests: client.stats.requests };
  } finally {
    await client.close();
  }
}

type Row = Record<string, unknown>;

/**
 * What a Singer target would hold after applying the messages: upsert by key, delete on
 * `_sdc_deleted_at`, and ACTIVATE_VERSION removing rows of older (or no) versions.
 */
export class Replica {
  readonly tables = new Map<string, Map<string, { row: Row; version: number | undefined }>>();
  private readonly keys = new Map<string, string[]>();

  apply(messages: readonly SingerMessage[]): this {
    for (const m of messages) {
      if (m.type === 'SCHEMA') {
        this.keys.set(m.stream, m.key_properties);
        if (!this.tables.has(m.stream)) this.tables.set(m.stream, new Map());
      } else if (m.type === 'RECORD') {
        const keys = this.keys.get(m.stream);
        if (!keys) throw new Error(`RECORD of ${m.stream} before its SCHEMA`);
        const table = this.tables.get(m.stream)!;
        const id = JSON.stringify(keys.map((k) => m.record[k]));
        if (m.record._sdc_deleted_at) table.delete(id);
        else {
          const { _sdc_deleted_at, ...row } = m.record;
          table.set(id, { row, version: m.version });
        }
      } else if (m.type === 'ACTIVATE_VERSION') {
        const table = this.tables.get(m.stream);
        if (!table) throw new Error(`ACTIVATE_VERSION of ${m.stream} before its SCHEMA`);
        for (const [id, { version }] of table)
          if (version === undefined || version < m.version) table.delete(id);
      }
    }
    return this;
  }

  rows(stream: string): Row[] {
    return [...(this.tables.get(stream)?.values() ?? [])].map((r) => r.row);
  }
}

/** Rows sorted by key, for deepEqual. */
export const byKey = (rows: Row[], keys: string[] = ['id']): Row[] =>
  [...rows].sort((a, b) => {
    for (const k of keys) {
      const d = (a[k] as number) - (b[k] as number) || String(a[k]).localeCompare(String(b[k]));
      if (d) return d;
    }
    return 0;
  });

/** The sandbox's records of a stream as the tap would emit them (projected on the stream's schema). */
export function expected(sb: Sandbox, stream: string): Row[] {
  const selected = selectStreams(catalogOf([stream]))[0]!;
  const def = selected.definition;
  if (def.kind === 'child_changelog' || def.kind === 'child_table') {
    const child = CHILD_RESOURCES[def.child];
    const rows =
      def.kind === 'child_table'
        ? sb.control.categories()
        : sb.control
            .records(child.parent as 'customer_invoices' | 'supplier_invoices')
            .flatMap((invoice) =>
              sb.control
                .invoiceLines(child.parent as 'customer_invoices', invoice.id as number)
                .map((line) => ({ ...line, [child.parentField]: invoice.id })),
            );
    return byKey(rows.map((r) => selected.project(r)));
  }
  if (def.kind !== 'changelog' && def.kind !== 'full_table')
    throw new Error(`${stream} is not a list stream`);
  return byKey(sb.control.records(def.resource as never).map((r) => selected.project(r)));
}

export const LIST_STREAMS = ID_LIST_RESOURCES;

export const CHANGELOG_STREAMS = CHANGELOG_RESOURCES;
