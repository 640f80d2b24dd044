/**
 * The target's edges, driven as a hostile user would: cut and odd lines, lower-case types, names that
 * break naive SQL, huge and deep values and schemas, SIGTERM mid-load. Legal input loads; anything else
 * ends with the right exit status and one clear `target-postgres: error:` line naming the place and
 * the party at fault.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed, assertSucceeded } from './support/assertions.js';
import {
  explain,
  freshSchema,
  ident,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  startTarget,
  stateMsg,
  table,
  tablesOf,
  timeout,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('thostile');

const PROPS = { id: { type: 'integer' }, v: { type: ['null', 'string'] } };
const head = [schemaMsg('s', PROPS), recordMsg('s', { id: 1, v: 'a' }), stateMsg({ at: 1 })];
const count = async (schema: string, stream = 's') =>
  (await rows<{ n: number }>(db().client, `SELECT count(*)::int AS n FROM ${table(schema, stream)}`))[0]!.n;
const errorLines = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('target-postgres: error:'));

describe('hostile input', { concurrency: 3 }, () => {
  test('a last line cut short (no final newline) is named as truncated input; what came before is committed', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      `${ndjson(head)}{"type":"RECORD","stream":"s","record":{"id":2,"v":"b`,
    );
    assertFailed(run, 'stdin:4', ['cut short', 'last printed STATE']);
    assert.deepEqual(run.states, [{ at: 1 }]);
    assert.equal(await count(schema), 1);
  });

  test('lower-case message types, a byte order mark and CRLF line ends load', async () => {
    const schema = freshSchema();
    const lines = ndjson([...head, recordMsg('s', { id: 2, v: 'b' }), stateMsg({ at: 2 })])
      .replace(/"type":"(SCHEMA|RECORD|STATE)"/g, (_, t: string) => `"type":"${t.toLowerCase()}"`)
      .replace(/\n/g, '\r\n');
    const run = await runTarget(writeConfig(db().url, schema), `\ufeff${lines}`);
    assertSucceeded(run);
    assert.deepEqual(run.states.at(-1), { at: 2 });
    assert.equal(await count(schema), 2);
  });

  test('lines that are not Singer messages each name the line and what is wrong', async () => {
    const cases: [string, string[]][] = [
      ['[1,2]', ['must be a JSON object']],
      ['{"stream":"s"}', ['"type"']],
      ['{"type":"BATCH","stream":"s"}', ['unknown message type "BATCH"']],
      ['{"type":"RECORD","stream":"s","record":[1]}', ['"record"']],
      ['\u0000\u0001garbage', ['invalid JSON']],
    ];
    for (const [line, mentions] of cases) {
      const run = await runTarget(writeConfig(db().url, freshSchema()), `${ndjson(head)}${line}\n`);
      assertFailed(run, 'stdin:4', mentions);
      assert.equal(errorLines(run.stderr).length, 1, explain(run));
    }
  });

  test('stream names with quotes, dots, SQL, unicode and 200 characters each get their own table, run after run', async () => {
    const schema = freshSchema();
    const names = [
      'a"b',
      'a.b',
      "o'k; DROP TABLE x;--",
      'Ünïcödé',
      'UPPER',
      'upper',
      ' ',
      'n'.repeat(200),
      `${'n'.repeat(199)}m`,
    ];
    const input = ndjson(
      names.flatMap((n) => [schemaMsg(n, PROPS), recordMsg(n, { id: 1, v: n }), recordMsg(n, { id: 2 })]),
    );
    const config = writeConfig(db().url, schema);
    assertSucceeded(await runTarget(config, input));
    assertSucceeded(await runTarget(config, input));
    const tables = await tablesOf(db().client, schema);
    assert.equal(tables.length, names.length, `one table per stream: ${tables.join(' | ')}`);
    assert.ok(tables.every((t) => Buffer.byteLength(t) <= 63));
    for (const t of tables) assert.equal(await count(schema, t), 2, `table ${t}: the second run upserted`);
  });

  test('property names with quotes, dots, spaces, case variants and 200 characters each get their own column', async () => {
    const schema = freshSchema();
    const names = ['a"b', 'a.b', ' ', 'x; --', 'Id', 'ça', 'n'.repeat(200), `${'n'.repeat(199)}m`];
    const props: Record<string, unknown> = { id: { type: 'integer' } };
    const record: Record<string, unknown> = { id: 1 };
    for (const [i, n] of names.entries()) {
      props[n] = { type: ['null', 'string'] };
      record[n] = `value ${i}`;
    }
    assertSucceeded(
      await runTarget(writeConfig(db().url, schema), ndjson([schemaMsg('s', props), recordMsg('s', record)])),
    );
    const cols = (
      await rows<{ c: string }>(
        db().client,
        `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = 's' AND column_name NOT LIKE '\\_sdc\\_%' ORDER BY ordinal_position`,
        [schema],
      )
    ).map((r) => r.c);
    assert.equal(cols.length, names.length + 1);
    const [row] = await rows<Record<string, string>>(
      db().client,
      `SELECT ${cols.map(ident).join(', ')} FROM ${table(schema, 's')}`,
    );
    assert.deepEqual(
      cols.slice(1).map((c) => row![c]),
      names.map((_, i) => `value ${i}`),
    );
  });

  test('a property that cannot be a column (empty name) or two that collide name the field; control characters are escaped', async () => {
    const empty = await runTarget(
      writeConfig(db().url, freshSchema()),
      ndjson([schemaMsg('s', { id: { type: 'integer' }, '': { type: 'string' } })]),
    );
    assertFailed(empty, 'stdin:1', ['stream "s"', 'field ""', 'empty name', 'rename it']);
    const collide = await runTarget(
      writeConfig(db().url, freshSchema()),
      ndjson([
        schemaMsg('s', { id: { type: 'integer' }, 'a\u0000': { type: 'string' }, a: { type: 'string' } }),
      ]),
    );
    assertFailed(collide, 'stdin:1', ['"a\\u0000" and "a" both map to column "a"']);
    assert.ok(!collide.stderr.includes('\u0000'), 'no raw NUL on stderr');
  });

  test('a schema nested too deeply to validate or flatten says so; without validation it loads', async () => {
    let deep = '{"type":"string"}';
    for (let i = 0; i < 20_000; i++) deep = `{"type":"object","properties":{"a":${deep}}}`;
    const line = `{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"id":{"type":"integer"},"d":${deep}}},"key_properties":["id"]}\n${ndjson([recordMsg('s', { id: 1, d: { a: { a: 'x' } } })])}`;
    const validated = await runTarget(writeConfig(db().url, freshSchema()), line);
    assertFailed(validated, 'stdin:1', ['"s"', 'nested too deeply', 'validate_records: false']);
    const flattened = await runTarget(
      writeConfig(db().url, freshSchema(), {
        validate_records: false,
        flattening_enabled: true,
        flattening_max_depth: 1_000_000,
      }),
      line,
    );
    assertFailed(flattened, 'stdin:1', ['"s"', 'nested too deeply to flatten', 'flattening_max_depth']);
    const schema = freshSchema();
    assertSucceeded(await runTarget(writeConfig(db().url, schema, { validate_records: false }), line));
    assert.equal(await count(schema), 1);
  });

  test('an 8 MB string value loads whole', async () => {
    const schema = freshSchema();
    const big = 'é'.repeat(4 * 1024 * 1024);
    assertSucceeded(
      await runTarget(
        writeConfig(db().url, schema),
        ndjson([schemaMsg('s', PROPS), recordMsg('s', { id: 1, v: big })]),
      ),
    );
    const [r] = await rows<{ n: number; same: boolean }>(
      db().client,
      `SELECT octet_length(v)::int AS n, v = $1 AS same FROM ${table(schema, 's')}`,
      [big],
    );
    assert.deepEqual(r, { n: 8 * 1024 * 1024, same: true });
  });

  test('SIGTERM mid-load exits 143 with one line; nothing past the last printed STATE is committed', async () => {
    const schema = freshSchema();
    const target = startTarget(
      writeConfig(db().url, schema, { batch_size_rows: 1_000_000, max_batch_age_seconds: 600 }),
    );
    const printed = new Promise<string>((resolve) => target.onLine(resolve));
    const records = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => recordMsg('s', { id: from + i, v: 'x' }));
    await target.write(ndjson([schemaMsg('s', PROPS), ...records(1, 50), stateMsg({ at: 50 })]));
    assert.equal(await Promise.race([printed, timeout(30000, 'timeout')]), '{"at":50}');
    await target.write(ndjson(records(51, 3000)));
    // The records after the state are in an open COPY, not committed.
    for (let i = 0; i < 200; i++) {
      const [r] = await rows<{ n: number }>(
        db().client,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1`,
        [`COPY "${schema}"%`],
      );
      if (r!.n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    target.child.kill('SIGTERM');
    const run = await target.exited;
    assert.equal(run.code, 143, explain(run));
    const errors = errorLines(run.stderr);
    assert.equal(errors.length, 1, explain(run));
    assert.match(errors[0]!, /stopped by SIGTERM: .*rolled back.*last printed STATE/);
    assert.equal(run.stdout, '{"at":50}\n');
    assert.equal(await count(schema), 50);
  });
});
