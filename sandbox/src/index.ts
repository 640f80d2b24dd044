import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PREFIX, EXPORT_FILE_URL_TTL_MS, RATE_LIMIT } from '../../pennylane/src/api.js';
import { ALL_SCOPES, Core } from './core.js';
import { resolveCounts } from './data/sizes.js';
import { type CoreRouter, createHandler } from './http/server.js';
import { Store } from './store.js';
import type { Sandbox, SandboxControl, SandboxOptions } from './types.js';

export { ALL_SCOPES } from './core.js';
export { LARGE, SMALL } from './data/sizes.js';
export type * from './types.js';

export const DEFAULT_TOKEN = 'sandbox-token';
export const DEFAULT_SEED = 42;

/**
 * Starts a local fake of the Pennylane API v2 on 127.0.0.1 (see docs/manual/sandbox.md). The data is a
 * deterministic function of (seed, size, UTC day of startTime).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  let core: Core | undefined;
  const server = await listen(opts, (apiBase) => {
    core = makeCore(opts, apiBase);
    return core;
  });
  return {
    baseUrl: server.apiBase,
    token: core!.opts.token,
    controlUrl: `${server.origin}/_sandbox`,
    control: core!.control(),
    close: server.close,
  };
}

/** One company of a many-companies sandbox, as `startCompaniesSandbox` returns it. */
export type SandboxCompany = { name: string; token: string; controlUrl: string; control: SandboxControl };

export type CompaniesSandbox = {
  baseUrl: string;
  companies: SandboxCompany[];
  close(): Promise<void>;
};

/**
 * Several companies on one port (a firm's portfolio): each has its own data (seed, size), its own
 * token and its own rate-limit budget, as each Pennylane company token does. Requests reach the
 * company whose token they carry; control routes are `/_sandbox/companies/<name>/…`.
 */
export async function startCompaniesSandbox(
  companies: (SandboxOptions & { name: string; token: string })[],
  common: Pick<SandboxOptions, 'host' | 'port'> = {},
): Promise<CompaniesSandbox> {
  if (companies.length === 0) throw new Error('startCompaniesSandbox: no company');
  const byName = new Map<string, Core>();
  const server = await listen(common, (apiBase) => {
    for (const c of companies) {
      if (byName.has(c.name)) throw new Error(`startCompaniesSandbox: company ${c.name} twice`);
      if ([...byName.values()].some((core) => core.opts.token === c.token)) {
        throw new Error(`startCompaniesSandbox: company ${c.name} reuses another company's token`);
      }
      byName.set(c.name, makeCore(c, apiBase));
    }
    return { first: byName.get(companies[0]!.name)!, byName };
  });
  return {
    baseUrl: server.apiBase,
    companies: companies.map((c) => ({
      name: c.name,
      token: c.token,
      controlUrl: `${server.origin}/_sandbox/companies/${c.name}`,
      control: byName.get(c.name)!.control(),
    })),
    close: server.close,
  };
}

function makeCore(opts: SandboxOptions, apiBase: string): Core {
  const seed = opts.seed ?? DEFAULT_SEED;
  const store = new Store({
    seed,
    counts: resolveCounts(opts.size),
    startTime: opts.startTime ?? new Date(),
    apiBase,
  });
  return new Core(store, {
    token: opts.token ?? DEFAULT_TOKEN,
    scopes: opts.scopes ?? ALL_SCOPES,
    rateLimit: opts.rateLimit === undefined ? { ...RATE_LIMIT } : opts.rateLimit,
    exportDelayMs: opts.exportDelayMs ?? 1500,
    fileUrlTtlMs: opts.fileUrlTtlMs ?? EXPORT_FILE_URL_TTL_MS,
    fecDialect: opts.fecDialect ?? { separator: '\t', encoding: 'utf-8' },
    aglPartOrder: opts.aglPartOrder ?? 'streaming',
    seed,
    apiBase,
  });
}

/** The HTTP server (127.0.0.1, and ::1 on the same port when it exists) around the core(s). */
async function listen(
  opts: Pick<SandboxOptions, 'host' | 'port'>,
  build: (apiBase: string) => Core | CoreRouter,
): Promise<{ apiBase: string; origin: string; close: () => Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const apiBase = `${origin}${API_PREFIX}`;
  let built: Core | CoreRouter;
  try {
    built = build(apiBase);
  } catch (err) {
    // Bad options (a size, a company twice) must not leave the port open: the caller never gets a close().
    server.close();
    throw err;
  }
  for (const core of built instanceof Core ? [built] : built.byName.values()) {
    core.fileOrigin = `http://localhost:${port}`;
  }
  const handler = createHandler(built);
  server.on('request', handler);
  // `localhost` may resolve to ::1 first: answer there too on the same port when IPv6 loopback exists.
  const v6 = host === '127.0.0.1' ? createServer(handler) : undefined;
  await new Promise<void>((resolve) => {
    if (!v6) return resolve();
    v6.once('error', () => resolve());
    v6.listen(port, '::1', () => resolve());
  });
  return {
    apiBase,
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (v6?.listening) {
          v6.close();
          v6.closeAllConnections();
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
