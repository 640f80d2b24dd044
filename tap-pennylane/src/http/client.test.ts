import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../singer/src/log.js';
import { packageVersion } from '../../../singer/src/paths.js';
import { type ClientOptions, PennylaneClient } from './client.js';
import {
  BadRequestError,
  ChangelogWindowError,
  ExportUrlExpiredError,
  MissingScopeError,
  NetworkError,
  NotFoundError,
  PaginationError,
  ServerError,
  TokenRejectedError,
  UnprocessableError,
} from './errors.js';
import {
  type Handler,
  page,
  type ScriptedServer,
  sendJson,
  startScriptedServer,
} from './test/scripted-server.js';

const TOKEN = 'tok_live_SECRET_0123456789';
const logLines: string[] = [];
const log = createLogger('test-http', (line) => logLines.push(line));

const servers: ScriptedServer[] = [];
const clients: PennylaneClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function setup(handler: Handler, opts: Partial<ClientOptions> = {}) {
  const server = await startScriptedServer(handler);
  servers.push(server);
  const client = new PennylaneClient({
    baseUrl: server.baseUrl,
    token: TOKEN,
    timeoutMs: 2_000,
    rateLimit: { requests: 1000, windowMs: 1000 },
    log,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    ...opts,
  });
  clients.push(client);
  return { server, client };
}

const collect = async <T>(it: AsyncIterable<T[]>): Promise<T[]> => {
  const out: T[] = [];
  for await (const items of it) out.push(...items);
  return out;
};

describe('PennylaneClient.getJson', () => {
  it('sends the bearer token, Accept JSON and a User-Agent naming tap-pennylane and its version', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { ok: true }));
    assert.deepEqual(await client.getJson('/me'), { ok: true });
    const [req] = server.requests;
    assert.equal(req?.path, '/api/external/v2/me');
    assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req?.headers.accept, 'application/json');
    assert.match(
      req?.headers['user-agent'] ?? '',
      new RegExp(`^tap-pennylane/${packageVersion.replace(/\./g, '\\.')} `),
    );
  });

  it('prints a METRIC line per request at debug level, ids replaced in the endpoint', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, {}));
    const before = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      await client.getJson('/exports/fecs/123', undefined, { stream: 'fec' });
    } finally {
      process.env.LOG_LEVEL = before;
      if (before === undefined) delete process.env.LOG_LEVEL;
    }
    const line = logLines.find((l) => l.includes('METRIC'));
    assert.ok(line, 'a METRIC line was logged');
    const metric = JSON.parse(line.slice(line.indexOf('METRIC ') + 7));
    assert.equal(metric.metric, 'http_request_duration');
    assert.deepEqual(metric.tags, {
      endpoint: '/exports/fecs/{id}',
      http_status_code: 200,
      status: 'succeeded',
      stream: 'fec',
    });
  });

  it('sends filter objects as JSON and skips undefined parameters', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}));
    const filter = [{ field: 'id', operator: 'in', value: [1, 2] }];
    await client.getJson('/customers', { filter, limit: 100, sort: undefined });
    assert.equal(server.requests[0]?.query.get('filter'), JSON.stringify(filter));
    assert.equal(server.requests[0]?.query.get('limit'), '100');
    assert.equal(server.requests[0]?.query.has('sort'), false);
  });

  it('retries exactly two 503 responses, then returns the 200 body', async () => {
    const { server, client } = await setup((_req, res, n) =>
      n <= 2 ? sendJson(res, 503, { error: 'busy', status: 503 }) : sendJson(res, 200, { n }),
    );
    assert.deepEqual(await client.getJson('/customers'), { n: 3 });
    assert.equal(server.requests.length, 3);
    assert.equal(client.stats.retries, 2);
    assert.deepEqual(client.stats.byStatus, { 200: 1, 503: 2 });
  });

  it('gives up after maxAttempts 5xx with a ServerError naming the stream', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 502, { error: 'bad gateway' }));
    await assert.rejects(client.getJson('/products', {}, { stream: 'products' }), (err: unknown) => {
      assert.ok(err instanceof ServerError);
      assert.equal(err.status, 502);
      assert.match(err.message, /^GET \/products \(stream products\): 502 server error/);
      return true;
    });
    assert.equal(server.requests.length, 4);
  });

  it('waits the retry-after of a 429 and retries without using a failure attempt', async () => {
    const { server, client } = await setup(
      (_req, res, n) => {
        if (n === 1) {
          res.writeHead(429, {
            'content-type': 'text/plain',
            'retry-after': '1',
            'ratelimit-remaining': '0',
          });
          res.end('Rate limit exceeded. Please retry in 1 seconds.');
        } else sendJson(res, 200, { n });
      },
      { retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20 } },
    );
    assert.deepEqual(await client.getJson('/customers'), { n: 2 });
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    assert.ok(gap >= 990, `second request came ${gap} ms after the 429`);
    assert.equal(client.stats.rateLimited, 1);
    assert.equal(client.stats.retries, 0);
  });

  it('retries a body cut off by a connection reset', async () => {
    const { server, client } = await setup((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"items":[{"id":1},');
        setTimeout(() => res.socket?.destroy(), 10);
      } else sendJson(res, 200, { ok: n });
    });
    assert.deepEqual(await client.getJson('/customers'), { ok: 2 });
    assert.equal(server.requests.length, 2);
  });

  it('retries a 2xx whose body is not JSON', async () => {
    const { client } = await setup((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"items":[{"id":1},{"id"');
      } else sendJson(res, 200, { ok: n });
    });
    assert.deepEqual(await client.getJson('/customers'), { ok: 2 });
  });

  it('times out a silent server and reports a NetworkError after the attempts', async () => {
    const { server, client } = await setup(() => {}, {
      timeoutMs: 150,
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    });
    await assert.rejects(client.getJson('/customers'), (err: unknown) => {
      assert.ok(err instanceof NetworkError, String(err));
      assert.match(err.message, /timed out/);
      return true;
    });
    assert.equal(server.requests.length, 2);
  });

  it('rejects a 401 at once with a token error that never shows the token', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 401, { error: `The access token ${TOKEN} is invalid`, status: 401 }),
    );
    await assert.rejects(client.getJson('/me'), (err: unknown) => {
      assert.ok(err instanceof TokenRejectedError);
      assert.match(err.message, /token rejected.*PENNYLANE_API_TOKEN/);
      assert.ok(!err.message.includes(TOKEN));
      return true;
    });
    assert.equal(server.requests.length, 1);
    assert.ok(!logLines.some((l) => l.includes(TOKEN)));
  });

  it('names the missing scope and the stream on a 403', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 403, {
        error: 'Access to this resource requires scope "customers:readonly".',
        status: 403,
      }),
    );
    await assert.rejects(client.getJson('/customers', {}, { stream: 'customers' }), (err: unknown) => {
      assert.ok(err instanceof MissingScopeError);
      assert.equal(err.scope, 'customers:readonly');
      assert.equal(err.stream, 'customers');
      assert.match(err.message, /lacks scope "customers:readonly".*deselect stream customers/);
      return true;
    });
  });

  it('gives the API message of a 400 in either body shape, and a path for a 404', async () => {
    const { client } = await setup((req, res) => {
      if (req.path.endsWith('/a'))
        sendJson(res, 400, { message: 'limit is too big', code: 'MoreThanMaximum' });
      else if (req.path.endsWith('/b')) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('plain\ntext');
      } else sendJson(res, 404, { error: 'Not Found', status: 404 });
    });
    await assert.rejects(client.getJson('/a'), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.match(err.message, /400 bad request: limit is too big, code MoreThanMaximum/);
      return true;
    });
    await assert.rejects(client.getJson('/b'), /400 bad request: plain text/);
    await assert.rejects(
      client.getJson('/nope'),
      (err: unknown) => err instanceof NotFoundError && err.path === '/nope',
    );
  });

  it('maps a 422 on a changelog to ChangelogWindowError and elsewhere to UnprocessableError', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 422, { error: 'too old', status: 422 }));
    await assert.rejects(
      collect(
        client.paginateChangelog('/changelogs/customers', { startDate: '2020-01-01T00:00:00Z', limit: 1000 }),
      ),
      (err: unknown) => err instanceof ChangelogWindowError && err instanceof UnprocessableError,
    );
    await assert.rejects(
      client.getJson('/customers'),
      (err: unknown) => err instanceof UnprocessableError && !(err instanceof ChangelogWindowError),
    );
  });
});

describe('PennylaneClient.postJson', () => {
  it('sends the JSON body and does not repeat a POST answered by a 503', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 503, { error: 'down' }));
    await assert.rejects(client.postJson('/exports/fecs', { period_start: '2025-01-01' }), ServerError);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(server.requests[0]!.body), { period_start: '2025-01-01' });
  });

  it('repeats a POST whose connection was refused (it never reached the server)', async () => {
    const { server } = await setup(() => {});
    await server.close();
    const client = new PennylaneClient({
      baseUrl: server.baseUrl,
      token: TOKEN,
      timeoutMs: 1000,
      rateLimit: { requests: 100, windowMs: 1000 },
      log,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    clients.push(client);
    await assert.rejects(client.postJson('/exports/fecs', {}), /ECONNREFUSED/);
    assert.equal(client.stats.networkErrors, 3);
    assert.equal(client.stats.retries, 2);
  });
});

describe('PennylaneClient.paginate', () => {
  it('resends limit, sort and filter with the cursor on every page and stops when has_more is false', async () => {
    const { server, client } = await setup((req, res) => {
      const cursor = req.query.get('cursor');
      if (!cursor) sendJson(res, 200, page([{ id: 1 }, { id: 2 }], 'c1'));
      else if (cursor === 'c1') sendJson(res, 200, page([{ id: 3 }], 'c2'));
      else sendJson(res, 200, page([{ id: 4 }], null));
    });
    const filter = [{ field: 'id', operator: 'gt', value: 0 }];
    const rows = await collect(
      client.paginate<{ id: number }>('/customers', { limit: 2, sort: 'id', filter }),
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2, 3, 4],
    );
    assert.equal(server.requests.length, 3);
    for (const req of server.requests) {
      assert.equal(req.query.get('limit'), '2');
      assert.equal(req.query.get('sort'), 'id');
      assert.equal(req.query.get('filter'), JSON.stringify(filter));
    }
    assert.deepEqual(
      server.requests.map((r) => r.query.get('cursor')),
      [null, 'c1', 'c2'],
    );
  });

  it('accepts the four legacy offset keys when they are null', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, {
        ...page([{ id: 1 }], null),
        total_pages: null,
        current_page: null,
        total_items: null,
        per_page: null,
      }),
    );
    assert.equal((await collect(client.paginate('/journals', { limit: 100 }))).length, 1);
  });

  it('fails loudly on a cursor loop instead of reading forever', async () => {
    const { server, client } = await setup((req, res) =>
      sendJson(res, 200, page([{ id: 1 }], req.query.get('cursor') ? 'same' : 'same')),
    );
    await assert.rejects(
      collect(client.paginate('/customers', { limit: 1 }, { stream: 'customers' })),
      (err: unknown) => {
        assert.ok(err instanceof PaginationError);
        assert.match(err.message, /stream customers.*pagination loop/);
        return true;
      },
    );
    assert.equal(server.requests.length, 2);
  });

  it('fails loudly on a page-style response rather than read one page as the whole table', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, {
        items: [{ id: 1 }],
        has_more: false,
        next_cursor: null,
        total_pages: 7,
        current_page: 1,
      }),
    );
    await assert.rejects(collect(client.paginate('/ledger_entries', {})), /page-style \(total_pages=7\)/);
  });

  it('fails loudly when has_more is true without a next_cursor', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, { items: [], has_more: true, next_cursor: null }),
    );
    await assert.rejects(collect(client.paginate('/customers', {})), /has_more but gives no next_cursor/);
  });
});

describe('PennylaneClient.paginateChangelog', () => {
  it('sends start_date on the first page only, then cursor and limit alone', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.query.has('cursor') && req.query.has('start_date'))
        return sendJson(res, 400, { error: 'start_date and cursor', status: 400 });
      const cursor = req.query.get('cursor');
      const event = (id: number) => ({
        id,
        operation: 'update',
        processed_at: '2026-11-01T00:00:00Z',
        updated_at: '2026-11-01T00:00:00Z',
        created_at: '2026-10-01T00:00:00Z',
      });
      if (!cursor) sendJson(res, 200, page([event(1)], 'k1'));
      else sendJson(res, 200, page([event(2)], null));
    });
    const events = await collect(
      client.paginateChangelog('/changelogs/customers', {
        startDate: new Date('2026-11-01T00:00:00Z'),
        limit: 1000,
      }),
    );
    assert.deepEqual(
      events.map((e) => e.id),
      [1, 2],
    );
    const [first, second] = server.requests;
    assert.equal(first?.query.get('start_date'), '2026-11-01T00:00:00.000Z');
    assert.equal(first?.query.get('limit'), '1000');
    assert.deepEqual([...(second?.query.keys() ?? [])].sort(), ['cursor', 'limit']);
  });
});

describe('PennylaneClient.download', () => {
  const fileHandler: Handler = (req, res, n) => {
    if (req.path === '/_files/flaky' && n === 1) return sendJson(res, 503, {});
    if (req.path === '/api/external/v2/exports/fecs/1/file') {
      res.writeHead(302, {
        location: `http://localhost:${req.headers.host?.split(':')[1]}/_files/fec.txt?sig=1`,
      });
      return res.end();
    }
    if (req.path === '/_files/expired') {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`auth=${req.headers.authorization ?? 'none'}`);
  };
  const text = async (r: Readable) => {
    assert.ok(r instanceof Readable);
    let s = '';
    for await (const c of r) s += c;
    return s;
  };

  it('sends the token only to the API origin', async () => {
    const { server, client } = await setup(fileHandler);
    assert.equal(
      await text(await client.download(`http://localhost:${server.port}/_files/a.txt?sig=xyz`)),
      'auth=none',
    );
    assert.equal(
      await text(await client.download(`http://127.0.0.1:${server.port}/_files/b.txt`)),
      `auth=Bearer ${TOKEN}`,
    );
  });

  it('follows a redirect from the API to storage and drops the token on the way', async () => {
    const { server, client } = await setup(fileHandler);
    const body = await text(await client.download(`${server.baseUrl}/exports/fecs/1/file`));
    assert.equal(body, 'auth=none');
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(server.requests[1]?.headers.authorization, undefined);
  });

  it('retries the start of a download after a 503', async () => {
    const { server, client } = await setup(fileHandler);
    assert.equal(
      await text(await client.download(`http://localhost:${server.port}/_files/flaky`)),
      'auth=none',
    );
    assert.equal(server.requests.length, 2);
  });

  it('reports an expired file URL as ExportUrlExpiredError without its signature', async () => {
    const { client, server } = await setup(fileHandler);
    await assert.rejects(
      client.download(`http://localhost:${server.port}/_files/expired?X-Amz-Signature=s3cr3t`, {
        stream: 'fec',
      }),
      (err: unknown) => {
        assert.ok(err instanceof ExportUrlExpiredError);
        assert.ok(!err.message.includes('s3cr3t'));
        assert.match(err.message, /stream fec.*403.*created again/);
        return true;
      },
    );
  });
});
