/**
 * State semantics seen from outside: a STATE value reaches stdout only once every record before it (all
 * streams) is committed, checked by reading the tables the moment each state line appears; stdout holds
 * nothing else; long pauses still checkpoint; replays are idempotent; `--input` reads files and .gz.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { assertStatesFollowInput, assertSucceeded, inputStates } from './support/assertions.js';
import {
  activateMsg,
  cleanEnv,
  explain,
  fixture,
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  scratchPath,
  sleep,
  startTarget,
  stateMsg,
  table,
  timeout,
  userRows,
  writeConfig,
} from './support/target.js';

let db: TestDatabase;
/** Several connections, so the checks made as state lines arrive run at once, not queued. */
let pool: pg.Pool;
before(async () => {
  db = await createTestDatabase('tstate');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

const PROPS = { id: { type: 'integer' }, n: { type: 'integer' }, note: { type: ['null', 'string'] } };
const STREAMS = ['alpha', 'beta', 'gamma'] as const;
type Counts = Record<(typeof STREAMS)[number], number>;

/**
 * 3000 records over three interleaved streams (60 % / 35 % / 5 %), distinct keys, and a STATE every 100
 * records whose value says how many records of each stream precede it.
 */
function interleaved(): { lines: string[]; states: Counts[] } {
  const counts: Counts = { alpha: 0, beta: 0, gamma: 0 };
  const lines = STREAMS.map((s) => JSON.stringify(schemaMsg(s, PROPS)));
  const states: Counts[] = [];
  for (let i = 0; i < 3000; i++) {
    const r = (i * 37) % 100;
    const stream = r < 60 ? 'alpha' : r < 95 ? 'beta' : 'gamma';
    counts[stream]++;
    lines.push(JSON.stringify(recordMsg(stream, { id: counts[stream], n: i, note: `record ${i}` })));
    if ((i + 1) % 100 === 0) {
      states.push({ ...counts });
      lines.push(JSON.stringify(stateMsg({ ...counts })));
    }
  }
  return { lines, states };
}

async function countsIn(schema: string): Promise<Counts> {
  const q = STREAMS.map((s) => `(SELECT count(*)::int FROM ${table(schema, s)}) AS ${s}`).join(', ');
  try {
    return (await rows<Counts>(pool, `SELECT ${q}`))[0]!;
  } catch {
    // a table not created yet holds no rows
    const out: Counts = { alpha: 0, beta: 0, gamma: 0 };
    for (const s of STREAMS) {
      try {
        out[s] = (
          await rows<{ n: number }>(pool, `SELECT count(*)::int AS n FROM ${table(schema, s)}`)
        )[0]!.n;
      } catch {
        out[s] = 0;
      }
    }
    return out;
  }
}

describe('state', { concurrency: 2 }, () => {
  test('each state line appears only after the records of every stream before it are committed', async () => {
    const schema = freshSchema();
    const { lines, states } = interleaved();
    const target = startTarget(
      writeConfig(db.url, schema, { batch_size_rows: 50, max_batch_age_seconds: 1 }),
    );
    const checks: Promise<void>[] = [];
    const violations: string[] = [];
    const printed: unknown[] = [];
    target.onLine((line) => {
      const value = JSON.parse(line) as Counts;
      printed.push(value);
      checks.push(
        countsIn(schema).then((seen) => {
          for (const s of STREAMS) {
            if (seen[s] < value[s]) violations.push(`state ${line} printed with ${s} at ${seen[s]} rows`);
          }
        }),
      );
    });
    for (let i = 0; i < lines.length; i += 310) {
      await target.write(`${lines.slice(i, i + 310).join('\n')}\n`);
      await sleep(250);
    }
    const result = await target.finish();
    await Promise.all(checks);
    assert.equal(result.code, 0, explain(result));
    assert.deepEqual(violations, []);
    assertStatesFollowInput(printed, states);
    assert.ok(
      printed.length >= 2,
      `states are printed during the run, not only at the end (${printed.length})`,
    );
    assert.deepEqual(await countsIn(schema), states[states.length - 1]);
  });

  test('a pause in the input still checkpoints: the state comes out within max_batch_age_seconds', async () => {
    const schema = freshSchema();
    const target = startTarget(writeConfig(db.url, schema, { max_batch_age_seconds: 1 }));
    const waitForLine = (ms: number) =>
      Promise.race([new Promise<string>((resolve) => target.onLine(resolve)), timeout(ms, 'timeout')]);
    // the first state also pays for start-up and table creation
    const first = waitForLine(20000);
    await target.write(
      ndjson([schemaMsg('alpha', PROPS), recordMsg('alpha', { id: 1, n: 1 }), stateMsg({ alpha: 1 })]),
    );
    const line1 = await first;
    const second = waitForLine(10000);
    const started = Date.now();
    await target.write(ndjson([recordMsg('alpha', { id: 2, n: 2 }), stateMsg({ alpha: 2 })]));
    const line2 = await second;
    const waited = Date.now() - started;
    const seen = await countsIn(schema);
    const result = await target.finish();
    assert.equal(result.code, 0, explain(result));
    assert.deepEqual(
      line1 === 'timeout' ? line1 : JSON.parse(line1),
      { alpha: 1 },
      'first state during the pause',
    );
    assert.deepEqual(
      line2 === 'timeout' ? line2 : JSON.parse(line2),
      { alpha: 2 },
      'second state during the pause',
    );
    assert.ok(waited < 5000, `state ${waited} ms after its record, with max_batch_age_seconds 1`);
    assert.equal(seen.alpha, 2, 'the record was committed when its state came out');
    assert.deepEqual(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [{ alpha: 1 }, { alpha: 2 }],
    );
  });

  test('stdout holds only state values: no logs, no progress, one JSON value per line', async () => {
    const schema = freshSchema();
    const input = fixture('multiple_state_messages');
    const run = await runTarget(writeConfig(db.url, schema, { batch_size_rows: 1 }), input, [], {
      env: cleanEnv({ LOG_LEVEL: 'debug' }),
    });
    assertSucceeded(run);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 1);
    const allowed = new Set(inputStates(input).map((v) => JSON.stringify(v)));
    for (const l of lines)
      assert.ok(allowed.has(JSON.stringify(JSON.parse(l))), `unexpected stdout line: ${l}`);
    assert.ok(run.stderr.length > 0, 'logs go to stderr');
  });

  test('replaying the same file twice leaves exactly the same table', async () => {
    const schema = freshSchema();
    const config = writeConfig(db.url, schema, { batch_size_rows: 3 });
    const props = {
      id: { type: 'integer' },
      amount: { type: 'string', format: 'singer.decimal' },
      label: { type: ['null', 'string'] },
      _sdc_deleted_at: { type: ['null', 'string'], format: 'date-time' },
    };
    const input = ndjson([
      schemaMsg('invoices', props),
      ...Array.from({ length: 20 }, (_, i) =>
        recordMsg('invoices', { id: i + 1, amount: `${i}.10`, label: `F${i}` }),
      ),
      recordMsg('invoices', { id: 3, amount: '3.33', label: 'updated' }),
      recordMsg('invoices', { id: 4, amount: '4.00', _sdc_deleted_at: '2026-02-01T00:00:00Z' }),
      stateMsg({ invoices: 'half' }),
      schemaMsg('accounts', { id: { type: 'integer' }, number: { type: 'string' } }),
      activateMsg('accounts', 7),
      ...Array.from({ length: 10 }, (_, i) =>
        recordMsg('accounts', { id: i, number: `41${i}` }, { version: 7 }),
      ),
      activateMsg('accounts', 7),
      recordMsg('invoices', { id: 21, amount: '-21.00', label: null }),
      stateMsg({ invoices: 'done' }),
    ]);
    const first = await runTarget(config, input);
    assertSucceeded(first);
    const afterFirst = [
      await userRows(db.client, schema, 'invoices', 'id'),
      await userRows(db.client, schema, 'accounts', 'id'),
    ];
    const second = await runTarget(config, input);
    assertSucceeded(second);
    const afterSecond = [
      await userRows(db.client, schema, 'invoices', 'id'),
      await userRows(db.client, schema, 'accounts', 'id'),
    ];
    assert.deepEqual(afterSecond, afterFirst);
    assert.equal(afterFirst[0]?.length, 20, '21 invoices, one deleted');
    assert.equal(afterFirst[1]?.length, 10);
    assert.deepEqual(second.states, first.states);
  });

  test('--input reads a gzipped NDJSON file instead of stdin', async () => {
    const schema = freshSchema();
    const file = scratchPath('messages.ndjson.gz');
    writeFileSync(file, gzipSync(fixture('multiple_state_messages')));
    const run = await runTarget(writeConfig(db.url, schema), undefined, ['--input', file]);
    assertSucceeded(run);
    assert.deepEqual(run.states[run.states.length - 1], { a: 6, b: 6 });
    const n = await rows(
      db.client,
      `SELECT (SELECT count(*)::int FROM ${table(schema, 'sdk_multiple_state_messages_a')}) AS a,
              (SELECT count(*)::int FROM ${table(schema, 'sdk_multiple_state_messages_b')}) AS b`,
    );
    assert.deepEqual(n, [{ a: 6, b: 6 }]);
  });

  test('--input reads a plain NDJSON file too', async () => {
    const schema = freshSchema();
    const file = scratchPath('messages.ndjson');
    writeFileSync(file, fixture('duplicate_records'));
    const run = await runTarget(writeConfig(db.url, schema), undefined, ['--input', file]);
    assertSucceeded(run);
    assert.deepEqual(run.states, [{ journal_entries: 6 }]);
    assert.deepEqual(
      await rows(db.client, `SELECT count(*)::int AS n FROM ${table(schema, 'journal_entries')}`),
      [{ n: 3 }],
    );
  });
});
