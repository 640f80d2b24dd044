/**
 * ACTIVATE_VERSION while someone reads the table: a second connection counts rows in a loop while a new
 * version loads, and must always see one complete version (the old one, possibly with new rows added, or
 * the new one), never a truncated or half-swapped table. The user's index and view on it survive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { useTestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  activateMsg,
  explain,
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  sleep,
  startTarget,
  stateMsg,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tavr');

const STREAM = 'ledger_accounts';
const SCHEMA = schemaMsg(STREAM, {
  id: { type: 'integer' },
  number: { type: 'string' },
  label: { type: ['null', 'string'] },
});
const version = (v: number, from: number, to: number) => {
  const out: Record<string, unknown>[] = [];
  for (let id = from; id <= to; id++) {
    out.push(
      recordMsg(STREAM, { id, number: `${400000 + id}`, label: `v${v} account ${id}` }, { version: v }),
    );
  }
  return out;
};

test('a reader never sees an incomplete table while a new version loads, and its index and view survive', async () => {
  const schema = freshSchema();
  const config = writeConfig(db().url, schema, { batch_size_rows: 300 });
  const T = table(schema, STREAM);
  // version 1: ids 1..3000
  const v1 = await runTarget(
    config,
    ndjson([SCHEMA, activateMsg(STREAM, 1), ...version(1, 1, 3000), activateMsg(STREAM, 1), stateMsg(1)]),
  );
  assertSucceeded(v1);
  await db().client.query(`CREATE INDEX user_label_idx ON ${T} (label)`);
  await db().client.query(
    `CREATE VIEW ${table(schema, 'open_accounts')} AS SELECT id, number, label FROM ${T} WHERE _sdc_deleted_at IS NULL`,
  );
  const tableOid = async () =>
    (await rows<{ oid: number }>(db().client, 'SELECT to_regclass($1)::oid::int AS oid', [T]))[0]?.oid;
  const oidBefore = await tableOid();
  assert.ok(oidBefore, 'version 1 created the table');

  // the reader: one complete version at every instant (v1 = ids 1..3000, v2 = ids 2001..5000)
  const reader = new pg.Client({ connectionString: db().url });
  await reader.connect();
  let reading = true;
  const samples: { v1: number; v2: number; view: number }[] = [];
  const problems: string[] = [];
  const loop = (async () => {
    while (reading) {
      try {
        const r = await reader.query<{ v1: number; v2: number; view: number }>(
          `SELECT count(*) FILTER (WHERE id BETWEEN 1 AND 3000)::int AS v1,
                  count(*) FILTER (WHERE id BETWEEN 2001 AND 5000)::int AS v2,
                  (SELECT count(*)::int FROM ${table(schema, 'open_accounts')}) AS view
             FROM ${T}`,
        );
        const s = r.rows[0]!;
        samples.push(s);
        if (s.v1 !== 3000 && s.v2 !== 3000) problems.push(`incomplete table: ${JSON.stringify(s)}`);
        if (s.view < 3000) problems.push(`incomplete view: ${JSON.stringify(s)}`);
      } catch (err) {
        problems.push(`reader error: ${(err as Error).message}`);
      }
    }
  })();

  // version 2 fed at a reader-friendly pace: ids 2001..5000, then ACTIVATE_VERSION 2
  const target = startTarget(config);
  await target.write(ndjson([SCHEMA]));
  const records = version(2, 2001, 5000);
  for (let i = 0; i < records.length; i += 150) {
    await target.write(ndjson(records.slice(i, i + 150)));
    await sleep(25);
  }
  await target.write(ndjson([activateMsg(STREAM, 2), stateMsg(2)]));
  const result = await target.finish();
  await sleep(100);
  reading = false;
  await loop;
  await reader.end();

  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} bad samples out of ${samples.length}`);
  assert.ok(samples.length >= 20, `the reader sampled during the load (${samples.length} samples)`);
  const final = await rows<{ min: number; max: number; n: number }>(
    db().client,
    `SELECT min(id)::int AS min, max(id)::int AS max, count(*)::int AS n FROM ${T}`,
  );
  assert.deepEqual(final, [{ min: 2001, max: 5000, n: 3000 }]);
  assert.equal(samples[samples.length - 1]?.v2, 3000);

  assert.equal(await tableOid(), oidBefore, 'the same table, never dropped and recreated');
  const index = await rows(
    db().client,
    `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`,
    [schema, STREAM],
  );
  assert.ok(
    index.some((i) => i.indexname === 'user_label_idx'),
    `user index survives: ${JSON.stringify(index)}`,
  );
  const view = await rows<{ n: number }>(
    db().client,
    `SELECT count(*)::int AS n FROM ${table(schema, 'open_accounts')} WHERE label LIKE 'v2 %'`,
  );
  assert.deepEqual(view, [{ n: 3000 }]);
});
