/**
 * ACTIVATE_VERSION: after a full-table load, rows of older versions (or without a version) are deleted,
 * or flagged with `_sdc_deleted_at` when hard_delete is false; `activate_version: false` ignores it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertSucceeded, loadOk } from './support/assertions.js';
import { ids, inv, live as liveIn, STREAM, INVOICE_SCHEMA as schema5 } from './support/invoices.js';
import {
  activateMsg,
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  stateMsg,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tav');
const live = (schema: string) => liveIn(db().client, schema);

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
    const config = writeConfig(db().url, schema);
    await loadOk(config, [schema5, inv(100)]); // loaded without a version
    await loadOk(config, fullSync(1, [1, 2, 3, 4], true));
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
      db().client,
      `SELECT DISTINCT _sdc_table_version::int AS v FROM ${table(schema, STREAM)}`,
    );
    assert.deepEqual(versions, [{ v: 2 }]);
    assert.deepEqual(run.states, [{ version: 2 }]);
  });

  test('hard: activating the version already loaded deletes nothing (older means strictly older)', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, fullSync(5, [1, 2, 3], true));
    await loadOk(config, [schema5, activateMsg(STREAM, 5)]);
    assert.deepEqual(ids(await live(schema)), [1, 2, 3]);
  });

  test('a version announced before its records is never applied by the end of input (a tap that died)', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, fullSync(1, [1, 2, 3], true));
    // the opening announcement alone, then the tap stops (its listing failed before any record)
    const died = await runTarget(config, ndjson([schema5, activateMsg(STREAM, 2)]));
    assertSucceeded(died);
    assert.match(
      died.stderr,
      /ACTIVATE_VERSION 2 came before any record of its version .*the input ended.*rows of older versions are kept/,
    );
    // announced, some records, then the tap stops: the new rows are in, the old ones stay
    await loadOk(config, [
      schema5,
      activateMsg(STREAM, 3),
      inv(3, {}, { version: 3 }),
      inv(4, {}, { version: 3 }),
    ]);
    assert.deepEqual(ids(await live(schema)), [1, 2, 3, 4]);
  });

  test('an empty listing (ACTIVATE_VERSION without records) applies once confirmed: by itself again or by a STATE', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, fullSync(1, [1, 2, 3], true));
    await loadOk(config, [schema5, activateMsg(STREAM, 2), activateMsg(STREAM, 2)]);
    assert.deepEqual(ids(await live(schema)), []);
    await loadOk(config, fullSync(3, [1, 2], true));
    await loadOk(config, [schema5, activateMsg(STREAM, 4), stateMsg({ done: 4 })]);
    assert.deepEqual(ids(await live(schema)), []);
  });

  test('soft (hard_delete false): rows of older versions stay, flagged with _sdc_deleted_at', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false });
    await loadOk(config, fullSync(1, [1, 2, 3], true));
    await loadOk(config, fullSync(2, [2, 3, 4]));
    assert.deepEqual(await live(schema), [
      { id: 1, deleted: true, label: 'v1-1' },
      { id: 2, deleted: false, label: 'v2-2' },
      { id: 3, deleted: false, label: 'v2-3' },
      { id: 4, deleted: false, label: 'v2-4' },
    ]);
  });

  test('activate_version false: ACTIVATE_VERSION is ignored and no row is removed', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { activate_version: false });
    await loadOk(config, fullSync(1, [1, 2], true));
    await loadOk(config, fullSync(2, [2, 3]));
    assert.deepEqual(ids(await live(schema)), [1, 2, 3]);
  });

  test('ACTIVATE_VERSION of a stream without key removes the rows of the older load', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    const lines = (version: number, labels: string[]) => [
      schemaMsg(
        'trial_balance',
        { account: { type: 'string' }, balance: { type: 'string', format: 'singer.decimal' } },
        [],
      ),
      ...labels.map((a) => recordMsg('trial_balance', { account: a, balance: `${version}.00` }, { version })),
      activateMsg('trial_balance', version),
    ];
    await loadOk(config, lines(1, ['401', '411', '512']));
    await loadOk(config, lines(2, ['401', '411']));
    assert.deepEqual(
      await rows(
        db().client,
        `SELECT account, balance::text FROM ${table(schema, 'trial_balance')} ORDER BY account`,
      ),
      [
        { account: '401', balance: '2.00' },
        { account: '411', balance: '2.00' },
      ],
    );
  });
});
