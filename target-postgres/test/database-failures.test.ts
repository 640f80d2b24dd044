/**
 * PostgreSQL failing under the target (issue 10, defect 6): a server that terminates the target's
 * session mid-load, and another session renaming a column or dropping the table between batches. The
 * run ends with exit 1 and one line that blames the database (or the other session), never the input's
 * values; nothing past the last printed STATE is missing after it, and no password shows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed, assertSucceeded } from './support/assertions.js';
import {
  explain,
  freshSchema,
  type LiveTarget,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  sleep,
  startTarget,
  stateMsg,
  table,
  timeout,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tdbfail');

const PROPS = { id: { type: 'integer' }, label: { type: ['null', 'string'] } };
const records = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) =>
    recordMsg('payments', { id: from + i, label: `p${from + i}` }),
  );

/** Feeds the first 100 records and a STATE, and waits until that state is printed (so it is committed). */
async function startCommitted(schema: string): Promise<{ target: LiveTarget; config: string }> {
  const config = writeConfig(db().url, schema, { batch_size_rows: 1_000_000, max_batch_age_seconds: 600 });
  const target = startTarget(config);
  const printed = new Promise<string>((resolve) => target.onLine(resolve));
  await target.write(ndjson([schemaMsg('payments', PROPS), ...records(1, 100), stateMsg({ upTo: 100 })]));
  const first = await Promise.race([printed, timeout(30000, 'timeout')]);
  assert.equal(
    first,
    '{"upTo":100}',
    `the first state is printed once its records are committed\n${target.stderr()}`,
  );
  return { target, config };
}

const committedIds = async (schema: string) =>
  (
    await rows<{ id: number }>(db().client, `SELECT id::int FROM ${table(schema, 'payments')} ORDER BY id`)
  ).map((r) => r.id);

/** The run's verdict: exit 1, one error line, the printed states and the rows agree, no password. */
function assertDatabaseBlamed(run: Awaited<LiveTarget['exited']>, mentions: string[]) {
  assertFailed(
    { ...run, states: [], lastError: run.stderr.trim().split('\n').pop() ?? '' },
    undefined,
    mentions,
  );
  const last = run.stderr.trim().split('\n').pop() ?? '';
  assert.doesNotMatch(last, /fix the value/, `a database failure must not blame the input: ${last}`);
  assert.ok(!run.stderr.includes(new URL(db().url).password), 'no password on stderr');
  assert.equal(
    run.stderr.split('\n').filter((l) => l.startsWith('target-postgres: error:')).length,
    1,
    explain(run),
  );
}

describe('database failures during a load', { concurrency: 2 }, () => {
  test('the server terminating the session mid-COPY (pg_terminate_backend) is blamed on the database; a re-run resumes from the last printed state', async () => {
    const schema = freshSchema();
    const { target, config } = await startCommitted(schema);
    // Keep records flowing until the target's session is seen in COPY, then terminate it.
    let next = 101;
    let killed = 0;
    for (let round = 0; round < 400 && killed === 0; round++) {
      await target.write(ndjson(records(next, next + 199)));
      next += 200;
      const found = await rows<{ n: number }>(
        db().client,
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE $1`,
        [`COPY "${schema}"%`],
      );
      killed = found[0]!.n;
      if (killed === 0) await sleep(20);
    }
    assert.ok(killed > 0, 'the target was seen in COPY and terminated');
    await target.write(ndjson([...records(next, next + 50), stateMsg({ upTo: next + 50 })]));
    const run = await target.finish();
    assertDatabaseBlamed(run, [
      'payments',
      'connection to PostgreSQL was lost',
      'not a problem in the input',
    ]);
    assert.match(run.stderr.trim().split('\n').pop()!, /stdin:\d+-\d+/, 'the lines of the rolled-back batch');
    assert.deepEqual(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [{ upTo: 100 }],
      'no state past the committed data',
    );
    const ids = await committedIds(schema);
    assert.deepEqual(
      ids,
      records(1, 100).map((_, i) => i + 1),
      'only what the printed state covers',
    );
    // The tap resumes after the printed state: the re-run ends with every record.
    const end = next + 50;
    const rerun = await runTarget(
      config,
      ndjson([schemaMsg('payments', PROPS), ...records(101, end), stateMsg({ upTo: end })]),
    );
    assertSucceeded(rerun);
    assert.deepEqual(rerun.states, [{ upTo: end }]);
    assert.equal((await committedIds(schema)).length, end);
  });

  test('a column renamed by another session between batches names the column and the other session', async () => {
    const schema = freshSchema();
    const { target } = await startCommitted(schema);
    await db().client.query(`ALTER TABLE ${table(schema, 'payments')} RENAME COLUMN label TO label_renamed`);
    await target.write(ndjson([...records(101, 150), stateMsg({ upTo: 150 })]));
    const run = await target.finish();
    assertDatabaseBlamed(run, ['stdin:103', 'payments', 'column "label"', 'another session']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['{"upTo":100}']);
    assert.equal((await committedIds(schema)).length, 100);
  });

  test('the table dropped by another session between batches names the table', async () => {
    const schema = freshSchema();
    const { target } = await startCommitted(schema);
    await db().client.query(`DROP TABLE ${table(schema, 'payments')}`);
    await target.write(ndjson([...records(101, 150), stateMsg({ upTo: 150 })]));
    const run = await target.finish();
    assertDatabaseBlamed(run, ['stdin:103', 'payments', 'another session']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['{"upTo":100}']);
  });

  test('a key inserted by another session while the target copies it (direct COPY) names the key and the other session', async () => {
    const schema = freshSchema();
    const { target } = await startCommitted(schema);
    // The next batch copies straight into the table: its keys are above the table's maximum (100).
    await target.write(ndjson(records(101, 105)));
    for (let i = 0; i < 500; i++) {
      const [r] = await rows<{ n: number }>(
        db().client,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1`,
        [`COPY "${schema}"%`],
      );
      if (r!.n > 0) break;
      await sleep(20);
    }
    await db().client.query(`INSERT INTO ${table(schema, 'payments')} (id, label) VALUES (110, 'theirs')`);
    await target.write(ndjson([...records(106, 120), stateMsg({ upTo: 120 })]));
    const run = await target.finish();
    assertDatabaseBlamed(run, ['payments', 'another session', 'Key (id)=(110) already exists', '23505']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['{"upTo":100}']);
  });
});
