import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../sandbox/src/types.js';
import { createLogger, type Logger } from '../../singer/src/log.js';
import type { SingerMessage } from '../../singer/src/messages.js';
import { toTapConfig } from '../src/config.js';
import { PennylaneClient } from '../src/http/client.js';
import type { ApiRecord, SyncContext } from '../src/sync/context.js';
import { CountingClient } from '../src/sync/counting-client.js';
import { isSettled, yearsInScope } from '../src/sync/fiscal-years.js';
import { listAll, planDateRanges, planRanges, splitPolicy } from '../src/sync/listing.js';
import { byKey, catalogOf, expected, FAST, Replica, sandbox, sync } from './support/harness.js';

const SIZE = {
  customers: 1_250,
  suppliers: 10,
  products: 5,
  customerInvoices: 300,
  supplierInvoices: 30,
  transactions: 900,
  bankAccounts: 1,
  fiscalYears: 3,
};
const CONFIG = { changelog_overlap_seconds: 0 };
type Row = Record<string, unknown>;

/** A client for the sandbox at its test budget. */
const fastClient = (sb: Sandbox, log: Logger) =>
  new PennylaneClient({ baseUrl: sb.baseUrl, token: sb.token, timeoutMs: 10_000, rateLimit: FAST, log });

describe('id ranges', () => {
  it('are planned from the first page density, the last one open-ended', () => {
    const ranges = planRanges({ firstId: 1, lastId: 100, count: 100, limit: 100 }, 10_100, {
      maxRanges: 4,
      minPagesPerRange: 10,
    });
    assert.deepEqual(ranges, [
      { from: 101, to: 2601 },
      { from: 2601, to: 5101 },
      { from: 5101, to: 7601 },
      { from: 7601, to: undefined },
    ]);
    // 10 pages left, at least 10 per range: one range
    assert.equal(
      planRanges({ firstId: 1, lastId: 200, count: 100, limit: 100 }, 2_200, {
        maxRanges: 4,
        minPagesPerRange: 10,
      }).length,
      1,
    );
  });

  it('by date cover every date: open-ended at both ends, cut evenly in between', () => {
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    assert.deepEqual(planDateRanges(day('2024-01-01'), day('2024-12-31'), 4), [
      [undefined, '2024-04-01'],
      ['2024-04-01', '2024-07-02'],
      ['2024-07-02', '2024-10-01'],
      ['2024-10-01', undefined],
    ]);
    assert.deepEqual(planDateRanges(day('2024-01-01'), day('2024-01-01'), 4), [[undefined, undefined]]);
  });

  it('are as many as the budget can keep busy: 3 at Pennylane’s 25 per 5 s, 25 at ten times that', () => {
    assert.equal(splitPolicy(25, 5).maxRanges, 3);
    assert.equal(splitPolicy(250, 5).maxRanges, 25);
    assert.equal(splitPolicy(1, 5).maxRanges, 1);
  });
});

describe('a big listing read in id ranges side by side', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox({ size: SIZE, seed: 11 });
    sb.control.advanceClock(10_000);
  });
  after(() => sb.close());

  it('returns every record once, ranges interleaved, with one request more per range at most', async () => {
    const config = toTapConfig({ api_token: sb.token, base_url: sb.baseUrl });
    const log = createLogger('test', () => {});
    const inner = fastClient(sb, log);
    try {
      const client = new CountingClient(inner);
      const ctx = { config, client, log } as unknown as SyncContext;
      const seen: number[] = [];
      const max = await listAll(
        ctx,
        'customers',
        'customers',
        async (r: ApiRecord) => {
          seen.push(r.id!);
          await new Promise((resolve) => setImmediate(resolve));
        },
        { maxRanges: 4, minPagesPerRange: 2 },
      );
      const ids = sb.control.records('customers').map((r: Row) => r.id as number);
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [...ids].sort((a, b) => a - b),
      );
      assert.equal(new Set(seen).size, seen.length, 'no record twice');
      assert.equal(max, Math.max(...ids));
      const descents = seen.filter((id, i) => i > 0 && id < seen[i - 1]!).length;
      assert.ok(descents > 0, 'ranges were read concurrently, so ids arrive out of order');
      const pages = Math.ceil(ids.length / 100);
      // first page, the highest id, then one short last page per range at most
      assert.ok(client.requests('customers') <= pages + 1 + 4, `${client.requests('customers')} requests`);
      assert.ok(client.requests('customers') > pages, 'the ranges were used');
    } finally {
      await inner.close();
    }
  });

  it('transactions, whose ids cannot be cut, are read in date ranges, each record once', async () => {
    const config = toTapConfig({ api_token: sb.token, base_url: sb.baseUrl });
    const logs: string[] = [];
    const log = createLogger('test', (l) => logs.push(l));
    const inner = fastClient(sb, log);
    try {
      const ctx = { config, client: new CountingClient(inner), log } as unknown as SyncContext;
      const seen: number[] = [];
      await listAll(ctx, 'transactions', 'transactions', async (r) => void seen.push(r.id!), {
        maxRanges: 4,
        minPagesPerRange: 2,
      });
      const ids = sb.control.records('transactions').map((r: Row) => r.id as number);
      assert.ok(ids.length > 400, `${ids.length} transactions`);
      assert.ok(
        logs.some((l) => /transactions: listing by date in [234] ranges/.test(l)),
        logs.join(''),
      );
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [...ids].sort((a, b) => a - b),
      );
    } finally {
      await inner.close();
    }
  });

  it('a full sync cut into ranges gives the same tables, each activation after all of its records', async () => {
    const run = await sync(sb, {
      config: CONFIG,
      catalog: catalogOf([
        'customers',
        'customer_invoices',
        'transactions',
        'ledger_entry_lines',
        'ledger_entries',
      ]),
      splitPolicy: { maxRanges: 5, minPagesPerRange: 1 },
    });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.ok(run.logs.some((l) => /customers: listing ids .* in 5 ranges side by side/.test(l)));
    const replica = new Replica().apply(run.messages);
    for (const name of [
      'customers',
      'customer_invoices',
      'transactions',
      'ledger_entry_lines',
      'ledger_entries',
    ])
      assert.deepEqual(byKey(replica.rows(name)), expected(sb, name), name);
    for (const name of ['customers', 'ledger_entry_lines']) {
      const at = (m: SingerMessage) => m.type !== 'SCHEMA' && 'stream' in m && m.stream === name;
      const mine = run.messages.filter(at);
      // first sync: the records, then one ACTIVATE_VERSION (never announced before the listing is complete)
      assert.equal(mine[0]!.type, 'RECORD');
      assert.equal(mine.at(-1)!.type, 'ACTIVATE_VERSION');
      assert.equal(mine.filter((m) => m.type === 'ACTIVATE_VERSION').length, 1);
    }
  });
});

describe('incremental runs between full listings', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await sandbox({ size: { ...SIZE, customers: 30, customerInvoices: 40 }, seed: 5 });
    sb.control.advanceClock(10_000);
  });
  after(() => sb.close());

  it('read only new ledger accounts and open years’ trial balances, and everything once the last full listing is old', async () => {
    const catalog = catalogOf(['fiscal_years', 'ledger_accounts', 'trial_balance']);
    const replica = new Replica();
    const first = await sync(sb, { config: CONFIG, catalog });
    assert.equal(first.summary.ok, true, first.summary.error);
    replica.apply(first.messages);
    const years = yearsInScope(sb.control.records('fiscal_years') as never, 2, undefined);
    const open = years.filter((y) => !isSettled(y.status));
    assert.ok(open.length > 0 && open.length < years.length);

    const accounts = sb.control.records('ledger_accounts');
    const changed = accounts[accounts.length - 1]!.id as number;
    const removed = accounts[accounts.length - 2]!.id as number;
    sb.control.update('ledger_accounts', changed, { label: 'Renamed between full listings' });
    sb.control.remove('ledger_accounts', removed);
    const created = sb.control.create('ledger_accounts').id as number;
    sb.control.advanceClock(3600_000);

    const second = await sync(sb, { state: first.state, config: CONFIG, catalog });
    assert.equal(second.summary.ok, true, second.summary.error);
    replica.apply(second.messages);
    // fiscal_years (1 page) + new ledger accounts (1) + one trial balance page per open year
    assert.equal(second.summary.streams.ledger_accounts!.requests, 1);
    assert.equal(second.summary.streams.trial_balance!.requests, open.length);
    const accountRecords = second.messages.filter(
      (m) => m.type === 'RECORD' && m.stream === 'ledger_accounts',
    );
    assert.deepEqual(
      accountRecords.map((m) => (m as { record: Row }).record.id),
      [created],
    );
    assert.equal(
      second.messages.filter((m) => m.type === 'ACTIVATE_VERSION' && m.stream !== 'fiscal_years').length,
      0,
    );
    // The documented gap: the renamed and the deleted account wait for the next full listing.
    const rows = new Map(replica.rows('ledger_accounts').map((r) => [r.id, r]));
    assert.ok(rows.has(removed));
    assert.notEqual(rows.get(changed)?.label, 'Renamed between full listings');
    assert.ok(rows.has(created));

    sb.control.advanceClock(24 * 3600_000);
    const third = await sync(sb, { state: second.state, config: CONFIG, catalog });
    assert.equal(third.summary.ok, true, third.summary.error);
    replica.apply(third.messages);
    assert.deepEqual(byKey(replica.rows('ledger_accounts')), expected(sb, 'ledger_accounts'));
    assert.equal(third.summary.streams.trial_balance!.requests, years.length);
    const tbYears = new Set(replica.rows('trial_balance').map((r) => r.fiscal_year_id));
    assert.deepEqual([...tbYears].sort(), years.map((y) => y.id).sort());
  });
});
