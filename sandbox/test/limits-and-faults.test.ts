import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.js';
import { client, type Json, START } from './support.js';

async function withSandbox(opts: Parameters<typeof startSandbox>[0], body: (sb: Sandbox) => Promise<void>) {
  const sandbox = await startSandbox({
    seed: 23,
    startTime: START,
    size: { customerInvoices: 50, supplierInvoices: 30, transactions: 60 },
    ...opts,
  });
  try {
    await body(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('authentication and scopes', () => {
  it('answers 401 in the spec shape without a token or with a wrong one', () =>
    withSandbox({ rateLimit: false }, async (sb) => {
      for (const token of ['', 'wrong']) {
        const res = await client(sb, token).get('/customers');
        assert.equal(res.status, 401);
        assert.deepEqual(res.json(), { error: 'The access token is invalid', status: 401 });
      }
    }));

  it('answers 403 naming the missing scope; :all satisfies :readonly; /me needs no scope and lists the scopes', () =>
    withSandbox({ rateLimit: false, scopes: ['customers:readonly', 'suppliers:all'] }, async (sb) => {
      const api = client(sb);
      assert.equal((await api.get('/customers')).status, 200);
      assert.equal((await api.get('/suppliers')).status, 200);
      const denied = await api.get('/ledger_entry_lines');
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.json(), {
        error: 'Access to this resource requires scope "ledger_entries:readonly".',
        status: 403,
      });
      assert.equal((await api.get('/changelogs/products')).status, 403);
      assert.equal((await api.get('/fiscal_years')).status, 403);
      assert.deepEqual((await api.get('/me')).json().scopes, ['customers:readonly', 'suppliers:all']);
      sb.control.setScopes(['fiscal_years:readonly']);
      assert.equal((await api.get('/fiscal_years')).status, 200);
      assert.equal((await api.get('/customers')).status, 403);
    }));
});

describe('rate limit', () => {
  it("defaults to Pennylane's 25 requests per 5 s, with ratelimit headers on every response", () =>
    withSandbox({}, async (sb) => {
      const res = await client(sb).get('/journals');
      assert.equal(res.headers.get('ratelimit-limit'), '25');
      assert.equal(res.headers.get('ratelimit-remaining'), '24');
      const reset = Number(res.headers.get('ratelimit-reset')) * 1000;
      const now = sb.control.now().getTime();
      assert.ok(reset > now && reset <= now + 6_000, 'reset: end of the 5 s window, epoch seconds');
    }));

  it('answers the request over the limit 429 in plain text with retry-after, until the window ends', () =>
    // A long window: a loaded machine's real time must not end it in the middle of the test.
    withSandbox({ rateLimit: { requests: 25, windowMs: 600_000 } }, async (sb) => {
      const api = client(sb);
      for (let i = 1; i <= 25; i++) {
        const res = await api.get('/journals');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('ratelimit-remaining'), String(25 - i));
        assert.match(res.headers.get('ratelimit-reset') ?? '', /^\d{10}$/);
      }
      const limited = await api.get('/journals');
      assert.equal(limited.status, 429);
      assert.match(limited.headers.get('content-type') ?? '', /^text\/plain/);
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 600);
      assert.equal(limited.text, `Rate limit exceeded. Please retry in ${retry} seconds.`);
      assert.equal(limited.headers.get('ratelimit-remaining'), '0');
      sb.control.advanceClock(600_000);
      assert.equal((await api.get('/journals')).status, 200);
      assert.equal(sb.control.counters().byStatus['429'], 1);
    }));

  it('can be configured or turned off at run time', () =>
    withSandbox({ rateLimit: { requests: 3, windowMs: 60_000 } }, async (sb) => {
      const api = client(sb);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await api.get('/me')).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      sb.control.setRateLimit(false);
      const res = await api.get('/me');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-limit'), null);
    }));
});

describe('faults and counters', () => {
  it('injects 429 bursts, 5xx, resets, truncated and malformed bodies, only under pathPrefix, and counts every request', () =>
    withSandbox({ rateLimit: false }, async (sb) => {
      const api = client(sb);
      sb.control.setFaults({ rateLimitBurst: 2 });
      assert.deepEqual(
        [(await api.get('/me')).status, (await api.get('/me')).status, (await api.get('/me')).status],
        [429, 429, 200],
      );

      sb.control.setFaults({ errorRate: 1, pathPrefix: '/customers' });
      const failed = await api.get('/customers');
      assert.ok([500, 502, 503].includes(failed.status));
      assert.equal(failed.json().status, failed.status);
      assert.equal((await api.get('/suppliers')).status, 200);

      sb.control.setFaults({ resetRate: 1 });
      await assert.rejects(api.get('/me'));

      sb.control.setFaults({ truncateRate: 1 });
      await assert.rejects(async () => (await api.get('/journals')).json());

      sb.control.setFaults({ malformedRate: 1 });
      const malformed = await api.get('/journals');
      assert.equal(malformed.status, 200);
      assert.throws(() => malformed.json(), SyntaxError);

      sb.control.setFaults({ latencyMs: 150 });
      const t = Date.now();
      await api.get('/me');
      assert.ok(Date.now() - t >= 140);
      sb.control.clearFaults();

      const counters = sb.control.counters();
      assert.equal(counters.byStatus.reset, 1);
      assert.equal(counters.byPath['/api/external/v2/me'], 5); // 3 for the burst, 1 reset, 1 slow
      assert.equal(
        counters.total,
        Object.values(counters.byStatus).reduce((a, b) => a + b, 0),
      );
      sb.control.resetCounters();
      assert.deepEqual(sb.control.counters(), { total: 0, byPath: {}, byStatus: {} });
    }));

  it('serves the hostile answers a client must survive: HTML gateway pages, stalled bodies, wrong-shaped envelopes', () =>
    withSandbox({ rateLimit: { requests: 1000, windowMs: 60_000 } }, async (sb) => {
      const api = client(sb);
      const normal = (await api.get('/customers', { limit: 3 })).json();

      // A gateway's page: HTML, no rate-limit headers, before authentication (a wrong token gets it too).
      sb.control.setFaults({ htmlErrorRate: 1 });
      for (const c of [api, client(sb, 'wrong')]) {
        const page = await c.get('/customers');
        assert.ok([502, 503, 504].includes(page.status), String(page.status));
        assert.equal(page.headers.get('content-type'), 'text/html');
        assert.equal(page.headers.get('ratelimit-limit'), null);
        assert.match(page.text, new RegExp(`<title>${page.status} [A-Za-z -]+</title>`));
      }

      // A stalled body: status and headers at once, the second half of the body stallMs later.
      sb.control.setFaults({ stallRate: 1, stallMs: 400 });
      const started = Date.now();
      const res = await fetch(`${sb.baseUrl}/customers?limit=3`, {
        headers: { authorization: `Bearer ${sb.token}` },
      });
      const headersAfter = Date.now() - started;
      assert.equal(res.status, 200);
      const text = await res.text();
      const bodyAfter = Date.now() - started;
      assert.ok(headersAfter < 300, `headers after ${headersAfter} ms`);
      assert.ok(bodyAfter >= 380, `body after ${bodyAfter} ms`);
      assert.deepEqual(JSON.parse(text), normal);

      // Valid JSON, wrong envelope: 2xx bodies wrapped in {"data": …}; errors and POSTs keep their shape.
      sb.control.setFaults({ wrongShapeRate: 1 });
      const wrapped = await api.get('/customers', { limit: 3 });
      assert.equal(wrapped.status, 200);
      assert.deepEqual(wrapped.json(), { data: normal });
      assert.deepEqual(Object.keys((await api.get('/me')).json()), ['data']);
      assert.deepEqual((await api.get('/customers/1')).json(), { error: 'Not Found', status: 404 });
      const created = await api.post('/exports/fecs', {
        period_start: '2026-01-01',
        period_end: '2026-01-31',
      });
      assert.equal(created.status, 201);
      assert.equal(created.json().status, 'pending');
      sb.control.clearFaults();

      assert.equal((await api.get('/customers', { limit: 3 })).json().items.length, 3);
      const statuses = sb.control.counters().byStatus;
      assert.equal((statuses['502'] ?? 0) + (statuses['503'] ?? 0) + (statuses['504'] ?? 0), 2);
    }));

  it('draws faults deterministically: the same faults and requests give the same statuses', () =>
    withSandbox({ rateLimit: false }, async (sb) => {
      const api = client(sb);
      const run = async () => {
        sb.control.setFaults({ errorRate: 0.5 });
        const statuses = [];
        for (let i = 0; i < 12; i++) statuses.push((await api.get('/journals')).status);
        return statuses;
      };
      const first = await run();
      assert.ok(first.includes(200) && first.some((s) => s >= 500), first.join(','));
      assert.deepEqual(await run(), first);
    }));
});

describe('control over HTTP', () => {
  it('exposes the control operations as JSON under controlUrl', () =>
    withSandbox({ rateLimit: false }, async (sb) => {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(sb.controlUrl + path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Json };
      };
      const created = await call('POST', '/records/products', { label: 'Lampe de test' });
      assert.equal(created.status, 201);
      assert.equal(created.body.label, 'Lampe de test');
      const updated = await call('PATCH', `/records/products/${created.body.id}`, { unit: 'kg' });
      assert.equal(updated.body.unit, 'kg');
      const listed = await call('GET', '/records/products');
      assert.deepEqual(listed.body[0], updated.body);
      assert.equal((await call('DELETE', `/records/products/${created.body.id}`)).status, 200);
      assert.equal((await call('DELETE', `/records/products/${created.body.id}`)).status, 404);
      const before = Date.parse((await call('GET', '/now')).body.now);
      const moved = Date.parse((await call('POST', '/clock/advance', { ms: 3_600_000 })).body.now);
      assert.ok(moved - before >= 3_600_000);
      assert.equal((await call('PUT', '/faults', { rateLimitBurst: 1 })).status, 200);
      assert.equal((await client(sb).get('/me')).status, 429);
      assert.equal((await call('GET', '/counters')).body.byStatus['429'], 1);
      assert.equal((await call('PUT', '/scopes', { scopes: [] })).status, 200);
      assert.equal((await client(sb).get('/customers')).status, 403);
      const fec = await call('GET', '/fec-rows?period_start=2026-01-01&period_end=2026-01-31');
      assert.deepEqual(fec.body, sb.control.fecRows('2026-01-01', '2026-01-31'));
      assert.equal((await call('GET', '/nothing')).status, 404);
    }));
});
