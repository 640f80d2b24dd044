import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs } from '../../test/support/cli.js';
import { collect, type Harness, lastLine, startHarness, syncRuns } from './harness.js';

describe('npm start (the scheduler)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('loads everything at first start, then syncs at each slot without overlap, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [...nodeArgs('runner/src/scheduler-cli.ts'), '--dotenv', join(h.dir, 'no.env')],
      {
        cwd: packageRoot,
        env: h.env({
          LOG_LEVEL: 'info',
          PENNYLANE_SYNC_INCREMENTAL_CRON: '*/3 * * * * *', // every 3 seconds
          PENNYLANE_SYNC_FULL_CRON: '0 3 * * *',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const done = collect(child);
    // wait for the first-start full run and at least one slot run after it
    for (let i = 0; i < 900 && child.exitCode === null; i++) {
      const runs = await syncRuns(h.db.client).catch(() => []);
      if (runs.filter((r) => r.outcome === 'succeeded').length >= 2) break;
      await sleep(100);
    }
    child.kill('SIGTERM');
    const res = await done;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /starting the full sync \(start\)/);
    assert.match(res.stderr, /SIGTERM received: stopping/);
    assert.match(
      res.stderr,
      /INFO {2}pennylane-scheduler: next incremental sync \w{3}, \d+ \w{3} \d{4}, \d\d:\d\d CES?T, next full reload \w{3}, \d+ \w{3} \d{4}, 03:00 CES?T \(Europe\/Paris\)/,
    );
    assert.match(lastLine(res.stderr), /INFO {2}pennylane-scheduler: stopped \(SIGTERM\)$/);

    const runs = await syncRuns(h.db.client);
    assert.equal(runs[0]?.mode, 'full');
    assert.ok(runs.filter((r) => r.outcome === 'succeeded').length >= 2, JSON.stringify(runs));
    assert.ok(runs.slice(1).some((r) => r.mode === 'incremental'));
    assert.equal(runs.filter((r) => r.outcome === 'running').length, 0, 'nothing left running');
    const spans = await h.db.client.query<{ overlaps: number }>(
      `SELECT count(*)::int AS overlaps FROM pennylane.sync_runs a JOIN pennylane.sync_runs b
         ON a.id < b.id AND b.started_at < a.finished_at`,
    );
    assert.equal(spans.rows[0]?.overlaps, 0, 'runs never overlap');
    // A slot (every 3 s) that fell while a run was going was skipped, and said so; whether one fell
    // depends on how long the runs took, so the check follows the runs' own times.
    const slotInsideARun = runs.some(
      (r) =>
        r.finished_at &&
        Math.floor(r.started_at.getTime() / 3000) < Math.floor(r.finished_at.getTime() / 3000),
    );
    if (slotInsideARun) assert.match(res.stderr, /skipping the incremental sync .* is still running/);
  });
});
