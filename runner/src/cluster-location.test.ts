import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseClusterDir, SHARED_HOME, sharedClusterHome } from './cluster-location.js';

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
