import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PREFIX, EXPORT_FILE_URL_TTL_MS, RATE_LIMIT } from '../../pennylane/src/api.js';
import { ALL_SCOPES, Core } from './core.js';
import { resolveCounts } from './data/sizes.js';
import { createHandler } from './http/server.js';
import { Store } from './store.js';
import type { Sandbox, SandboxOptions } from './types.js';

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
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? DEFAULT_SEED;
  const counts = resolveCounts(opts.size);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const apiBase = `${origin}${API_PREFIX}`;
  const store = new Store({
    seed,
    counts,
    startTime: opts.startTime ?? new Date(),
    apiBase,
  });
  const core = new Core(store, {
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
  core.fileOrigin = `http://localhost:${port}`;
  const handler = createHandler(core);
  server.on('request', handler);
  // `localhost` may resolve to ::1 first: answer there too on the same port when IPv6 loopback exists.
  const v6 = host === '127.0.0.1' ? createServer(handler) : undefined;
  await new Promise<void>((resolve) => {
    if (!v6) return resolve();
    v6.once('error', () => resolve());
    v6.listen(port, '::1', () => resolve());
  });
  return {
    baseUrl: apiBase,
    token: core.opts.token,
    controlUrl: `${origin}/_sandbox`,
    control: core.control(),
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
