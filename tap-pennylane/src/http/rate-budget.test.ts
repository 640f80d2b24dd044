import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../singer/src/log.js';
import { PennylaneClient } from './client.js';
import {
  page,
  type ScriptedServer,
  ServerRateLimit,
  sendJson,
  startScriptedServer,
} from './test/scripted-server.js';

/**
 * The client against a server that enforces a budget strictly (counted on arrival, 429 beyond it), with
 * random latency: no 429, and close to the time the budget allows. The window is scaled down (25 per
 * second) to keep the test short; the limiter does not depend on the scale. Timing is asserted loosely.
 */
const notes: string[] = [];
const log = createLogger('test-budget', (line) => notes.push(line));
const servers: ScriptedServer[] = [];
const clients: PennylaneClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

const PAGES = 20;

/** `/s<k>` lists PAGES pages; a random 0–40 ms delay before each answer. */
async function limitedServer(limit: ServerRateLimit, opts: { burst429?: number } = {}) {
  let burst = opts.burst429 ?? 0;
  const server = await startScriptedServer((req, res) => {
    if (burst > 0) {
      burst--;
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
      return res.end('Rate limit exceeded. Please retry in 1 seconds.');
    }
    if (!limit.admit(res)) return;
    const n = Number(req.query.get('cursor') ?? '0');
    setTimeout(
      () => sendJson(res, 200, page([{ id: n }], n + 1 < PAGES ? String(n + 1) : null)),
      Math.random() * 40,
    );
  });
  servers.push(server);
  return server;
}

function client(baseUrl: string, requests: number, windowMs: number) {
  const c = new PennylaneClient({
    baseUrl,
    token: 'budget-test-token',
    timeoutMs: 5000,
    rateLimit: { requests, windowMs },
    log,
  });
  clients.push(c);
  return c;
}

async function readStreams(c: PennylaneClient, streams: number): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: streams }, async (_, k) => {
      let rows = 0;
      for await (const items of c.paginate(`/s${k}`, { limit: 1, sort: 'id' }, { stream: `s${k}` }))
        rows += items.length;
      return rows;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

describe('the shared rate budget', () => {
  it('makes 80 requests from 4 concurrent streams with no 429, close to the floor time', async () => {
    const limit = new ServerRateLimit(25, 1000);
    const server = await limitedServer(limit);
    const c = client(server.baseUrl, 25, 1000);
    const started = performance.now();
    assert.equal(await readStreams(c, 4), 80);
    const seconds = (performance.now() - started) / 1000;
    const floor = 80 / 25; // requests ÷ budget per second
    assert.equal(limit.rejected, 0);
    assert.equal(c.stats.rateLimited, 0);
    assert.equal(c.stats.requests, 80);
    assert.ok(c.stats.rateWaits > 0, 'the limiter had to hold requests back');
    // Loose on purpose (shared CI cores): about 3.1 s when idle; a limiter serialising requests takes far longer.
    assert.ok(seconds < floor * 2, `took ${seconds.toFixed(2)} s for a floor of ${floor} s`);
  });

  it('slows down when the headers show another client spending the same token', async () => {
    const limit = new ServerRateLimit(25, 1000);
    const now = Date.now();
    for (let i = 0; i < 20; i++) limit.arrivals.push(now);
    const server = await limitedServer(limit);
    const c = client(server.baseUrl, 25, 1000);
    assert.equal(await readStreams(c, 2), 40);
    assert.equal(limit.rejected, 0);
    assert.ok(
      notes.some((l) => /another client shares the token/.test(l)),
      'the slowdown is logged',
    );
  });

  it('pauses every stream after a 429 and completes the listing', async () => {
    const limit = new ServerRateLimit(1000, 1000);
    const server = await limitedServer(limit, { burst429: 3 });
    const c = client(server.baseUrl, 1000, 1000);
    const started = performance.now();
    assert.equal(await readStreams(c, 3), 60);
    assert.equal(c.stats.rateLimited, 3);
    assert.equal(c.stats.retries, 0);
    assert.ok(performance.now() - started >= 990, 'waited the retry-after');
  });
});
