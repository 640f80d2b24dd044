import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startSandbox } from '../../sandbox/src/index.js';
import type { Sandbox } from '../../sandbox/src/types.js';
import { createLogger } from '../../singer/src/log.js';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs } from '../../test/support/cli.js';
import { freePort, removeSharedClusters } from '../../test/support/embedded-postgres.js';
import { startEmbeddedDatabase } from '../src/embedded-database.js';
import { cleanEnv, collect, FAST_TAP, lastLine, TEST_SIZE } from './harness.js';

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('npm run sync without a configured database', () => {
  let sandbox: Sandbox;
  const dir = mkdtempSync(join(tmpdir(), 'runner-embedded-'));
  chmodSync(dir, 0o755);
  before(async () => {
    sandbox = await startSandbox({ size: TEST_SIZE, seed: 3, rateLimit: false, exportDelayMs: 100 });
  });
  after(async () => {
    await sandbox.close();
    removeSharedClusters(dir); // as root with a private TMPDIR, the cluster lives in /var/lib/pennylane-sync
    rmSync(dir, { recursive: true, force: true });
  });

  let port: number;
  /** `npm run sync` in a process group of its own, as a terminal starts it (so Ctrl-C can reach the whole group). */
  const spawnSync = () =>
    spawn(process.execPath, [...nodeArgs('runner/src/sync-cli.ts'), '--dotenv', join(dir, 'none.env')], {
      cwd: packageRoot,
      env: {
        ...cleanEnv(),
        PENNYLANE_API_TOKEN: sandbox.token,
        TAP_PENNYLANE_BASE_URL: sandbox.baseUrl,
        ...FAST_TAP,
        PENNYLANE_SYNC_DATA_DIR: join(dir, '.data'),
        PENNYLANE_SYNC_DB_PORT: String(port),
        PENNYLANE_SYNC_STATE_FILE: join(dir, 'state.json'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  const openDatabase = () =>
    startEmbeddedDatabase({ dataDir: join(dir, '.data'), port, log: createLogger('t', () => {}) });

  it('starts the local PostgreSQL, shows its password once, loads it and stops it at the end', async () => {
    port = await freePort();
    const first = await collect(spawnSync());
    assert.equal(first.code, 0, first.stderr);
    const password = readFileSync(join(dir, '.data', 'postgres-password'), 'utf8').trim();
    assert.match(
      first.stderr,
      new RegExp(`server   localhost:${port}[\\s\\S]*password ${password}   ← shown once`),
    );
    assert.match(lastLine(first.stderr), /run #1 succeeded/);
    assert.equal(await listening(port), false, 'the database it started is stopped again');
  });

  it('on Ctrl-C (SIGINT to the whole process group) records the end of the run, then stops the database, keeping the data', async () => {
    sandbox.control.setFaults({ latencyMs: 1000 });
    sandbox.control.resetCounters();
    const run = spawnSync();
    const done = collect(run);
    // the tap calls the API once the database is up and the run is recorded
    for (let i = 0; i < 1200 && run.exitCode === null && sandbox.control.counters().total === 0; i++)
      await sleep(25);
    assert.ok(sandbox.control.counters().total > 0, 'the run started');
    process.kill(-run.pid!, 'SIGINT');
    const res = await done;
    sandbox.control.clearFaults();
    assert.equal(res.code, 130, res.stderr);
    assert.doesNotMatch(res.stderr, /lost the connection|could not record/);
    assert.match(lastLine(res.stderr), /run #2 FAILED .*stopped before finishing: a stop was requested/);
    assert.doesNotMatch(res.stderr, /shown once/, 'the password is shown at creation only');
    assert.equal(await listening(port), false, 'the database is stopped after the run');

    // the data of the first run stayed in the folder, and both runs are recorded to their end

    const db = await openDatabase();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const customers = await client.query('SELECT count(*)::int AS n FROM pennylane.customers');
      const runs = await client.query(
        'SELECT outcome, error, finished_at FROM pennylane.sync_runs ORDER BY id',
      );
      await client.end();
      assert.equal(db.created, false);
      assert.equal(customers.rows[0].n, sandbox.control.records('customers').length);
      assert.deepEqual(
        runs.rows.map((r) => r.outcome),
        ['succeeded', 'failed'],
      );
      assert.equal(runs.rows[1].outcome, 'failed');
      assert.match(runs.rows[1].error, /^stopped before finishing: a stop was requested/);
      assert.ok(runs.rows[1].finished_at instanceof Date, 'the end of the run is recorded');
    } finally {
      await db.stop();
    }
  });
});
