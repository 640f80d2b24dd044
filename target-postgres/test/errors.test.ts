/**
 * Bad input: exit 1 with one last stderr line `target-postgres: error: …` naming the input place
 * (source:line), the stream and the field; what was committed before stays, no state beyond it is printed,
 * and secrets never show.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed } from './support/assertions.js';
import {
  explain,
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  scratchPath,
  startTarget,
  stateMsg,
  table,
  timeout,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('terr');

const PROPS = {
  id: { type: 'integer' },
  amount: { type: ['null', 'string'], format: 'singer.decimal' },
  big: { type: ['null', 'integer'] },
};
const head = [schemaMsg('payments', PROPS), recordMsg('payments', { id: 1, amount: '1.00' })];

async function failWith(lines: string, extra: Record<string, unknown> = {}) {
  const schema = freshSchema();
  return { schema, run: await runTarget(writeConfig(db().url, schema, extra), lines) };
}

describe('bad input', { concurrency: 2 }, () => {
  test('invalid JSON names the line', async () => {
    const { run } = await failWith(
      `${ndjson(head)}{"type":"RECORD","stream":"payments","record":{"id":2,}\n`,
    );
    assertFailed(run, 'stdin:3', ['JSON']);
  });

  test('an unknown message type names the line and the type', async () => {
    const { run } = await failWith(`${ndjson(head)}{"type":"BATCHX","stream":"payments"}\n`);
    assertFailed(run, 'stdin:3', ['BATCHX']);
  });

  test('a record that fails its schema names the line, the stream and the field', async () => {
    const { run } = await failWith(
      ndjson([...head, recordMsg('payments', { id: 2, amount: 'douze euros' })]),
    );
    assertFailed(run, 'stdin:3', ['payments', 'amount']);
  });

  test('a value PostgreSQL cannot hold (an integer beyond bigint) names the line, the stream and the field', async () => {
    const input = ndjson([...head, recordMsg('payments', { id: 2, big: 7 })]).replace(
      '"big":7',
      '"big":99999999999999999999999',
    );
    const { run } = await failWith(input);
    assertFailed(run, 'stdin:3', ['payments', 'big']);
  });

  test('an error in an --input file names the file and line', async () => {
    const file = scratchPath('bad.ndjson');
    writeFileSync(file, `${ndjson(head)}\nnot json at all\n`);
    const schema = freshSchema();
    const run = await runTarget(writeConfig(db().url, schema), undefined, ['--input', file]);
    assertFailed(run, `${file}:4`, []);
  });

  test('a missing --input file is a clear error', async () => {
    const schema = freshSchema();
    const missing = scratchPath('nowhere.ndjson');
    const run = await runTarget(writeConfig(db().url, schema), undefined, ['--input', missing]);
    assertFailed(run, undefined, ['nowhere.ndjson']);
  });

  test('what was committed before the error stays, and no state beyond it was printed', async () => {
    const schema = freshSchema();
    const target = startTarget(writeConfig(db().url, schema, { max_batch_age_seconds: 1 }));
    const firstState = new Promise<string>((resolve) => target.onLine(resolve));
    await target.write(
      ndjson([
        schemaMsg('payments', PROPS),
        ...[1, 2, 3].map((id) => recordMsg('payments', { id, amount: `${id}.00` })),
        stateMsg({ payments: 3 }),
      ]),
    );
    const line = await Promise.race([firstState, timeout(20000, 'timeout')]);
    await target.write(
      ndjson([recordMsg('payments', { id: 4, amount: '4.00' }), stateMsg({ payments: 4 })]) +
        '{"type":"RECORD","stream":"payments","record":{"id":5,"amount":"oops"}}\n' +
        ndjson([stateMsg({ payments: 5 })]),
    );
    const result = await target.finish();
    assert.equal(result.code, 1, explain(result));
    assert.notEqual(line, 'timeout', 'the first state came out while the input paused');
    const printed = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { payments: number });
    assert.deepEqual(printed[0], { payments: 3 });
    const ids = (
      await rows<{ id: number }>(db().client, `SELECT id::int FROM ${table(schema, 'payments')} ORDER BY id`)
    ).map((r) => r.id);
    assert.ok(ids.length >= 3 && ids.every((id, i) => id === i + 1), `rows 1..3 committed and kept: ${ids}`);
    for (const s of printed)
      assert.ok(ids.length >= s.payments, `state ${JSON.stringify(s)} covered by ${ids}`);
    assert.ok(!ids.includes(5));
    assert.ok(
      printed.every((s) => s.payments < 5),
      'no state after the bad record',
    );
  });

  test('a bad line still lets the records and the state before it be committed and printed', async () => {
    const { schema, run } = await failWith(
      `${ndjson([...head, stateMsg({ payments: 1 })])}{"type":"RECORD","stream":"payments","record":{"id":2,}\n`,
    );
    assertFailed(run, 'stdin:4', ['JSON']);
    assert.deepEqual(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [{ payments: 1 }],
      'the state before the bad line is printed once its record is committed',
    );
    const ids = await rows<{ id: number }>(db().client, `SELECT id::int FROM ${table(schema, 'payments')}`);
    assert.deepEqual(
      ids.map((r) => r.id),
      [1],
    );
  });

  test('a connection failure is a clear error and never prints the password', async () => {
    const schema = freshSchema();
    const url = new URL(db().url);
    const password = 'Sup3r-Secret-Pa55word';
    const config = writeConfig('', schema, {
      database_url: undefined,
      host: url.hostname,
      port: Number(url.port),
      user: 'no_such_user',
      password,
      database: url.pathname.slice(1),
    });
    const run = await runTarget(config, ndjson(head));
    assertFailed(run, undefined, []);
    assert.ok(!run.stderr.includes(password), 'the password must not appear on stderr');
    assert.ok(!run.stdout.includes(password));
  });

  test('a database_url password never shows in errors either', async () => {
    const schema = freshSchema();
    const url = new URL(db().url);
    url.username = 'no_such_user';
    url.password = 'An0ther-Secret-Pa55';
    const run = await runTarget(writeConfig(url.toString(), schema), ndjson(head));
    assertFailed(run, undefined, []);
    assert.ok(!run.stderr.includes('An0ther-Secret-Pa55'), run.lastError);
  });
});
