/**
 * Deletes: a record whose `_sdc_deleted_at` is set removes its row (hard_delete, the default) or keeps
 * it flagged (hard_delete false); within a batch the last record of a key decides.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertSucceeded, loadOk } from './support/assertions.js';
import { DELETED, ids, inv, live as liveIn, STREAM, INVOICE_SCHEMA as schema5 } from './support/invoices.js';
import {
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

const db = useTestDatabase('tdel');
const live = (schema: string) => liveIn(db().client, schema);

describe('deletes via _sdc_deleted_at', { concurrency: 2 }, () => {
  test('hard delete (the default): rows whose record carries _sdc_deleted_at disappear; the summary counts them', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
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
      writeConfig(db().url, schema),
      ndjson([schema5, inv(1), inv(99, { _sdc_deleted_at: DELETED })]),
    );
    assertSucceeded(run);
    assert.deepEqual(ids(await live(schema)), [1]);
  });

  test('within one batch the last record of a key decides: update-then-delete deletes, delete-then-insert keeps', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [schema5, inv(1), inv(2), inv(3)]);
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
    const config = writeConfig(db().url, schema, { hard_delete: false });
    await loadOk(config, [schema5, inv(1), inv(2), inv(3)]);
    await loadOk(config, [schema5, inv(2, { _sdc_deleted_at: DELETED })]);
    assert.deepEqual(await live(schema), [
      { id: 1, deleted: false, label: 'F-1' },
      { id: 2, deleted: true, label: 'F-2' },
      { id: 3, deleted: false, label: 'F-3' },
    ]);
    const at = await rows<{ t: string }>(
      db().client,
      `SELECT to_char(_sdc_deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS t FROM ${table(schema, STREAM)} WHERE id = 2`,
    );
    assert.deepEqual(at, [{ t: '2026-03-01T10:00:00' }]);
    await loadOk(config, [schema5, inv(2, { label: 'restored' })]);
    assert.deepEqual((await live(schema))[1], { id: 2, deleted: false, label: 'restored' });
  });
});

/** A tombstone as the tap sends it for a deleted record: the key and the deletion time, nothing else. */
const tomb = (id: number) => recordMsg(STREAM, { id, _sdc_deleted_at: DELETED });

describe('soft deletes keep the last known values (hard_delete false)', { concurrency: 2 }, () => {
  const full = (schema: string) =>
    rows<{ id: number; label: string | null; amount: string | null; deleted: boolean }>(
      db().client,
      `SELECT id::int, label, amount::text, _sdc_deleted_at IS NOT NULL AS deleted FROM ${table(schema, STREAM)} ORDER BY id`,
    );

  test('a {id, _sdc_deleted_at} tombstone for a loaded row (staging + merge) flags it and keeps its values', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false });
    await loadOk(config, [schema5, inv(1), inv(2), inv(3)]);
    const run = await loadOk(config, [schema5, tomb(2)]);
    assert.deepEqual(await full(schema), [
      { id: 1, label: 'F-1', amount: '100.00', deleted: false },
      { id: 2, label: 'F-2', amount: '200.00', deleted: true },
      { id: 3, label: 'F-3', amount: '300.00', deleted: false },
    ]);
    assert.deepEqual(summaryOf(run.stderr).streams[STREAM], { inserted: 0, updated: 0, deleted: 1 });
  });

  test('a tombstone after its record in the same run (direct COPY, then staging) keeps the values of that record', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false });
    await loadOk(config, [schema5, inv(1), inv(2), tomb(2), inv(3)]);
    await loadOk(config, [schema5, inv(3, { label: 'F-3 bis' }), tomb(3), tomb(1)]);
    assert.deepEqual(await full(schema), [
      { id: 1, label: 'F-1', amount: '100.00', deleted: true },
      { id: 2, label: 'F-2', amount: '200.00', deleted: true },
      { id: 3, label: 'F-3 bis', amount: '300.00', deleted: true },
    ]);
  });

  test('a tombstone for a key never loaded inserts the key with nulls, whichever path it takes', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false });
    // direct: the table is empty, then the key is above the table's maximum
    await loadOk(config, [schema5, tomb(5)]);
    await loadOk(config, [schema5, tomb(7)]);
    // staging: the batch already merges (key 5 exists), the tombstone of 9 rides along
    await loadOk(config, [schema5, inv(5), tomb(9)]);
    assert.deepEqual(await full(schema), [
      { id: 5, label: 'F-5', amount: '500.00', deleted: false },
      { id: 7, label: null, amount: null, deleted: true },
      { id: 9, label: null, amount: null, deleted: true },
    ]);
  });

  test('a record after its tombstone in the same batch brings the row back with its values', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false });
    await loadOk(config, [schema5, inv(1), inv(2)]);
    await loadOk(config, [schema5, tomb(1), inv(1, { label: 'back' }), tomb(2), inv(2), tomb(2)]);
    assert.deepEqual(await full(schema), [
      { id: 1, label: 'back', amount: '100.00', deleted: false },
      { id: 2, label: 'F-2', amount: '200.00', deleted: true },
    ]);
  });

  test('without an _sdc_deleted_at column (no metadata, not in the schema) a tombstone changes nothing and adds no row', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema, { hard_delete: false, add_record_metadata: false });
    const plain = schemaMsg(STREAM, { id: { type: 'integer' }, label: { type: ['null', 'string'] } });
    await loadOk(config, [plain, recordMsg(STREAM, { id: 1, label: 'F-1' })]);
    await loadOk(config, [plain, tomb(1), tomb(2)]);
    await loadOk(config, [plain, tomb(3)]);
    assert.deepEqual(
      await rows(db().client, `SELECT id::int, label FROM ${table(schema, STREAM)} ORDER BY id`),
      [{ id: 1, label: 'F-1' }],
    );
  });
});
