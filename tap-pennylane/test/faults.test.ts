import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../sandbox/src/types.js';
import {
  byKey,
  CHANGELOG_STREAMS,
  expected,
  LIST_STREAMS,
  Replica,
  sandbox,
  sync,
} from './support/harness.js';

const SIZE = {
  customers: 15,
  suppliers: 10,
  products: 5,
  customerInvoices: 25,
  supplierInvoices: 20,
  transactions: 30,
  bankAccounts: 1,
  fiscalYears: 2,
};
const STORM = {
  rateLimitBurst: 3,
  errorRate: 0.08,
  resetRate: 0.04,
  truncateRate: 0.04,
  malformedRate: 0.04,
};

/** Everything but the volatile columns of the export rows (job id and time differ between runs). */
const stable = (replica: Replica, stream: string) =>
  byKey(
    replica.rows(stream).map(({ export_id, exported_at, ...rest }) => rest),
    stream === 'fec'
      ? ['fiscal_year_id', 'line_number']
      : stream === 'analytical_ledger'
        ? ['fiscal_year_id', 'row_number']
        : stream === 'trial_balance'
          ? ['fiscal_year_id', 'number']
          : ['id'],
  );

describe('fault storms (429 bursts, 5xx, resets, cut and malformed bodies)', () => {
  let sb: Sandbox;
  before(async () => {
    // No advanceClock here: 429 answers carry ratelimit-reset on the sandbox clock, and a clock moved
    // ahead of ours would make the client wait for a reset that is really seconds away.
    sb = await sandbox({ size: SIZE, seed: 23 });
  });
  after(() => sb.close());

  it('give the same final data as a calm run, first run and incremental run alike', async () => {
    const calm = await sync(sb);
    assert.equal(calm.summary.ok, true, calm.summary.error);
    const calmReplica = new Replica().apply(calm.messages);

    sb.control.setFaults(STORM);
    sb.control.resetCounters();
    const stormy = new Replica();
    const first = await sync(sb);
    assert.equal(first.summary.ok, true, first.summary.error);
    stormy.apply(first.messages);
    const statuses = sb.control.counters().byStatus;
    assert.ok(
      (statuses['429'] ?? 0) >= 3 &&
        (statuses['500'] ?? 0) + (statuses['502'] ?? 0) + (statuses['503'] ?? 0) > 0,
    );
    assert.ok(first.summary.retries > 0);
    for (const name of [...LIST_STREAMS, 'trial_balance', 'fec', 'analytical_ledger']) {
      assert.deepEqual(stable(stormy, name), stable(calmReplica, name), name);
    }

    // changes, then an incremental run in the storm
    const c = sb.control;
    for (const r of CHANGELOG_STREAMS) {
      const ids = c.records(r as never).map((x) => x.id as number);
      c.update(r as never, ids[0]!, {});
    }
    c.create('customer_invoices');
    c.remove('suppliers', c.records('suppliers').at(-1)!.id as number);
    c.setFaults({ ...STORM, rateLimitBurst: 2 });
    const incremental = await sync(sb, { state: first.state });
    c.clearFaults();
    assert.equal(incremental.summary.ok, true, incremental.summary.error);
    stormy.apply(incremental.messages);
    for (const name of LIST_STREAMS) {
      if (name === 'ledger_entries') continue; // its documented gap is covered in sync.test.ts
      assert.deepEqual(byKey(stormy.rows(name)), expected(sb, name), name);
    }
  });
});
