import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chooseClusterDir, makeReachableFolder, SHARED_HOME, sharedClusterHome } from './cluster-location.js';

describe('where the embedded cluster lives', () => {
  it('has one shared folder per data folder: stable, distinct for two checkouts, named after the path', () => {
    const a = sharedClusterHome('/root/work/pennylane/.data');
    assert.equal(a, sharedClusterHome('/root/work/pennylane/.data'));
    assert.notEqual(a, sharedClusterHome('/root/other/pennylane/.data'));
    assert.notEqual(a, sharedClusterHome('/root/work/pennylane/.data/demo'));
    assert.match(a, new RegExp(`^${SHARED_HOME}/root-work-pennylane-.data-[0-9a-f]{12}$`));
    assert.match(sharedClusterHome('/'), /\/root-[0-9a-f]{12}$/);
    const long = sharedClusterHome(`/tmp/${'x'.repeat(200)}/.data`);
    assert.ok(long.length < SHARED_HOME.length + 60, long);
  });

  const local = '/p/.data/postgres';
  const shared = '/var/lib/pennylane-sync/p-.data-0123456789ab/postgres';
  const facts = (o: { root: boolean; clusters?: string[]; closed?: string }) => ({
    asRoot: o.root,
    isCluster: (d: string) => (o.clusters ?? []).includes(d),
    closedFolder: () => o.closed,
  });

  it('is the data folder when not root, whatever the folder modes', () => {
    assert.deepEqual(chooseClusterDir(local, shared, facts({ root: false, closed: '/p' })), {
      dir: local,
      shared: false,
    });
  });

  it('as root, is the data folder when the postgres user can enter it (CI, /srv): nothing changes there', () => {
    assert.deepEqual(chooseClusterDir(local, shared, facts({ root: true })), { dir: local, shared: false });
  });

  it('as root, is the shared folder when the data folder is closed to the postgres user, saying which folder', () => {
    assert.deepEqual(chooseClusterDir(local, shared, facts({ root: true, closed: '/p' })), {
      dir: shared,
      shared: true,
      closedFolder: '/p',
    });
  });

  it('as root, stays where a cluster already is, so a later sync finds the same data', () => {
    assert.deepEqual(
      chooseClusterDir(local, shared, facts({ root: true, clusters: [local], closed: '/p' })),
      {
        dir: local,
        shared: false,
      },
    );
    assert.deepEqual(chooseClusterDir(local, shared, facts({ root: true, clusters: [shared] })), {
      dir: shared,
      shared: true,
    });
  });
});

describe('a folder made for the postgres user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // An account that is neither the owner nor in the group of anything here: "other" applies.
  const stranger = { name: 'postgres', uid: 54321, gid: 54321 };

  it('is made 0755 whatever the umask, down to the last folder', () => {
    chmodSync(dir, 0o755);
    const old = process.umask(0o077);
    try {
      makeReachableFolder(join(dir, 'a', 'b'), stranger);
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o755);
    assert.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o755);
  });

  it('names the folder above that keeps the user out, and leaves its mode alone', () => {
    chmodSync(dir, 0o700);
    assert.throws(
      () => makeReachableFolder(join(dir, 'c'), stranger),
      (err: Error) =>
        err.message.includes(`OS user "postgres", which cannot enter ${dir}: run \`chmod o+x ${dir}\``),
    );
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('says what could not be created and why (a read-only /var/lib, here a file in the way)', () => {
    writeFileSync(join(dir, 'file'), '');
    assert.throws(
      () => makeReachableFolder(join(dir, 'file', 'sub'), stranger),
      (err: Error) =>
        err.message.includes(
          `${join(dir, 'file', 'sub')} could not be created for it (ENOTDIR): move the project`,
        ),
    );
  });
});
