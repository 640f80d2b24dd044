import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startSandbox } from '../../sandbox/src/index.js';
import type { Sandbox } from '../../sandbox/src/types.js';
import { createLogger } from '../../singer/src/log.js';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs } from '../../test/support/cli.js';
import { freePort } from '../../test/support/embedded-postgres.js';
import { startEmbeddedDatabase } from '../src/embedded-database.js';
import { cleanEnv, collect, lastLine, TEST_SIZE } from './harness.js';

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
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the local PostgreSQL, shows its password once, loads it and stops it at the end', async () => {
    const port = await freePort();
    const env = {
      ...cleanEnv(),
      PENNYLANE_API_TOKEN: sandbox.token,
      TAP_PENNYLANE_BASE_URL: sandbox.baseUrl,
      TAP_PENNYLANE_EXPORT_POLL_INTERVAL_SECONDS: '0.1',
      PENNYLANE_SYNC_DATA_DIR: join(dir, '.data'),
      PENNYLANE_SYNC_DB_PORT: String(port),
      PENNYLANE_SYNC_STATE_FILE: join(dir, 'state.json'),
      LOG_LEVEL: 'warn',
    };
    const sync = () =>
      collect(
        spawn(process.execPath, [...nodeArgs('runner/src/sync-cli.ts'), '--dotenv', join(dir, 'none.env')], {
          cwd: packageRoot,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    const first = await sync();
    assert.equal(first.code, 0, first.stderr);
    const password = readFileSync(join(dir, '.data', 'postgres-password'), 'utf8').trim();
    assert.match(
      first.stderr,
      new RegExp(`server   localhost:${port}[\\s\\S]*password ${password}   ← shown once`),
    );
    assert.match(lastLine(first.stderr), /run #1 succeeded/);
    assert.equal(await listening(port), false, 'the database it started is stopped again');

    // the data stays in the folder; started again, the database does not show its password again
    const db = await startEmbeddedDatabase({
      dataDir: join(dir, '.data'),
      port,
      log: createLogger('t', () => {}),
    });
    try {
      assert.equal(db.created, false);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const res = await client.query('SELECT count(*)::int AS n FROM pennylane.customers');
      const runs = await client.query(
        "SELECT count(*)::int AS n FROM pennylane.sync_runs WHERE outcome = 'succeeded'",
      );
      await client.end();
      assert.equal(res.rows[0].n, sandbox.control.records('customers').length);
      assert.equal(runs.rows[0].n, 1);
    } finally {
      await db.stop();
    }
  });
});
