/**
 * Legal inputs at PostgreSQL's limits load (validate_records on, the default); inputs beyond them fail
 * with one line naming the place and the limit (issue 10, defect 7). A table holds at most 1,600
 * columns, the `_sdc_*` metadata included; jsonb takes a value nested as deep as the server's
 * max_stack_depth allows (about 16,000 levels at its 2 MB default).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed, assertSucceeded } from './support/assertions.js';
import {
  freshSchema,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tlimits');

/** `n` nullable string properties p0…p(n-1), plus the key. */
const wideProperties = (n: number): Record<string, unknown> => {
  const props: Record<string, unknown> = { id: { type: 'integer' } };
  for (let i = 1; i < n; i++) props[`p${i}`] = { type: ['null', 'string'] };
  return props;
};

/** A record line whose `doc` is an object nested `depth` levels deep (written as text: JSON.stringify would overflow). */
const deepRecordLine = (id: number, depth: number, extra = '') =>
  `{"type":"RECORD","stream":"docs","record":{"id":${id},"doc":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}${extra}}}\n`;
const DOCS = schemaMsg('docs', {
  id: { type: 'integer' },
  doc: { type: ['null', 'object'] },
  amount: { type: ['null', 'number'] },
});

describe("PostgreSQL's limits", { concurrency: 2 }, () => {
  test('a schema of 1,594 properties (1,600 columns with the 6 metadata ones) loads, records validated', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      ndjson([
        schemaMsg('wide', wideProperties(1594)),
        recordMsg('wide', { id: 1, p1: 'first', p1593: 'last' }),
      ]),
    );
    assertSucceeded(run);
    const [row] = await rows<{ p1: string; p1593: string; n: number }>(
      db().client,
      `SELECT p1, p1593, (SELECT count(*)::int FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'wide') AS n FROM ${table(schema, 'wide')}`,
      [schema],
    );
    assert.deepEqual(row, { p1: 'first', p1593: 'last', n: 1600 });
  });

  test('a record failing a wide schema still names its field', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      ndjson([schemaMsg('wide', wideProperties(1594)), recordMsg('wide', { id: 1, p1500: 15 })]),
    );
    assertFailed(run, 'stdin:2', ['wide', 'p1500']);
  });

  test('one column too many after flattening names the 1,600-column limit and the count, not "invalid JSON Schema"', async () => {
    const schema = freshSchema();
    const nested = { type: 'object', properties: wideProperties(1594) };
    const run = await runTarget(
      writeConfig(db().url, schema, { flattening_enabled: true }),
      ndjson([schemaMsg('wide', { id: { type: 'integer' }, nested }), recordMsg('wide', { id: 1 })]),
    );
    assertFailed(run, 'stdin:1', ['"wide"', '1601 columns', 'at most 1600', 'after flattening']);
    assert.doesNotMatch(run.lastError, /not a valid JSON Schema|call stack/);
  });

  test('a jsonb value nested 5,000 deep loads, exact long numbers on the same line too', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      `${ndjson([DOCS])}${deepRecordLine(1, 5000)}${deepRecordLine(2, 5000, ',"amount":12345678901234567890.5')}`,
    );
    assertSucceeded(run);
    const got = await rows<{ id: number; depth: number; amount: string | null }>(
      db().client,
      `SELECT id::int, length(regexp_replace(doc::text, '[^{]', '', 'g')) AS depth, amount::text FROM ${table(schema, 'docs')} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, depth: 5000, amount: null },
      { id: 2, depth: 5000, amount: '12345678901234567890.5' },
    ]);
  });

  test("a value nested beyond jsonb's depth limit names the line, the field and max_stack_depth", async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      `${ndjson([DOCS])}${deepRecordLine(1, 40_000)}`,
    );
    assertFailed(run, 'stdin:2', ['"docs"', 'field "doc"', 'PostgreSQL limit', '54001', 'max_stack_depth']);
    assert.doesNotMatch(run.lastError, /Maximum call stack/);
  });
});
