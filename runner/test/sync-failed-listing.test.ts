/**
 * A run that fails half way never empties a table. After a good first run the state file is deleted
 * (as the docs advise for a full run), so every stream lists in full again; then the API fails for one
 * stream of each kind (full table, changelog first run, trial balance per fiscal year, export per fiscal
 * year). The run fails, and every table still holds every row it had.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Faults } from '../../sandbox/src/types.js';
import { type Harness, runSyncCli, startHarness } from './harness.js';

/** Live rows per table (soft-deleted ones do not count: a reader filters them out). */
async function liveCounts(h: Harness): Promise<Record<string, number>> {
  const tables = await h.db.client.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.columns
      WHERE table_schema = 'pennylane' AND column_name = '_sdc_deleted_at' ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { t } of tables.rows) {
    const r = await h.db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pennylane."${t}" WHERE _sdc_deleted_at IS NULL`,
    );
    out[t] = r.rows[0]!.n;
  }
  return out;
}

describe('a failed full listing', () => {
  let h: Harness;
  let before1: Record<string, number>;
  before(async () => {
    h = await startHarness();
    const first = await runSyncCli(h, []);
    assert.equal(first.code, 0, first.stderr);
    before1 = await liveCounts(h);
  });
  after(() => h.close());

  const cases: { kind: string; stream: string; faults: Faults }[] = [
    { kind: 'full table', stream: 'journals', faults: { malformedRate: 1, pathPrefix: '/journals' } },
    {
      kind: 'changelog, first run',
      stream: 'customers',
      faults: { malformedRate: 1, pathPrefix: '/customers' },
    },
    {
      kind: 'trial balance per fiscal year',
      stream: 'trial_balance',
      faults: { malformedRate: 1, pathPrefix: '/trial_balance' },
    },
    { kind: 'export per fiscal year', stream: 'fec', faults: { exportError: true } },
  ];
  for (const c of cases) {
    it(`keeps every row when the ${c.kind} listing fails (${c.stream})`, async () => {
      assert.ok((before1[c.stream] ?? 0) > 0, `${c.stream} was loaded by the first run`);
      rmSync(h.stateFile, { force: true });
      h.sandbox.control.setFaults(c.faults);
      try {
        const res = await runSyncCli(h, [], { LOG_LEVEL: 'info' });
        assert.notEqual(res.code, 0, 'the run fails');
      } finally {
        h.sandbox.control.clearFaults();
      }
      assert.deepEqual(await liveCounts(h), before1, 'no table lost a row');
    });
  }
});
