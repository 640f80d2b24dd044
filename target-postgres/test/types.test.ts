/**
 * Type mapping and exactness: fixtures/type_mapping.singer holds number literals with more digits than a
 * double keeps, 64-bit ids beyond 2^53, decimal strings of 30+ digits and timestamps with microseconds and
 * offsets. What PostgreSQL holds must be exactly what the file says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  columnTypes,
  fixture,
  freshSchema,
  ndjson,
  primaryKey,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  type TargetRun,
  table,
  writeConfig,
} from './support/target.js';

let db: TestDatabase;
let schema: string;
let run: TargetRun;
const T = () => table(schema, 'type_mapping');

/** One column of every row as PostgreSQL prints it, ordered by id. */
async function column(expr: string): Promise<(string | null)[]> {
  const r = await rows<{ v: string | null }>(
    db.client,
    `SELECT (${expr})::text AS v FROM ${T()} ORDER BY id`,
  );
  return r.map((x) => x.v);
}

before(async () => {
  db = await createTestDatabase('ttypes');
  schema = freshSchema();
  run = await runTarget(writeConfig(db.url, schema), fixture('type_mapping'));
});
after(async () => {
  await db?.drop();
});

describe('type mapping', () => {
  test('the load succeeds and prints its final state', () => {
    assertSucceeded(run);
    assert.deepEqual(run.states, [{ type_mapping: 4 }]);
  });

  test('JSON Schema types map to the documented PostgreSQL types', async () => {
    const types = await columnTypes(db.client, schema, 'type_mapping');
    assert.deepEqual(
      {
        id: types.id,
        big_id: types.big_id,
        amount: types.amount,
        x_amount: types.x_amount,
        ratio: types.ratio,
        created_at: types.created_at,
        due_on: types.due_on,
        paid: types.paid,
        label: types.label,
        payload: types.payload,
        tags: types.tags,
        anything: types.anything,
        int_or_string: types.int_or_string,
        int_or_number: types.int_or_number,
        small: types.small,
      },
      {
        id: 'bigint',
        big_id: 'bigint',
        amount: 'numeric',
        x_amount: 'numeric',
        ratio: 'numeric',
        created_at: 'timestamp with time zone',
        due_on: 'date',
        paid: 'boolean',
        label: 'text',
        payload: 'jsonb',
        tags: 'jsonb',
        anything: 'jsonb',
        int_or_string: 'text',
        int_or_number: 'numeric',
        small: 'smallint',
      },
    );
    assert.ok(
      ['text', 'timestamp with time zone'].includes(types.date_or_datetime ?? ''),
      `date|date-time needs a type holding both, got ${types.date_or_datetime}`,
    );
    assert.deepEqual(await primaryKey(db.client, schema, 'type_mapping'), ['id']);
  });

  test('metadata columns are added with their documented types', async () => {
    const types = await columnTypes(db.client, schema, 'type_mapping');
    assert.equal(types._sdc_extracted_at, 'timestamp with time zone');
    assert.equal(types._sdc_received_at, 'timestamp with time zone');
    assert.equal(types._sdc_batched_at, 'timestamp with time zone');
    assert.equal(types._sdc_deleted_at, 'timestamp with time zone');
    assert.equal(types._sdc_sequence, 'bigint');
    assert.equal(types._sdc_table_version, 'bigint');
  });

  test('decimal strings of 20+ digits round-trip exactly, scale included', async () => {
    assert.deepEqual(await column('amount'), [
      '12345678901234567890.123456789',
      '-0.000000000000000001',
      '99999999999999999999999999999999.99',
      '1.10',
    ]);
    assert.deepEqual(await column('x_amount'), ['-98765432109876543210.000000001', '0', '1000.000', null]);
  });

  test('number literals with more than 15 significant digits round-trip exactly', async () => {
    assert.deepEqual(await column('ratio'), [
      '3.14159265358979323846',
      '12345678901234567.25',
      '0.1000000000000000055511151231257827',
      '-1234567890123456789012345678.5',
    ]);
  });

  test('64-bit integers above 2^53, up to 2^63-1 and down to -2^63, keep every digit', async () => {
    assert.deepEqual(await column('big_id'), [
      '9007199254740993',
      '9223372036854775807',
      '-9223372036854775808',
      '0',
    ]);
    assert.deepEqual(await column('id'), ['1', '2', '3', '9223372036854775806']);
  });

  test('timestamps keep microseconds and their offset becomes the right instant', async () => {
    assert.deepEqual(await column(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`), [
      '2026-03-01T10:34:56.123456',
      '2026-12-31T23:59:59.999999',
      '2026-06-15T09:30:00.000000',
      '1970-01-01T00:00:00.000001',
    ]);
  });

  test('dates, booleans and smallints keep their values', async () => {
    assert.deepEqual(await column('due_on'), ['2026-02-28', '2024-02-29', '1999-12-31', '2026-01-01']);
    assert.deepEqual(await column('paid'), ['true', 'false', null, 'true']);
    assert.deepEqual(await column('small'), ['12', '-32768', null, '32767']);
  });

  test('an empty string stays an empty string and null stays NULL', async () => {
    assert.deepEqual(await column('label'), ['Facture F-2026-001', '', null, 'max-ish id']);
  });

  test('objects, arrays and untyped values are stored as the same JSON', async () => {
    const got = await rows(db.client, `SELECT payload, tags, anything FROM ${T()} ORDER BY id`);
    assert.deepEqual(got, [
      { payload: { currency: 'EUR', total: 1200.5 }, tags: ['a', 'b'], anything: { free: ['form', 1] } },
      { payload: { currency: 'USD', total: 0 }, tags: [], anything: 'just a string' },
      { payload: null, tags: null, anything: null },
      { payload: { currency: 'EUR', total: 1 }, tags: ['x'], anything: [1, 'two', { three: 3 }] },
    ]);
  });

  test('mixed types keep every branch: integer-or-string as text, integer-or-number as numeric', async () => {
    assert.deepEqual(await column('int_or_string'), ['42', 'forty-two', null, '0']);
    assert.deepEqual(await column('int_or_number'), ['7', '7.125', null, '0']);
    const dd = await column('date_or_datetime');
    assert.equal(dd[2], null);
    assert.ok(dd[0]?.startsWith('2026-03-01'), `date value kept: ${dd[0]}`);
  });
});

test('time values as taps send them (no offset, microseconds) load into a time column', async () => {
  const timeSchema = freshSchema();
  const input = ndjson([
    schemaMsg('opening_hours', {
      id: { type: 'integer' },
      opens: { type: ['null', 'string'], format: 'time' },
    }),
    recordMsg('opening_hours', { id: 1, opens: '23:59:59.999999' }),
    recordMsg('opening_hours', { id: 2, opens: '08:30:00' }),
    recordMsg('opening_hours', { id: 3, opens: null }),
  ]);
  const timeRun = await runTarget(writeConfig(db.url, timeSchema), input);
  assertSucceeded(timeRun);
  assert.equal((await columnTypes(db.client, timeSchema, 'opening_hours')).opens, 'time without time zone');
  const got = await rows(
    db.client,
    `SELECT opens::text FROM ${table(timeSchema, 'opening_hours')} ORDER BY id`,
  );
  assert.deepEqual(got, [{ opens: '23:59:59.999999' }, { opens: '08:30:00' }, { opens: null }]);
});

test('flattening_max_depth 1 flattens one level: deeper objects stay jsonb in their parent__child column', async () => {
  const flatSchema = freshSchema();
  const input = ndjson([
    schemaMsg('customers', {
      id: { type: 'integer' },
      billing: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          address: { type: 'object', properties: { street: { type: 'string' }, zip: { type: 'string' } } },
        },
      },
    }),
    recordMsg('customers', {
      id: 1,
      billing: { city: 'Lyon', address: { street: '1 rue Neuve', zip: '69001' } },
    }),
  ]);
  const flatRun = await runTarget(
    writeConfig(db.url, flatSchema, { flattening_enabled: true, flattening_max_depth: 1 }),
    input,
  );
  assertSucceeded(flatRun);
  const types = await columnTypes(db.client, flatSchema, 'customers');
  assert.equal(types.billing__city, 'text');
  assert.equal(types.billing__address, 'jsonb');
  assert.equal(types.billing, undefined, 'the flattened parent has no column of its own');
  const got = await rows(
    db.client,
    `SELECT billing__city, billing__address FROM ${table(flatSchema, 'customers')}`,
  );
  assert.deepEqual(got, [
    { billing__city: 'Lyon', billing__address: { street: '1 rue Neuve', zip: '69001' } },
  ]);
});

test('add_record_metadata false creates no _sdc_ columns', async () => {
  const bareSchema = freshSchema();
  const bareRun = await runTarget(
    writeConfig(db.url, bareSchema, { add_record_metadata: false }),
    ndjson([
      schemaMsg('journals', { id: { type: 'integer' }, code: { type: 'string' } }),
      recordMsg('journals', { id: 1, code: 'VT' }),
    ]),
  );
  assertSucceeded(bareRun);
  assert.deepEqual(Object.keys(await columnTypes(db.client, bareSchema, 'journals')), ['id', 'code']);
});
