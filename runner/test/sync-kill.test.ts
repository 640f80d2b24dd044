import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  collect,
  groupGone,
  type Harness,
  runSyncCli,
  snapshot,
  spawnSync,
  startHarness,
  syncRuns,
} from './harness.js';

describe('a run killed with SIGKILL', () => {
  let h: Harness;
  let reference: TestDatabase;
  before(async () => {
    h = await startHarness();
    reference = await createTestDatabase('runner_ref');
  });
  after(async () => {
    await reference.drop();
    await h.close();
  });

  it('resumes on the next run and ends with the same tables as an uninterrupted run', async () => {
    // commit (and save state) every 0.2 s, and slow the API down so the kill lands mid-run
    const often = { TARGET_POSTGRES_MAX_BATCH_AGE_SECONDS: '0.2' };
    h.sandbox.control.setFaults({ latencyMs: 200 });
    // Pennylane's real pace (25 requests per 5 s) keeps the victim busy for over 4 s after its first state.
    const victim = spawnSync(h, [], { ...often, TAP_PENNYLANE_RATE_LIMIT_REQUESTS: '25' });
    const done = collect(victim);
    // under load the programs may take a while to start: wait for the first saved state, not a fixed time
    for (let i = 0; i < 2400 && !existsSync(h.stateFile) && victim.exitCode === null; i++) await sleep(25);
    assert.ok(existsSync(h.stateFile), 'a state was saved before the kill');
    await sleep(300);
    victim.kill('SIGKILL');
    const killed = await done;
    assert.equal(killed.signal, 'SIGKILL');
    await groupGone(victim.pid!); // the programs it started notice and stop (EOF / EPIPE)
    h.sandbox.control.clearFaults();

    // The sandbox's data does not change, so the reference run goes side by side with the resumed one
    // (another database, another state file, another lock).
    const [resumed, uninterrupted] = await Promise.all([
      runSyncCli(h, [], often),
      runSyncCli(h, [], {
        TARGET_POSTGRES_DATABASE_URL: reference.url,
        PENNYLANE_SYNC_STATE_FILE: join(h.dir, 'reference-state.json'),
      }),
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
    const runs = await syncRuns(h.db.client);
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['failed', 'succeeded'],
    );
    assert.match(runs[0]!.error ?? '', /^interrupted/);

    // Which export job produced the FEC / ledger rows, and when, differs from run to run: not the data.
    const perRun = ['export_id', 'exported_at'];
    const [got, want] = [
      await snapshot(h.db.client, 'pennylane', perRun),
      await snapshot(reference.client, 'pennylane', perRun),
    ];
    assert.deepEqual(Object.keys(got), Object.keys(want));
    for (const table of Object.keys(want)) assert.deepEqual(got[table], want[table], `table ${table}`);
  });
});
