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
  rows,
  runTarget,
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
