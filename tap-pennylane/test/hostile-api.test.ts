import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES } from '../../sandbox/src/index.js';
import { createLogger } from '../../singer/src/log.js';
import type { SingerMessage } from '../../singer/src/messages.js';
import { runScript } from '../../test/support/cli.js';
import { toTapConfig } from '../src/config.js';
import { PennylaneClient } from '../src/http/client.js';
import {
  page,
  type Recorded,
  type ScriptedServer,
  sendJson,
  startScriptedServer,
} from '../src/http/test/scripted-server.js';
import { runTap } from '../src/tap.js';
import { catalogOf } from './support/harness.js';

/**
 * An API that answers badly on the second page of `journals`, one way per token: the first page (two
 * journals) is fine, so records are out before the failure. Each run must end with the stream failed,
 * one line naming the stream, the path (no token), the API as the party at fault and what to do, and
 * nothing after the failure that would claim the stream progressed: no ACTIVATE_VERSION, no STATE
 * moving its bookmark.
 */
const BAD: Record<string, (res: ServerResponse) => void> = {
  html: (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>');
  },
  truncated: (res) => {
    const text = JSON.stringify(page([{ id: 3, code: 'BQ', label: 'Banque' }], null));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
    res.write(text.slice(0, 20), () => res.destroy());
  },
  envelope: (res) => sendJson(res, 200, { data: [{ id: 3 }], meta: { next_page: null } }),
  items: (res) => sendJson(res, 200, page(['BQ', null], null)),
  keyless: (res) => sendJson(res, 200, page([{ code: 'BQ', label: 'Banque' }], null)),
  endless: (res) => {
    endless++;
    sendJson(res, 200, page([], `c${endless + 2}`));
  },
  slow: () => {
    // never answers: the request times out
  },
};
const TOKEN = 'tok-secret-5f2c9a';
let endless = 0;

const PRIOR = { bookmarks: { journals: { version: 1111 } } };

let server: ScriptedServer;
const handle = (req: Recorded, res: ServerResponse) => {
  const kind = (req.headers.authorization ?? '').replace(`Bearer ${TOKEN}-`, '');
  if (req.path.endsWith('/me'))
    return sendJson(res, 200, kind === 'me' ? { user: null, company: { id: 1 } } : { scopes: ALL_SCOPES });
  if (perYear(kind, req, res)) return;
  if (req.path.endsWith('/changelogs/customers')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<html><body>Service unavailable</body></html>');
  }
  if (!req.path.endsWith('/journals')) return sendJson(res, 404, { error: 'not found' });
  if (kind === 'ok' && req.query.get('cursor') === 'c2')
    return sendJson(res, 200, page([{ id: 3, code: 'BQ', label: 'Banque' }], null));
  if (!req.query.get('cursor'))
    return sendJson(
      res,
      200,
      page(
        [
          { id: 1, code: 'HA', label: 'Achats' },
          { id: 2, code: 'VT', label: 'Ventes' },
        ],
        'c2',
      ),
    );
  BAD[kind]!(res);
};

const YEAR = { id: 7, start: '2026-01-01', finish: '2026-12-31', status: 'open' };

/** The per-year streams' requests: one open fiscal year, then a bad trial balance or export job. */
function perYear(kind: string, req: Recorded, res: ServerResponse): boolean {
  if (req.path.endsWith('/fiscal_years')) {
    sendJson(res, 200, page([YEAR], null));
    return true;
  }
  if (req.path.endsWith('/trial_balance')) {
    sendJson(
      res,
      200,
      page(
        [
          { number: '401', debits: '10.00', credits: '0.00' },
          { formatted_number: '51200000', debits: '0.00', credits: '10.00' },
        ],
        null,
      ),
    );
    return true;
  }
  if (req.path.endsWith('/files/export')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><html><body>Access denied</body></html>');
    return true;
  }
  if (/\/exports\/(fecs|analytical_general_ledgers)$/.test(req.path) && kind === 'file-html') {
    sendJson(res, 201, {
      id: 5,
      status: 'ready',
      file_url: `${server.baseUrl}/files/export`,
      created_at: '2026-12-01T00:00:00Z',
    });
    return true;
  }
  if (req.path.endsWith('/exports/fecs')) {
    if (kind === 'fec-html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    } else sendJson(res, 201, { export: { state: 'queued' } });
    return true;
  }
  return false;
}

const configFor = (kind: string) => ({
  api_token: `${TOKEN}-${kind}`,
  base_url: server.baseUrl,
  request_timeout_seconds: 1,
});

/** One run in process, with the client's retries shortened (the CLI's are 6 attempts over seconds). */
async function runIn(kind: string, state: unknown = PRIOR, streams = ['journals']) {
  const config = toTapConfig(configFor(kind));
  const messages: SingerMessage[] = [];
  const logs: string[] = [];
  const log = createLogger('tap-pennylane', (l) => logs.push(l));
  const client = new PennylaneClient({
    baseUrl: config.baseUrl,
    token: config.apiToken,
    timeoutMs: 300,
    rateLimit: { requests: 100, windowMs: 1000 },
    log,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  try {
    const summary = await runTap({
      config,
      catalog: catalogOf(streams),
      state,
      emit: async (m) => void messages.push(structuredClone(m)),
      log,
      client,
      progressEveryMs: 0,
    });
    return { summary, messages, logs };
  } finally {
    await client.close();
  }
}

/** Nothing after the failure claims progress: no activation, every STATE keeps the prior bookmark. */
function assertNothingClaimed(messages: SingerMessage[]) {
  assert.equal(messages.filter((m) => m.type === 'ACTIVATE_VERSION').length, 0, 'no ACTIVATE_VERSION');
  assert.equal(messages.filter((m) => m.type === 'RECORD').length, 2, 'the first page was emitted');
  const states = messages.filter((m) => m.type === 'STATE');
  assert.ok(states.length > 0);
  for (const s of states)
    assert.deepEqual((s.value as typeof PRIOR).bookmarks.journals, PRIOR.bookmarks.journals);
}

const EXPECT: Record<string, RegExp> = {
  html: /^journals: GET \/journals \(stream journals\): 200 response body is not valid JSON — the API answered with a broken body; rerun later$/,
  truncated:
    /^journals: GET \/journals \(stream journals\): 200 response body cut off: .* — check network access to http:\/\/127\.0\.0\.1:\d+$/,
  envelope:
    /^journals: GET \/journals \(stream journals\): page 2 is not a cursor page \(no items array\) — the API answered with an unexpected shape; check base_url points at the v2 API$/,
  items:
    /^journals: GET \/journals \(stream journals\): page 2 item 1 is not a JSON object .* — the API answered with an unexpected shape/,
  keyless:
    /^journals: GET \/journals \(stream journals\): a record has no "id" \(the stream's key; its fields: code, label\) — the API answered with an unexpected shape/,
  endless:
    /^journals: GET \/journals \(stream journals\): 5 empty pages in a row still say has_more \(page 6\) — the listing makes no progress/,
  slow: /^journals: GET \/journals \(stream journals\): request failed: timed out — check network access to http:\/\/127\.0\.0\.1:\d+ \(request timeout 300 ms\)$/,
};

describe('an API that answers badly', () => {
  before(async () => {
    server = await startScriptedServer(handle);
  });
  after(() => server.close());

  for (const kind of Object.keys(BAD)) {
    it(`${kind}: the stream fails in one line naming the stream, the path and the fix; nothing claims progress`, async () => {
      const { summary, messages, logs } = await runIn(kind);
      assert.equal(summary.ok, false);
      assert.equal(summary.streams.journals!.status, 'failed');
      const line = summary.error ?? '';
      assert.doesNotMatch(line, /\n/);
      assert.match(line, EXPECT[kind]!);
      assert.ok(!logs.join('\n').includes(TOKEN), 'no token in the logs');
      assertNothingClaimed(messages);
    });
  }

  it('trial_balance: a row without an account number fails the stream naming the year and the API', async () => {
    const { summary, messages } = await runIn('tb', undefined, ['trial_balance']);
    assert.equal(summary.streams.trial_balance!.status, 'failed');
    assert.match(
      summary.error ?? '',
      /^trial_balance: GET \/trial_balance for fiscal year 7 \(2026-01-01\.\.2026-12-31\) returned a row without an account "number" .*the API's answer is at fault: retry later/,
    );
    assert.equal(messages.filter((m) => m.type === 'ACTIVATE_VERSION').length, 0);
    for (const m of messages.filter((x) => x.type === 'STATE'))
      assert.equal((m.value as { bookmarks: Record<string, unknown> }).bookmarks.trial_balance, undefined);
  });

  it('/me without a scopes list stops the run before any stream, blaming the API, not the token', async () => {
    await assert.rejects(runIn('me'), (err: unknown) => {
      assert.match(
        (err as Error).message,
        /^GET \/me: the answer has no "scopes" list — the API answered with an unexpected shape; check that base_url is the Pennylane API v2/,
      );
      return true;
    });
  });

  it('customers: a changelog answered in HTML fails the stream; its bookmark stays where it was', async () => {
    const bookmark = { changelog_at: new Date(Date.now() - 3600_000).toISOString(), version: 42 };
    const { summary, messages } = await runIn('cl', { bookmarks: { customers: bookmark } }, ['customers']);
    assert.equal(summary.streams.customers!.status, 'failed');
    assert.match(
      summary.error ?? '',
      /^customers: GET \/changelogs\/customers \(stream customers\): 200 response body is not valid JSON — the API answered with a broken body; rerun later$/,
    );
    assert.equal(messages.filter((m) => m.type === 'RECORD' || m.type === 'ACTIVATE_VERSION').length, 0);
    const states = messages.filter((m) => m.type === 'STATE');
    assert.ok(states.length > 0);
    for (const m of states)
      assert.deepEqual((m.value as { bookmarks: Record<string, unknown> }).bookmarks.customers, bookmark);
  });

  for (const kind of ['fec-shape', 'fec-html']) {
    it(`fec: an export job answer that is ${kind === 'fec-html' ? 'HTML' : 'not a job'} fails the stream naming the year, the request and the API`, async () => {
      const { summary, messages } = await runIn(kind, undefined, ['fec']);
      assert.equal(summary.streams.fec!.status, 'failed');
      assert.match(
        summary.error ?? '',
        kind === 'fec-html'
          ? /^fec: fiscal year 7 \(2026-01-01\.\.2026-12-31\): POST \/exports\/fecs \(stream fec\): 200 response body is not valid JSON — the API answered with a broken body; rerun later$/
          : /^fec: fiscal year 7 \(2026-01-01\.\.2026-12-31\): POST \/exports\/fecs: the answer is not an export job with an id and a status \(fields: export\) — the API answered with an unexpected shape/,
      );
      assert.equal(messages.filter((m) => m.type === 'RECORD').length, 0);
      // the only trace in the state: the year is to be exported again
      for (const m of messages.filter((x) => x.type === 'STATE')) {
        const fec = (m.value as { bookmarks: { fec?: { years: Record<string, { exported_at: unknown }> } } })
          .bookmarks.fec;
        for (const y of Object.values(fec?.years ?? {})) assert.equal(y.exported_at, null);
      }
    });
  }

  for (const stream of ['fec', 'analytical_ledger']) {
    it(`${stream}: an export file that is an HTML page fails the stream naming the year and the file`, async () => {
      const { summary } = await runIn('file-html', undefined, [stream]);
      assert.equal(summary.streams[stream]!.status, 'failed');
      assert.match(
        summary.error ?? '',
        new RegExp(
          `^${stream}: fiscal year 7 \\(2026-01-01\\.\\.2026-12-31\\): export 5, file /api/external/v2/files/export: ${stream === 'fec' ? 'FEC line 1: the header row' : 'AGL xlsx: not a readable xlsx workbook'}.* — the file Pennylane served is at fault: rerun later \\(the year is exported again\\)`,
        ),
      );
      assert.doesNotMatch(summary.error ?? '', /\n/);
    });
  }

  it('reads a state of another tap with a warning per foreign part, and lists the stream in full', async () => {
    const foreign = {
      currently_syncing: 'orders',
      bookmarks: {
        orders: { replication_key: 'updated_at', replication_key_value: '2026-01-01T00:00:00Z' },
        journals: { replication_key: 'updated_at', replication_key_value: '2026-01-01T00:00:00Z' },
      },
    };
    const { summary, messages, logs } = await runIn('ok', foreign);
    assert.equal(summary.ok, true, summary.error);
    assert.ok(
      logs.some((l) => /WARN.*bookmarks of streams tap-pennylane does not have \(orders\) are kept/.test(l)),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((l) =>
        /WARN.*the bookmark of journals is not one tap-pennylane writes .*read in full this run/.test(l),
      ),
    );
    assert.equal(messages.filter((m) => m.type === 'RECORD').length, 3);
    assert.equal(messages.filter((m) => m.type === 'ACTIVATE_VERSION').length, 1);
    const last = messages.filter((m) => m.type === 'STATE').at(-1)!.value as {
      bookmarks: Record<string, unknown>;
    };
    assert.deepEqual(last.bookmarks.orders, foreign.bookmarks.orders, 'kept as it was');
  });

  it('the CLI exits 1 with that line last on stderr, the token nowhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-hostile-'));
    try {
      const configFile = join(dir, 'config.json');
      writeFileSync(configFile, JSON.stringify(configFor('envelope')));
      const stateFile = join(dir, 'state.json');
      writeFileSync(stateFile, JSON.stringify(PRIOR, null, 2));
      const catalogFile = join(dir, 'catalog.json');
      writeFileSync(catalogFile, JSON.stringify(catalogOf(['journals'])));
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(TAP_PENNYLANE_|PENNYLANE_)/.test(k)),
      );
      const r = await runScript(
        'tap-pennylane/src/cli.ts',
        ['--config', configFile, '--state', stateFile, '--catalog', catalogFile],
        undefined,
        { env },
      );
      assert.equal(r.code, 1);
      const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
      assert.match(
        last,
        /^tap-pennylane: error: 1 stream\(s\) failed; first: journals: GET \/journals \(stream journals\): page 2 is not a cursor page .*check base_url/,
      );
      assert.ok(!r.stderr.includes(TOKEN) && !r.stdout.includes(TOKEN));
      const messages = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as SingerMessage)
        .filter((m) => m.type !== 'SCHEMA');
      assertNothingClaimed(messages);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
