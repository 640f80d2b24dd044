import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../sandbox/src/types.js';
import type { SingerMessage } from '../../singer/src/messages.js';
import type { PennylaneClient } from '../src/http/client.js';
import type { ApiClient } from '../src/sync/context.js';
import { catalogOf, Replica, sandbox, sync } from './support/harness.js';
import { sandboxTrialBalance, totals, vanishAccount, type Year } from './support/trial-balance.js';

const SIZE = {
  customers: 8,
  suppliers: 5,
  products: 3,
  customerInvoices: 30,
  supplierInvoices: 20,
  transactions: 30,
  bankAccounts: 1,
  fiscalYears: 2,
};
const catalog = catalogOf(['fiscal_years', 'trial_balance']);
const KEEP = ['number', 'formatted_number', 'label', 'debits', 'credits'];
const pick = (r: Record<string, unknown>) => Object.fromEntries(KEEP.map((k) => [k, r[k]]));
const byNumber = (rows: Record<string, unknown>[]) =>
  rows.map(pick).sort((a, b) => String(a.number).localeCompare(String(b.number)));
const activations = (messages: SingerMessage[]) =>
  messages.filter((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'trial_balance').length;

describe('trial_balance read again between full passes', () => {
  let sb: Sandbox;
  let open: Year;
  const replica = new Replica();
  let state: unknown;

  before(async () => {
    sb = await sandbox({ size: SIZE, seed: 23 });
    open = (sb.control.records('fiscal_years') as Year[]).find((y) => y.status === 'open')!;
    const first = await sync(sb, { catalog });
    assert.equal(first.summary.ok, true, first.summary.error);
    replica.apply(first.messages);
    state = first.state;
  });
  after(() => sb.close());

  const yearRows = (year: Year) => replica.rows('trial_balance').filter((r) => r.fiscal_year_id === year.id);

  it('deletes the row of an account whose entries were deleted: the year equals Pennylane, debits = credits', async () => {
    const gone = await vanishAccount(sb, open);
    sb.control.advanceClock(3600_000);
    const run = await sync(sb, { state, catalog });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.equal(activations(run.messages), 0, 'a run between full passes: no new version');
    assert.equal(run.summary.streams.trial_balance!.deleted, 1);
    replica.apply(run.messages);
    assert.ok(!yearRows(open).some((r) => r.number === gone), `account ${gone} is gone`);
    assert.deepEqual(byNumber(yearRows(open)), byNumber(await sandboxTrialBalance(sb, open)));
    const t = totals(yearRows(open));
    assert.equal(t.debits, t.credits, 'the year balances');
    state = run.state;
  });

  it('a run that stops half way leaves the year unknown, and the next run replaces the table whole', async () => {
    // The trial balance answers one page, then the connection dies (after the retries).
    const breakTrialBalance = (client: PennylaneClient): ApiClient => ({
      getJson: (p, q, c) => client.getJson(p, q, c),
      postJson: (p, b, c) => client.postJson(p, b, c),
      paginateChangelog: (p, o, c) => client.paginateChangelog(p, o, c),
      download: (u, c) => client.download(u, c),
      paginate: ((p: string, q: never, c: never) => {
        if (p !== '/trial_balance') return client.paginate(p, q, c);
        return (async function* () {
          for await (const page of client.paginate(p, q, c)) {
            yield page;
            throw new Error('GET /trial_balance (stream trial_balance): connection reset after the retries');
          }
        })();
      }) as ApiClient['paginate'],
    });
    sb.control.advanceClock(3600_000);
    const failed = await sync(sb, { state, catalog, wrapClient: breakTrialBalance });
    assert.equal(failed.summary.streams.trial_balance!.status, 'failed');
    assert.equal(activations(failed.messages), 0);
    replica.apply(failed.messages);
    const bookmark = (failed.state as { bookmarks: Record<string, { accounts?: Record<string, unknown> }> })
      .bookmarks.trial_balance!;
    assert.equal(bookmark.accounts?.[String(open.id)], undefined, 'the open year’s accounts are unknown now');

    const gone = await vanishAccount(sb, open);
    sb.control.advanceClock(3600_000);
    const run = await sync(sb, { state: failed.state, catalog });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.ok(
      run.logs.some((l) =>
        /trial_balance: full pass \(the accounts of fiscal year \d+ in the table are not known/.test(l),
      ),
    );
    assert.equal(activations(run.messages), 1);
    replica.apply(run.messages);
    assert.ok(!yearRows(open).some((r) => r.number === gone));
    for (const year of sb.control.records('fiscal_years') as Year[]) {
      assert.deepEqual(
        byNumber(yearRows(year)),
        byNumber(await sandboxTrialBalance(sb, year)),
        `year ${year.id}`,
      );
    }
  });
});
