import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canSearch, type FolderStat, firstClosedFolder } from './folder-access.js';

const postgres = { uid: 101, gid: 104 };
const dir = (mode: number, uid = 0, gid = 0): FolderStat => ({ mode: 0o40000 | mode, uid, gid });

describe('whether the postgres user can enter a folder', () => {
  it('applies the one permission class that matches, as the kernel does', () => {
    assert.equal(canSearch(dir(0o755), postgres), true, 'other x');
    assert.equal(canSearch(dir(0o700), postgres), false, "root's home");
    assert.equal(canSearch(dir(0o750, 0, 104), postgres), true, 'group x');
    assert.equal(canSearch(dir(0o705, 0, 104), postgres), false, 'the group class applies, not other');
    assert.equal(canSearch(dir(0o700, 101, 104), postgres), true, 'its own folder');
    assert.equal(canSearch(dir(0o077, 101, 104), postgres), false, 'the owner class applies, not other');
    assert.equal(canSearch(dir(0o000), { uid: 0, gid: 0 }), true, 'root enters everything');
  });

  it('names the topmost closed folder, and stops at a folder still to be made', () => {
    const tree: Record<string, FolderStat> = {
      '/': dir(0o755),
      '/root': dir(0o700),
      '/root/p': dir(0o700),
      '/root/p/.data': dir(0o755),
      '/srv': dir(0o755),
      '/srv/p': dir(0o755),
    };
    const stat = (f: string) => tree[f];
    assert.equal(firstClosedFolder('/root/p/.data/postgres', postgres, stat), '/root');
    assert.equal(firstClosedFolder('/srv/p/.data/postgres', postgres, stat), undefined);
    assert.equal(firstClosedFolder('/srv/p/new/deeper', postgres, stat), undefined);
    assert.equal(firstClosedFolder('/', postgres, stat), undefined);
  });
});
