import assert from 'node:assert/strict';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runScript } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { PRODUCT_FLATTENING } from '../src/config.js';
import { type Harness, runSyncCli, snapshot, startHarness } from './harness.js';

describe('--record then target-postgres --input', () => {
  let h: Harness;
  let replay: TestDatabase;
  before(async () => {
    h = await startHarness();
    replay = await createTestDatabase('runner_replay');
  });
  after(async () => {
    await replay.drop();
    await h.close();
  });

  it('replays the recorded tap output into identical tables', async () => {
    const file = join(h.dir, 'recordings', 'first-run.ndjson.gz');
    const res = await runSyncCli(h, ['--record', file]);
    assert.equal(res.code, 0, res.stderr);
    const fd = openSync(file, 'r');
    const magic = Buffer.alloc(2);
    readSync(fd, magic, 0, 2, 0);
    closeSync(fd);
    assert.deepEqual([...magic], [0x1f, 0x8b], 'a .gz name gives a gzip file');

    const replayed = await runScript('target-postgres/src/cli.ts', ['--input', file], undefined, {
      env: {
        ...h.env(),
        ...PRODUCT_FLATTENING, // the runner's default for target-postgres, as runner.md tells replayers
        TARGET_POSTGRES_DATABASE_URL: replay.url,
        TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: 'pennylane',
      },
    });
    assert.equal(replayed.code, 0, replayed.stderr);
    const [got, want] = [await snapshot(replay.client), await snapshot(h.db.client)];
    assert.ok(Object.keys(want).length >= 15);
    assert.deepEqual(Object.keys(got), Object.keys(want));
    for (const table of Object.keys(want)) assert.deepEqual(got[table], want[table], `table ${table}`);
  });
});
