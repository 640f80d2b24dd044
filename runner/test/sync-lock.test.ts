import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../singer/src/log.js';
import { runSync } from '../src/sync.js';
import { collect, type Harness, lastLine, runSyncCli, spawnSync, startHarness, syncRuns } from './harness.js';

describe('one run at a time per target database', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('makes a second run refuse while the first is in flight, naming the holder, then lets it run', async () => {
    h.sandbox.control.setFaults({ latencyMs: 1500 }); // keeps the first run busy for well over 10 s
    const first = spawnSync(h, []);
    const firstDone = collect(first);
    // wait until the first run holds the lock and has recorded itself
    for (let i = 0; i < 1200 && first.exitCode === null; i++) {
      const running = await h.db.client
        .query("SELECT 1 FROM pennylane.sync_runs WHERE outcome = 'running'")
        .then((r) => r.rowCount ?? 0)
        .catch(() => 0);
      if (running > 0) break;
      await sleep(50);
    }

    const second = await runSyncCli(h, []);
    assert.equal(second.code, 3, second.stderr);
    const message = lastLine(second.stderr);
    assert.match(
      message,
      new RegExp(
        `^pennylane-sync: another sync is already running on this database \\(schema "pennylane"\\): ` +
          `sync_runs #1, incremental run by pid ${first.pid} on host \\S+, started \\S+; ` +
          `held by the session "pennylane-sync pid=${first.pid} host=`,
      ),
    );

    h.sandbox.control.clearFaults();
    const res = await firstDone;
    assert.equal(res.code, 0, res.stderr);
    // the refused run left no trace in the history
    assert.deepEqual(
      (await syncRuns(h.db.client)).map((r) => r.outcome),
      ['succeeded'],
    );
    const third = await runSyncCli(h, []);
    assert.equal(third.code, 0, third.stderr);
  });

  it('stops a run whose lock session is killed, rather than run unlocked', async () => {
    h.sandbox.control.setFaults({ latencyMs: 1500 });
    h.sandbox.control.resetCounters();
    const run = spawnSync(h, []);
    const done = collect(run);
    // once the tap calls the API the run holds the lock and its programs are running: kill its session
    for (let i = 0; i < 1200 && run.exitCode === null; i++) {
      if (h.sandbox.control.counters().total > 0) break;
      await sleep(50);
    }
    let terminated = 0;
    for (let i = 0; i < 100 && run.exitCode === null && terminated === 0; i++) {
      const res = await h.db.client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'pennylane-sync pid=' || $1 || ' %'",
        [String(run.pid)],
      );
      terminated = res.rowCount ?? 0;
      if (terminated === 0) await sleep(50);
    }
    const res = await done;
    assert.equal(terminated, 1, `the lock session was found and killed: ${res.stderr}`);
    h.sandbox.control.clearFaults();
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      lastLine(res.stderr),
      /FAILED .*stopped before finishing: lost the connection holding the run lock/,
    );
  });

  it('names the lost lock as the cause when the session dies after the run is recorded, before the programs start', async () => {
    h.sandbox.control.resetCounters();
    const result = await runSync(
      { mode: 'incremental' },
      {
        connection: { connectionString: h.db.url },
        schema: 'pennylane',
        stateFile: h.stateFile,
        childEnv: h.env(),
        log: createLogger('test', () => {}),
        childLog: () => {},
        onRunRecorded: async (_runId, signal) => {
          await h.db.client.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'pennylane-sync pid=' || $1 || ' %'",
            [String(process.pid)],
          );
          if (!signal.aborted) await once(signal, 'abort');
        },
      },
    );
    assert.equal(h.sandbox.control.counters().total, 0, 'the tap never ran');
    assert.equal(result.outcome, 'failed');
    assert.match(
      result.error ?? '',
      /^stopped before finishing: lost the connection holding the run lock \(.*\); the programs had not started$/,
    );
  });
});
