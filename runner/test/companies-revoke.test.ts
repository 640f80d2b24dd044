import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apiIds,
  COMPANIES,
  type CompaniesHarness,
  ids,
  lineOf,
  startCompaniesHarness,
} from './companies-harness.js';
import { collect } from './harness.js';

describe('many companies: a token revoked mid-run', () => {
  let h: CompaniesHarness;
  before(async () => {
    h = await startCompaniesHarness();
  });
  after(() => h.close());

  it('goes on when one company token is revoked mid-run, reports and records it, exits 1, and recovers', async () => {
    const beta = h.control('beta');
    beta.resetCounters();
    const child = h.spawnCli('runner/src/sync-cli.ts', ['--full']);
    const done = collect(child);
    // Revoke once beta's run is under way (its /me answered and listings started).
    while (beta.counters().total < 4) await new Promise((r) => setTimeout(r, 10));
    beta.revokeToken();
    const res = await done;
    assert.equal(res.code, 1, res.stderr);
    assert.match(lineOf(res, 'acme'), /full run #1 succeeded/);
    assert.match(lineOf(res, 'gamma'), /full run #1 succeeded/);
    assert.match(lineOf(res, 'beta'), /full run #1 FAILED after [\d.]+ s: .*401/);
    assert.match(res.stderr, /3 companies in [\d.]+ s: 2 succeeded, 1 failed \(beta\)\n$/);
    assert.doesNotMatch(res.stderr, new RegExp(COMPANIES[1].token));
    const last = await h.db.client.query(
      'SELECT company, outcome, error FROM pennylane_beta.sync_runs ORDER BY id DESC LIMIT 1',
    );
    assert.equal(last.rows[0].company, 'beta');
    assert.equal(last.rows[0].outcome, 'failed');
    assert.match(last.rows[0].error, /401/);

    beta.restoreToken();
    const again = await h.run(['--company', 'beta']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(lineOf(again, 'beta'), /incremental run #2 succeeded/);
    assert.match(again.stderr, /1 company in [\d.]+ s: 1 succeeded, 0 failed\n$/);
    assert.deepEqual(await ids(h.db, 'pennylane_beta', 'customers'), apiIds(h.control('beta'), 'customers'));
  });
});
