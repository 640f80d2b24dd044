import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createLogger } from '../../singer/src/log.js';
import { freePort, removeSharedClusters } from '../../test/support/embedded-postgres.js';
import { startEmbeddedDatabase } from '../src/embedded-database.js';

const log = createLogger('test', () => {});

/** Whether something accepts TCP connections at host:port. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

describe('the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-db-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, '.data');
  after(() => {
    removeSharedClusters(dir); // as root with a private TMPDIR, the clusters live in /var/lib/pennylane-sync
    rmSync(dir, { recursive: true, force: true });
  });

  it('is created on first start with a 0600 password file, database and schema "pennylane", on localhost only', async () => {
    const port = await freePort();
    const db = await startEmbeddedDatabase({ dataDir, port, log });
    try {
      assert.equal(db.created, true);
      assert.equal(db.startedHere, true);
      assert.equal(statSync(db.passwordFile).mode & 0o777, 0o600);
      assert.equal(readFileSync(db.passwordFile, 'utf8').trim(), db.password);
      assert.ok(db.password.length >= 20);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const res = await client.query(
        "SELECT current_database() AS db, current_setting('listen_addresses') AS listen, " +
          "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pennylane') AS schema, " +
          "current_setting('server_encoding') AS encoding, upper('écriture à-nouveaux') AS upper",
      );
      await client.end();
      // UTF-8 and Unicode case whatever the locale of the shell that created it (LANG unset in CI)
      assert.deepEqual(res.rows[0], {
        db: 'pennylane',
        listen: 'localhost',
        schema: true,
        encoding: 'UTF8',
        upper: 'ÉCRITURE À-NOUVEAUX',
      });

      await assert.rejects(
        new pg.Client({
          host: '127.0.0.1',
          port,
          user: 'pennylane',
          password: 'wrong',
          database: 'pennylane',
        }).connect(),
        /password authentication failed/,
      );
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (external)
        assert.equal(await accepts(external.address, port), false, `reachable on ${external.address}`);

      // A second start while it runs (a manual sync next to the scheduler) reuses it and leaves it up.
      const again = await startEmbeddedDatabase({ dataDir, port, log });
      assert.equal(again.startedHere, false);
      assert.equal(again.created, false);
      await again.stop();
      assert.equal(await accepts('127.0.0.1', port), true);
    } finally {
      await db.stop();
    }
    assert.equal(await accepts('127.0.0.1', port), false);
  });

  it('keeps its data and password across restarts and does not initialise again', async () => {
    const port = await freePort();
    const first = await startEmbeddedDatabase({ dataDir, port, log });
    const c1 = new pg.Client({ connectionString: first.url });
    await c1.connect();
    await c1.query('CREATE TABLE pennylane.kept (id int); INSERT INTO pennylane.kept VALUES (42)');
    await c1.end();
    await first.stop();

    const second = await startEmbeddedDatabase({ dataDir, port, log });
    try {
      assert.equal(second.created, false);
      assert.equal(second.password, first.password);
      const c2 = new pg.Client({ connectionString: second.url });
      await c2.connect();
      const res = await c2.query('SELECT id FROM pennylane.kept');
      await c2.end();
      assert.deepEqual(res.rows, [{ id: 42 }]);
    } finally {
      await second.stop();
    }
  });

  it('says which port to change when the port is taken', async () => {
    const port = await freePort();
    const other = await startEmbeddedDatabase({ dataDir: join(dir, 'other'), port, log });
    try {
      await assert.rejects(
        startEmbeddedDatabase({ dataDir, port, log }),
        /port \d+ is already in use: set PENNYLANE_SYNC_DB_PORT/,
      );
    } finally {
      await other.stop();
    }
  });
});
