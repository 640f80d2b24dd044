import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Harness, lastLine, runSyncCli, startHarness, syncRuns } from './harness.js';

const ids = async (h: Harness, table: string): Promise<number[]> =>
  (await h.db.client.query<{ id: string }>(`SELECT id FROM pennylane."${table}" ORDER BY id`)).rows.map((r) =>
    Number(r.id),
  );

describe('npm run sync -- --stream, and failed runs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    // three streams are enough to show that --stream leaves the others' bookmarks alone
    const first = await runSyncCli(h, ['--stream', 'customers,suppliers,customer_invoices']);
    if (first.code !== 0) throw new Error(`first run failed: ${first.stderr}`);
  });
  after(() => h.close());

  it('limits a run to the streams named with --stream', async () => {
    const c = h.sandbox.control;
    c.advanceClock(60_000);
    const customer = c.create('customers', { name: 'Client du flux choisi' });
    const supplier = c.create('suppliers', { name: 'Fournisseur hors flux' });
    c.advanceClock(60_000);
    const res = await runSyncCli(h, ['--stream', 'customers']);
    assert.equal(res.code, 0, res.stderr);
    assert.ok((await ids(h, 'customers')).includes(Number(customer.id)));
    assert.equal((await ids(h, 'suppliers')).includes(Number(supplier.id)), false);
    const run = (await syncRuns(h.db.client)).at(-1)!;
    assert.deepEqual(run.streams, ['customers']);
    assert.deepEqual(Object.keys(run.rows ?? {}), ['customers']);
    // the saved state still holds the bookmarks of the streams left out, so they resume, not restart
    const state = JSON.parse(readFileSync(h.stateFile, 'utf8')) as { bookmarks: Record<string, unknown> };
    assert.ok(state.bookmarks.suppliers, 'suppliers bookmark kept');
    assert.ok(state.bookmarks.customer_invoices, 'customer_invoices bookmark kept');
  });

  it('refuses an unknown stream name at once (exit 2), listing the valid ones, before any run starts', async () => {
    const runsBefore = (await syncRuns(h.db.client)).length;
    const res = await runSyncCli(h, ['--stream', 'customers,custmers']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      lastLine(res.stderr),
      /^pennylane-sync: error: unknown stream "custmers": valid streams are .*customers.*trial_balance, fec, analytical_ledger$/,
    );
    assert.equal((await syncRuns(h.db.client)).length, runsBefore, 'no run was recorded');
  });

  it("fails with the child's own error line and keeps the state when the token is refused", async () => {
    const before = readFileSync(h.stateFile, 'utf8');
    const res = await runSyncCli(h, [], { PENNYLANE_API_TOKEN: 'not-the-sandbox-token' });
    assert.notEqual(res.code, 0);
    assert.match(lastLine(res.stderr), /FAILED .*tap-pennylane: error: /);
    assert.doesNotMatch(res.stderr, /not-the-sandbox-token/, 'the token is never printed');
    assert.equal(readFileSync(h.stateFile, 'utf8'), before);
    const run = (await syncRuns(h.db.client)).at(-1)!;
    assert.equal(run.outcome, 'failed');
    assert.match(run.error ?? '', /tap-pennylane: error: /);
  });
});
