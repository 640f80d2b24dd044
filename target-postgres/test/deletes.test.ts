/**
 * Deletes: a record whose `_sdc_deleted_at` is set removes its row (hard_delete, the default) or keeps
 * it flagged (hard_delete false); ACTIVATE_VERSION removes or flags the rows of older versions only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  activateMsg,
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  stateMsg,
  summaryOf,
  table,
  writeConfig,
} from './support/target.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('tdel');
});
after(async () => {
  await db?.drop();
});

const STREAM = 'customer_invoices';
const INVOICE = {
  id: { type: 'integer' },
  label: { type: ['null', 'string'] },
  amount: { type: ['null', 'string'], format: 'singer.decimal' },
  _sdc_deleted_at: { type: ['null', 'string'], format: 'date-time' },
};
const schema5 = schemaMsg(STREAM, INVOICE);
const inv = (id: number, extra: Record<string, unknown> = {}, msg: Record<string, unknown> = {}) =>
  recordMsg(STREAM, { id, label: `F-${id}`, amount: `${id}00.00`, ...extra }, msg);
const DELETED = '2026-03-01T10:00:00Z';

async function live(schema: string): Promise<{ id: number; deleted: boolean; label: string }[]> {
  return rows(
    db.client,
    `SELECT id::int, _sdc_deleted_at IS NOT NULL AS deleted, label FROM ${table(schema, STREAM)} ORDER BY id`,
  );
}
const ids = (r: { id: number }[]) => r.map((x) => x.id);

describe('deletes via _sdc_deleted_at', { concurrency: 2 }, () => {
  test('hard delete (the default): rows whose record carries _sdc_deleted_at disappear; the summary counts them', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema);
    const first = await runTarget(
      config,
      ndjson([schema5, ...[1, 2, 3, 4, 5].map((i) => inv(i)), stateMsg(1)]),
    );
    assertSucceeded(first);
    assert.deepEqual(summaryOf(first.stderr).streams[STREAM], { inserted: 5, updated: 0, deleted: 0 });
    const second = await runTarget(
      config,
      ndjson([
        schema5,
        inv(1, { label: 'F-1 corrigée' }),
        inv(2, { _sdc_deleted_at: DELETED }),
        inv(4, { _sdc_deleted_at: DELETED }),
        stateMsg(2),
      ]),
    );
    assertSucceeded(second);
    assert.deepEqual(ids(await live(schema)), [1, 3, 5]);
    assert.equal((await live(schema))[0]?.label, 'F-1 corrigée');
    assert.deepEqual(summaryOf(second.stderr).streams[STREAM], { inserted: 0, updated: 1, deleted: 2 });
    assert.deepEqual(second.states, [2]);
  });

  test('hard delete of a key never loaded is not an error and adds no row', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db.url, schema),
      ndjson([schema5, inv(1), inv(99, { _sdc_deleted_at: DELETED })]),
    );
    assertSucceeded(run);
    assert.deepEqual(ids(await live(schema)), [1]);
  });

  test('within one batch the last record of a key decides: update-then-delete deletes, delete-then-insert keeps', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema);
    assertSucceeded(await runTarget(config, ndjson([schema5, inv(1), inv(2), inv(3)])));
    const run = await runTarget(
      config,
      ndjson([
        schema5,
        inv(1, { label: 'changed' }),
        inv(1, { _sdc_deleted_at: DELETED }),
        inv(2, { _sdc_deleted_at: DELETED }),
        inv(2, { label: 'back again' }),
        inv(4, { _sdc_deleted_at: DELETED }),
        inv(4, { label: 'new after delete' }),
      ]),
    );
    assertSucceeded(run);
    assert.deepEqual(await live(schema), [
      { id: 2, deleted: false, label: 'back again' },
      { id: 3, deleted: false, label: 'F-3' },
      { id: 4, deleted: false, label: 'new after delete' },
    ]);
  });

  test('soft delete (hard_delete false): the row stays, flagged with the deletion time, and comes back on a new record', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema, { hard_delete: false });
    assertSucceeded(await runTarget(config, ndjson([schema5, inv(1), inv(2), inv(3)])));
    assertSucceeded(await runTarget(config, ndjson([schema5, inv(2, { _sdc_deleted_at: DELETED })])));
    assert.deepEqual(await live(schema), [
      { id: 1, deleted: false, label: 'F-1' },
      { id: 2, deleted: true, label: 'F-2' },
      { id: 3, deleted: false, label: 'F-3' },
    ]);
    const at = await rows<{ t: string }>(
      db.client,
      `SELECT to_char(_sdc_deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS t FROM ${table(schema, STREAM)} WHERE id = 2`,
    );
    assert.deepEqual(at, [{ t: '2026-03-01T10:00:00' }]);
    assertSucceeded(await runTarget(config, ndjson([schema5, inv(2, { label: 'restored' })])));
    assert.deepEqual((await live(schema))[1], { id: 2, deleted: false, label: 'restored' });
  });
});

describe('ACTIVATE_VERSION', { concurrency: 2 }, () => {
  /** A full-table sync as taps send it: records tagged with the version, then ACTIVATE_VERSION. */
  const fullSync = (version: number, keys: number[], first = false) => [
    schema5,
    ...(first ? [activateMsg(STREAM, version)] : []),
    ...keys.map((i) => inv(i, { label: `v${version}-${i}` }, { version })),
    activateMsg(STREAM, version),
    stateMsg({ version }),
  ];

  test('hard: rows of older versions and rows without a version are deleted; the new version is kept whole', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema);
    assertSucceeded(await runTarget(config, ndjson([schema5, inv(100)]))); // loaded without a version
    assertSucceeded(await runTarget(config, ndjson(fullSync(1, [1, 2, 3, 4], true))));
    assert.deepEqual(
      ids(await live(schema)),
      [1, 2, 3, 4],
      'the row without version is removed by version 1',
    );
    const run = await runTarget(config, ndjson(fullSync(2, [3, 4, 5, 6])));
    assertSucceeded(run);
    assert.deepEqual(await live(schema), [
      { id: 3, deleted: false, label: 'v2-3' },
      { id: 4, deleted: false, label: 'v2-4' },
      { id: 5, deleted: false, label: 'v2-5' },
      { id: 6, deleted: false, label: 'v2-6' },
    ]);
    const versions = await rows(
      db.client,
      `SELECT DISTINCT _sdc_table_version::int AS v FROM ${table(schema, STREAM)}`,
    );
    assert.deepEqual(versions, [{ v: 2 }]);
    assert.deepEqual(run.states, [{ version: 2 }]);
  });

  test('hard: activating the version already loaded deletes nothing (older means strictly older)', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema);
    assertSucceeded(await runTarget(config, ndjson(fullSync(5, [1, 2, 3], true))));
    assertSucceeded(await runTarget(config, ndjson([schema5, activateMsg(STREAM, 5)])));
    assert.deepEqual(ids(await live(schema)), [1, 2, 3]);
  });

  test('soft (hard_delete false): rows of older versions stay, flagged with _sdc_deleted_at', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema, { hard_delete: false });
    assertSucceeded(await runTarget(config, ndjson(fullSync(1, [1, 2, 3], true))));
    assertSucceeded(await runTarget(config, ndjson(fullSync(2, [2, 3, 4]))));
    assert.deepEqual(await live(schema), [
      { id: 1, deleted: true, label: 'v1-1' },
      { id: 2, deleted: false, label: 'v2-2' },
      { id: 3, deleted: false, label: 'v2-3' },
      { id: 4, deleted: false, label: 'v2-4' },
    ]);
  });

  test('activate_version false: ACTIVATE_VERSION is ignored and no row is removed', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema, { activate_version: false });
    assertSucceeded(await runTarget(config, ndjson(fullSync(1, [1, 2], true))));
    assertSucceeded(await runTarget(config, ndjson(fullSync(2, [2, 3]))));
    assert.deepEqual(ids(await live(schema)), [1, 2, 3]);
  });

  test('ACTIVATE_VERSION of a stream without key removes the rows of the older load', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema);
    const lines = (version: number, labels: string[]) => [
      schemaMsg(
        'trial_balance',
        { account: { type: 'string' }, balance: { type: 'string', format: 'singer.decimal' } },
        [],
      ),
      ...labels.map((a) => recordMsg('trial_balance', { account: a, balance: `${version}.00` }, { version })),
      activateMsg('trial_balance', version),
    ];
    assertSucceeded(await runTarget(config, ndjson(lines(1, ['401', '411', '512']))));
    assertSucceeded(await runTarget(config, ndjson(lines(2, ['401', '411']))));
    assert.deepEqual(
      await rows(
        db.client,
        `SELECT account, balance::text FROM ${table(schema, 'trial_balance')} ORDER BY account`,
      ),
      [
        { account: '401', balance: '2.00' },
        { account: '411', balance: '2.00' },
      ],
    );
  });
});
