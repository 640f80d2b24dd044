import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../../sandbox/src/index.js';
import { createLogger } from '../../../singer/src/log.js';
import { PennylaneClient } from './client.js';

/**
 * The client against the sandbox (the faithful fake of Pennylane): its rate limit enforced, then its
 * fault injection. The window is scaled to 25 per second to keep the test short.
 */
const log = createLogger('test-http-sandbox', () => {});
let sandbox: Sandbox;
const clients: PennylaneClient[] = [];

before(async () => {
  sandbox = await startSandbox({ size: 'small', rateLimit: { requests: 25, windowMs: 1000 } });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sandbox.close();
});

function client(rateLimit = { requests: 25, windowMs: 1000 }) {
  const c = new PennylaneClient({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    timeoutMs: 5000,
    rateLimit,
    log,
    retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 50 },
  });
  clients.push(c);
  return c;
}

type Row = { id: number };
const ids = (rows: unknown[]) => rows.map((r) => (r as Row).id);

describe('PennylaneClient against the sandbox', () => {
  it('sends 80 requests from 4 concurrent streams under the enforced limit without a 429', async () => {
    sandbox.control.setFaults({});
    sandbox.control.setRateLimit({ requests: 25, windowMs: 1000 });
    sandbox.control.resetCounters();
    const c = client();
    const resources = ['customers', 'suppliers', 'products', 'customer_invoices'] as const;
    const started = performance.now();
    const listed = await Promise.all(
      resources.map(async (resource) => {
        const rows: Row[] = [];
        let pages = 0;
        for await (const items of c.paginate<Row>(
          `/${resource}`,
          { limit: 2, sort: 'id' },
          { stream: resource },
        )) {
          rows.push(...items);
          if (++pages === 20) break;
        }
        return rows;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const counters = sandbox.control.counters();
    assert.equal(counters.byStatus['429'] ?? 0, 0);
    assert.equal(counters.total, 80);
    assert.equal(c.stats.rateLimited, 0);
    resources.forEach((resource, i) => {
      assert.deepEqual(
        ids(listed[i]!),
        ids(sandbox.control.records(resource))
          .sort((a, b) => a - b)
          .slice(0, 40),
      );
    });
    // Loose: the floor is 80 ÷ 25 per second = 3.2 s; the limiter must not be much slower.
    assert.ok(seconds < 3.2 * 2, `took ${seconds.toFixed(2)} s`);
  });

  it('lists a whole resource exactly through 5xx, resets, cut-off and malformed bodies', async () => {
    sandbox.control.setRateLimit(false);
    sandbox.control.setFaults({ errorRate: 0.1, resetRate: 0.1, truncateRate: 0.1, malformedRate: 0.1 });
    sandbox.control.resetCounters();
    const c = client({ requests: 1000, windowMs: 1000 });
    const rows: Row[] = [];
    for await (const items of c.paginate<Row>('/customers', { limit: 10, sort: 'id' })) rows.push(...items);
    sandbox.control.clearFaults();
    assert.deepEqual(
      ids(rows),
      ids(sandbox.control.records('customers')).sort((a, b) => a - b),
    );
    assert.ok(c.stats.retries > 0, 'faults were injected and retried');
  });

  it('waits out a burst of 429 and finishes the listing', async () => {
    sandbox.control.setRateLimit(false);
    sandbox.control.setFaults({ rateLimitBurst: 2 });
    const c = client({ requests: 1000, windowMs: 1000 });
    const rows: Row[] = [];
    for await (const items of c.paginate<Row>('/products', { limit: 100, sort: 'id' })) rows.push(...items);
    sandbox.control.clearFaults();
    assert.equal(rows.length, sandbox.control.records('products').length);
    assert.equal(c.stats.rateLimited, 2);
  });
});
