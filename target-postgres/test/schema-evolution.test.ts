/**
 * Schema evolution between runs and within one run: new properties add columns, wider types alter the
 * column in place keeping its data, nothing a user has is dropped, and a change of key is a clear error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed, assertSucceeded, loadOk } from './support/assertions.js';
import {
  columnTypes,
  freshSchema,
  ndjson,
  primaryKey,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  stateMsg,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tevol');

const I = { type: 'integer' };
const S = { type: ['null', 'string'] };

describe('schema evolution', { concurrency: 2 }, () => {
  test('a new property in a later run adds a nullable column; earlier rows read NULL there', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('customers', { id: I, name: S }),
      recordMsg('customers', { id: 1, name: 'Dupont' }),
    ]);
    await loadOk(config, [
      schemaMsg('customers', { id: I, name: S, city: S }),
      recordMsg('customers', { id: 2, name: 'Martin', city: 'Lyon' }),
    ]);
    assert.equal((await columnTypes(db().client, schema, 'customers')).city, 'text');
    assert.deepEqual(
      await rows(db().client, `SELECT id::int, name, city FROM ${table(schema, 'customers')} ORDER BY id`),
      [
        { id: 1, name: 'Dupont', city: null },
        { id: 2, name: 'Martin', city: 'Lyon' },
      ],
    );
  });

  test('a property dropped from the schema keeps its column and its data', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('products', { id: I, label: S, legacy_code: S }),
      recordMsg('products', { id: 1, label: 'A', legacy_code: 'OLD-1' }),
    ]);
    await loadOk(config, [
      schemaMsg('products', { id: I, label: S }),
      recordMsg('products', { id: 2, label: 'B' }),
    ]);
    assert.deepEqual(
      await rows(
        db().client,
        `SELECT id::int, label, legacy_code FROM ${table(schema, 'products')} ORDER BY id`,
      ),
      [
        { id: 1, label: 'A', legacy_code: 'OLD-1' },
        { id: 2, label: 'B', legacy_code: null },
      ],
    );
  });

  test('integer widened to number in the same run alters bigint to numeric in place, keeping values', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema, { batch_size_rows: 1 }),
      ndjson([
        schemaMsg('invoice_lines', { id: I, quantity: { type: ['null', 'integer'] } }),
        // 2^53 + 1 cannot be written as a JS number: the line is patched below to carry it
        recordMsg('invoice_lines', { id: 1, quantity: 1111 }),
        recordMsg('invoice_lines', { id: 2, quantity: 3 }),
        stateMsg({ n: 2 }),
        schemaMsg('invoice_lines', { id: I, quantity: { type: ['null', 'number'] } }),
        recordMsg('invoice_lines', { id: 3, quantity: 2.5 }),
      ]).replace('"quantity":1111', '"quantity":9007199254740993'),
    );
    assertSucceeded(run);
    assert.equal((await columnTypes(db().client, schema, 'invoice_lines')).quantity, 'numeric');
    assert.deepEqual(
      await rows(
        db().client,
        `SELECT id::int, quantity::text AS q FROM ${table(schema, 'invoice_lines')} ORDER BY id`,
      ),
      [
        { id: 1, q: '9007199254740993' },
        { id: 2, q: '3' },
        { id: 3, q: '2.5' },
      ],
    );
  });

  test('boolean, integer, date and jsonb columns widen to text when the type becomes string', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('suppliers', {
        id: I,
        flag: { type: ['null', 'boolean'] },
        code: { type: ['null', 'integer'] },
        since: { type: ['null', 'string'], format: 'date' },
        extra: { type: ['null', 'object'] },
      }),
      recordMsg('suppliers', { id: 1, flag: true, code: 12, since: '2026-01-31', extra: { a: 1 } }),
    ]);
    await loadOk(config, [
      schemaMsg('suppliers', { id: I, flag: S, code: S, since: S, extra: S }),
      recordMsg('suppliers', { id: 2, flag: 'maybe', code: 'A-12', since: 'last spring', extra: 'n/a' }),
    ]);
    const types = await columnTypes(db().client, schema, 'suppliers');
    assert.deepEqual([types.flag, types.code, types.since], ['text', 'text', 'text'], 'widened to text');
    // jsonb already holds any JSON value, a string included: keeping it is as safe as text
    assert.ok(['text', 'jsonb'].includes(types.extra ?? ''), `extra is ${types.extra}`);
    const got = await rows(
      db().client,
      `SELECT id::int, flag, code, since, extra::text FROM ${table(schema, 'suppliers')} ORDER BY id`,
    );
    const extra = types.extra === 'jsonb' ? '"n/a"' : 'n/a';
    assert.deepEqual(got[1], { id: 2, flag: 'maybe', code: 'A-12', since: 'last spring', extra });
    assert.equal(got[0]?.flag, 'true');
    assert.equal(got[0]?.code, '12');
    assert.equal(got[0]?.since, '2026-01-31');
    assert.deepEqual(JSON.parse(String(got[0]?.extra)), { a: 1 });
  });

  test('a narrower type in a later schema keeps the wider column and still loads', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('accounts', { id: I, number: S }),
      recordMsg('accounts', { id: 1, number: '411-DUPONT' }),
    ]);
    await loadOk(config, [
      schemaMsg('accounts', { id: I, number: { type: ['null', 'integer'] } }),
      recordMsg('accounts', { id: 2, number: 401 }),
    ]);
    assert.equal((await columnTypes(db().client, schema, 'accounts')).number, 'text');
    assert.deepEqual(
      await rows(db().client, `SELECT id::int, number FROM ${table(schema, 'accounts')} ORDER BY id`),
      [
        { id: 1, number: '411-DUPONT' },
        { id: 2, number: '401' },
      ],
    );
  });

  test('a column the user added to the table survives later loads with its values', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    const first = ndjson([
      schemaMsg('journals', { id: I, code: S }),
      recordMsg('journals', { id: 1, code: 'VT' }),
    ]);
    assertSucceeded(await runTarget(config, first));
    await db().client.query(`ALTER TABLE ${table(schema, 'journals')} ADD COLUMN analyst_note text`);
    await db().client.query(`UPDATE ${table(schema, 'journals')} SET analyst_note = 'checked'`);
    await loadOk(config, [
      schemaMsg('journals', { id: I, code: S }),
      recordMsg('journals', { id: 1, code: 'VTE' }),
      recordMsg('journals', { id: 2, code: 'HA' }),
    ]);
    assert.deepEqual(
      await rows(
        db().client,
        `SELECT id::int, code, analyst_note FROM ${table(schema, 'journals')} ORDER BY id`,
      ),
      [
        { id: 1, code: 'VTE', analyst_note: 'checked' },
        { id: 2, code: 'HA', analyst_note: null },
      ],
    );
  });

  test('a change of key_properties between runs is a clear error and the table is left as it was', async () => {
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('customers', { id: I, email: S }),
      recordMsg('customers', { id: 1, email: 'a@x.fr' }),
    ]);
    const run = await runTarget(
      config,
      ndjson([
        schemaMsg('customers', { id: I, email: S }, ['email']),
        recordMsg('customers', { id: 2, email: 'b@x.fr' }),
        stateMsg({ done: true }),
      ]),
    );
    assertFailed(run, 'stdin:1', ['customers', 'key']);
    assert.deepEqual(run.states, []);
    assert.deepEqual(await primaryKey(db().client, schema, 'customers'), ['id']);
    assert.deepEqual(await rows(db().client, `SELECT id::int, email FROM ${table(schema, 'customers')}`), [
      { id: 1, email: 'a@x.fr' },
    ]);
  });

  test('a change of key_properties within one run is a clear error naming the line', async () => {
    const schema = freshSchema();
    const run = await runTarget(
      writeConfig(db().url, schema),
      ndjson([
        schemaMsg('ledger_entries', { id: I, number: S }),
        recordMsg('ledger_entries', { id: 1, number: 'E1' }),
        schemaMsg('ledger_entries', { id: I, number: S }, ['id', 'number']),
        recordMsg('ledger_entries', { id: 2, number: 'E2' }),
      ]),
    );
    assertFailed(run, 'stdin:3', ['ledger_entries', 'key']);
  });
});
