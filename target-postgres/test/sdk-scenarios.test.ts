/**
 * The Meltano SDK's standard target scenarios (singer_sdk.testing target tests), rewritten as our own
 * fixtures in test/fixtures/*.singer and checked against the rows PostgreSQL really holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { assertFailed, assertStatesFollowInput, assertSucceeded, inputStates } from './support/assertions.js';
import {
  columnTypes,
  fixture,
  freshSchema,
  primaryKey,
  rows,
  runTarget,
  table,
  tablesOf,
  writeConfig,
} from './support/target.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('tsdk');
});
after(async () => {
  await db?.drop();
});

/** Loads one fixture into a schema of its own. */
async function load(name: string, extra: Record<string, unknown> = {}, schema = freshSchema()) {
  const config = writeConfig(db.url, schema, extra);
  const run = await runTarget(config, fixture(name));
  return { schema, run };
}

/** The records of one stream in a fixture, parsed as a Singer client would. */
function recordsOf(name: string, stream: string): Record<string, unknown>[] {
  return fixture(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; stream?: string; record?: Record<string, unknown> })
    .filter((m) => m.type === 'RECORD' && m.stream === stream)
    .map((m) => m.record!);
}

const stripNul = (s: string): string => s.replaceAll('\u0000', '');

describe('the SDK standard target scenarios', { concurrency: 2 }, () => {
  test('array_data: arrays of strings, objects and arrays land as jsonb, exactly as sent', async () => {
    const { schema, run } = await load('array_data');
    assertSucceeded(run);
    const types = await columnTypes(db.client, schema, 'invoice_tags');
    assert.equal(types.labels, 'jsonb');
    assert.equal(types.lines, 'jsonb');
    assert.equal(types.matrix, 'jsonb');
    const got = await rows(
      db.client,
      `SELECT id::int, labels, lines, matrix FROM ${table(schema, 'invoice_tags')} ORDER BY id`,
    );
    const sent = recordsOf('array_data', 'invoice_tags');
    assert.deepEqual(
      got,
      sent.map((r) => ({ id: r.id, labels: r.labels, lines: r.lines, matrix: r.matrix })),
    );
  });

  test('camelcase: stream and property names keep their case', async () => {
    const { schema, run } = await load('camelcase');
    assertSucceeded(run);
    assert.deepEqual(await tablesOf(db.client, schema), ['CustomerAccounts']);
    const types = await columnTypes(db.client, schema, 'CustomerAccounts');
    for (const col of ['Id', 'ClientName', 'isActive', 'lastUpdatedAt']) assert.ok(col in types, col);
    assert.deepEqual(await primaryKey(db.client, schema, 'CustomerAccounts'), ['Id']);
    const got = await rows(
      db.client,
      `SELECT "Id"::int AS id, "ClientName" AS name, "isActive" AS active FROM ${table(schema, 'CustomerAccounts')} ORDER BY 1`,
    );
    assert.deepEqual(got, [
      { id: 1, name: 'Dupont SARL', active: true },
      { id: 2, name: 'Martin & Fils', active: false },
    ]);
  });

  test('camelcase_complex_schema: anyOf fields, additionalProperties false, and a second SCHEMA adding columns', async () => {
    const { schema, run } = await load('camelcase_complex_schema');
    assertSucceeded(run);
    const types = await columnTypes(db.client, schema, 'SupplierInvoiceCategory');
    // anyOf [date-time, any string] can only be held by text: 'not yet' is one of its values
    assert.equal(types.LastModifiedDate, 'text');
    assert.equal(types.DisplayPosition, 'bigint');
    assert.equal(types.Age, 'bigint');
    assert.equal(types.NewCamelCasedAttribute, 'text');
    const got = await rows(
      db.client,
      `SELECT "Id", "LastModifiedDate", "CategoryLabel", "Age"::int AS age, "NewCamelCasedAttribute" AS n
         FROM ${table(schema, 'SupplierInvoiceCategory')} ORDER BY "Id"`,
    );
    assert.deepEqual(got, [
      { Id: 'cat-001', LastModifiedDate: 'not yet', CategoryLabel: 'Fournitures', age: null, n: null },
      {
        Id: 'cat-002',
        LastModifiedDate: '2026-02-03T11:00:00+01:00',
        CategoryLabel: null,
        age: 7,
        n: 'Nouveau',
      },
    ]);
  });

  test('duplicate_records: the last record of a key wins, without a duplicate-key error', async () => {
    const { schema, run } = await load('duplicate_records');
    assertSucceeded(run);
    const got = await rows(
      db.client,
      `SELECT id::int, label, amount::text FROM ${table(schema, 'journal_entries')} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, label: 'third', amount: '111.00' },
      { id: 2, label: 'second', amount: '22.00' },
      { id: 3, label: 'first', amount: '30.00' },
    ]);
  });

  test('encoded_string_data: unicode and escapes survive byte for byte, NUL characters are removed', async () => {
    const { schema, run } = await load('encoded_string_data');
    assertSucceeded(run);
    const sent = recordsOf('encoded_string_data', 'test_strings');
    const got = await rows<{ id: number; info: string }>(
      db.client,
      `SELECT id::int, info FROM ${table(schema, 'test_strings')} ORDER BY id`,
    );
    assert.deepEqual(
      got,
      sent.map((r) => ({ id: r.id, info: stripNul(r.info as string) })),
    );
    const inObjects = await rows<{ id: number; info: unknown }>(
      db.client,
      `SELECT id::int, info FROM ${table(schema, 'test_strings_in_objects')} ORDER BY id`,
    );
    assert.deepEqual(
      inObjects,
      recordsOf('encoded_string_data', 'test_strings_in_objects').map((r) => {
        const info = r.info as { name: string; value: string };
        return { id: r.id, info: { name: info.name, value: stripNul(info.value) } };
      }),
    );
    const inArrays = await rows(
      db.client,
      `SELECT id::int, strings FROM ${table(schema, 'test_strings_in_arrays')} ORDER BY id`,
    );
    assert.deepEqual(
      inArrays,
      recordsOf('encoded_string_data', 'test_strings_in_arrays').map((r) => ({
        id: r.id,
        strings: (r.strings as string[]).map(stripNul),
      })),
    );
  });

  test('invalid_schema: a schema that is not valid JSON Schema fails, naming the stream, field and line', async () => {
    const { schema, run } = await load('invalid_schema');
    assertFailed(run, 'stdin:1', ['test_invalid_schema', 'amount']);
    assert.deepEqual(run.states, [], 'no state is printed');
    assert.deepEqual(await tablesOf(db.client, schema), []);
  });

  test('no_primary_keys and no_primary_keys_append: a stream without key appends every record', async () => {
    const schema = freshSchema();
    const first = await load('no_primary_keys', {}, schema);
    assertSucceeded(first.run);
    assert.deepEqual(await primaryKey(db.client, schema, 'bank_statement_lines'), []);
    const count = async () =>
      (
        await rows<{ n: number }>(
          db.client,
          `SELECT count(*)::int AS n FROM ${table(schema, 'bank_statement_lines')}`,
        )
      )[0]!.n;
    assert.equal(await count(), 4, 'two identical records are two rows');
    const second = await load('no_primary_keys_append', {}, schema);
    assertSucceeded(second.run);
    assert.equal(await count(), 7);
    const sums = await rows(
      db.client,
      `SELECT sum(amount)::text AS total, count(DISTINCT label)::int AS labels FROM ${table(schema, 'bank_statement_lines')}`,
    );
    assert.deepEqual(sums, [{ total: '2317.93', labels: 5 }]);
  });

  test('optional_attributes: properties a record leaves out are NULL', async () => {
    const { schema, run } = await load('optional_attributes');
    assertSucceeded(run);
    const got = await rows(
      db.client,
      `SELECT id::int, label, unit, vat_rate::text, reference, tags FROM ${table(schema, 'products')} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, label: 'Conseil', unit: 'hour', vat_rate: '0.20', reference: 'CONS-01', tags: ['service'] },
      { id: 2, label: 'Livre', unit: null, vat_rate: null, reference: null, tags: null },
      { id: 3, label: 'Abonnement', unit: null, vat_rate: '0.055', reference: null, tags: null },
    ]);
  });

  test('pk_updates: later records update rows by key, single and composite, across batches', async () => {
    const { schema, run } = await load('pk_updates', { batch_size_rows: 2 });
    assertSucceeded(run);
    assert.deepEqual(await primaryKey(db.client, schema, 'customers'), ['id']);
    assert.deepEqual(await primaryKey(db.client, schema, 'ledger_lines'), ['entry_id', 'line_no']);
    const customers = await rows(
      db.client,
      `SELECT id::int, name, email FROM ${table(schema, 'customers')} ORDER BY id`,
    );
    assert.deepEqual(customers, [
      { id: 1, name: 'Alice Durand', email: 'alice@example.com' },
      { id: 2, name: 'Bob Martin', email: 'bob.martin@example.com' },
      { id: 3, name: 'Chloé', email: 'chloe@example.com' },
      { id: 4, name: 'David', email: 'david@example.com' },
    ]);
    const lines = await rows(
      db.client,
      `SELECT entry_id::int, line_no::int, label, debit::text FROM ${table(schema, 'ledger_lines')} ORDER BY 1, 2`,
    );
    assert.deepEqual(lines, [
      { entry_id: 10, line_no: 1, label: 'Vente', debit: '100.00' },
      { entry_id: 10, line_no: 2, label: 'TVA collectée', debit: '20.00' },
      { entry_id: 11, line_no: 1, label: 'Achat', debit: '50.00' },
    ]);
  });

  test('record_before_schema: a RECORD of a stream with no SCHEMA yet fails, naming the line and stream', async () => {
    const { schema, run } = await load('record_before_schema');
    assertFailed(run, 'stdin:3', ['supplier_invoices']);
    assert.ok(!(await tablesOf(db.client, schema)).includes('supplier_invoices'));
    assert.deepEqual(run.states, [], 'the only STATE comes after the bad line: it must never be printed');
  });

  test('record_missing_key_property: a record without its key property fails, naming the line, stream and key', async () => {
    const { run } = await load('record_missing_key_property');
    assertFailed(run, 'stdin:3', ['fiscal_years', 'id']);
    assert.deepEqual(run.states, []);
  });

  test('record_missing_fields: a record missing optional fields loads them as NULL', async () => {
    const { schema, run } = await load('record_missing_fields');
    assertSucceeded(run);
    const got = await rows(
      db.client,
      `SELECT id::int, code, label FROM ${table(schema, 'journals')} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, code: 'VT', label: 'Ventes' },
      { id: 2, code: 'HA', label: null },
      { id: 3, code: null, label: null },
    ]);
    assert.deepEqual(run.states, [{}]);
  });

  test('schema_no_properties: an object without declared properties is stored whole as jsonb', async () => {
    const { schema, run } = await load('schema_no_properties');
    assertSucceeded(run);
    assert.equal((await columnTypes(db.client, schema, 'object_without_properties')).object_store, 'jsonb');
    const got = await rows(
      db.client,
      `SELECT object_store FROM ${table(schema, 'object_without_properties')} ORDER BY object_store::text`,
    );
    assert.deepEqual(
      got.map((r) => r.object_store).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [{ anything: 'goes' }, { id: 1, metric: 1, nested: { deep: [1, 2] } }].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    );
    const withProps = await rows(
      db.client,
      `SELECT object_store FROM ${table(schema, 'object_with_properties')} ORDER BY (object_store->>'id')::int`,
    );
    assert.deepEqual(withProps, [
      { object_store: { id: 1, metric: 187 } },
      { object_store: { id: 2, metric: 203 } },
    ]);
  });

  test('schema_no_properties with flattening: declared properties become columns, the undeclared object stays jsonb', async () => {
    const { schema, run } = await load('schema_no_properties', { flattening_enabled: true });
    assertSucceeded(run);
    const flat = await columnTypes(db.client, schema, 'object_with_properties');
    assert.equal(flat.object_store__id, 'bigint');
    assert.equal(flat.object_store__metric, 'bigint');
    const got = await rows(
      db.client,
      `SELECT object_store__id::int AS id, object_store__metric::int AS metric FROM ${table(schema, 'object_with_properties')} ORDER BY 1`,
    );
    assert.deepEqual(got, [
      { id: 1, metric: 187 },
      { id: 2, metric: 203 },
    ]);
    assert.equal((await columnTypes(db.client, schema, 'object_without_properties')).object_store, 'jsonb');
  });

  test('schema_updates: each new SCHEMA adds its columns, earlier rows keep NULL there', async () => {
    const { schema, run } = await load('schema_updates');
    assertSucceeded(run);
    const types = await columnTypes(db.client, schema, 'test_schema_updates');
    assert.equal(types.a1, 'numeric');
    assert.equal(types.a3, 'boolean');
    assert.equal(types.a4, 'jsonb');
    assert.equal(types.a5, 'jsonb');
    assert.equal(types.a6, 'bigint');
    const got = await rows(
      db.client,
      `SELECT id::int, a1::text, a3, a4, a5, a6::int FROM ${table(schema, 'test_schema_updates')} ORDER BY id`,
    );
    assert.deepEqual(got[0], { id: 1, a1: '101', a3: null, a4: null, a5: null, a6: null });
    assert.deepEqual(got[2], {
      id: 3,
      a1: '103',
      a3: false,
      a4: { id: 1, value: 1 },
      a5: ['banana', 'apple'],
      a6: null,
    });
    assert.deepEqual(got[5], {
      id: 6,
      a1: '106.25',
      a3: true,
      a4: { id: 4, value: 444 },
      a5: ['banana', 'orange'],
      a6: 341,
    });
    assert.equal(got.length, 6);
  });

  test('special_chars_in_attributes: names with : ! ? keep every character, nested or flattened', async () => {
    const stream = 'pennylane:Invoice!lines?v2';
    const nested = await load('special_chars_in_attributes');
    assertSucceeded(nested.run);
    assert.deepEqual(await tablesOf(db.client, nested.schema), [stream]);
    const n = await rows(
      db.client,
      `SELECT _id, "line:label" AS label, d FROM ${table(nested.schema, stream)}`,
    );
    assert.deepEqual(n, [
      {
        _id: 'a2e98886',
        label: 'Prestation',
        d: { env: 'prod', 'agent:type': 'desktop', 'agent:os:version': '10.13.1' },
      },
    ]);
    const flat = await load('special_chars_in_attributes', { flattening_enabled: true });
    assertSucceeded(flat.run);
    const f = await rows(
      db.client,
      `SELECT "d__env" AS env, "d__agent:type" AS agent, "d__agent:os:version" AS os FROM ${table(flat.schema, stream)}`,
    );
    assert.deepEqual(f, [{ env: 'prod', agent: 'desktop', os: '10.13.1' }]);
  });

  test('multiple_state_messages: states come out in order, once each, the last one last', async () => {
    const { schema, run } = await load('multiple_state_messages', { batch_size_rows: 2 });
    assertSucceeded(run);
    assertStatesFollowInput(run.states, inputStates(fixture('multiple_state_messages')));
    const counts = await rows(
      db.client,
      `SELECT (SELECT count(*)::int FROM ${table(schema, 'test_multiple_state_messages_a')}) AS a,
              (SELECT count(*)::int FROM ${table(schema, 'test_multiple_state_messages_b')}) AS b`,
    );
    assert.deepEqual(counts, [{ a: 6, b: 6 }]);
  });

  test('record_missing_required_property: a record failing its schema fails, naming the line, stream and field', async () => {
    const { run } = await load('record_missing_required_property');
    assertFailed(run, 'stdin:3', ['test_record_missing_required_property', 'id']);
  });

  test('record_missing_required_property with validate_records false: the record is not validated', async () => {
    const { schema, run } = await load('record_missing_required_property', { validate_records: false });
    assertSucceeded(run);
    const got = await rows(
      db.client,
      `SELECT id::int, metric::int FROM ${table(schema, 'test_record_missing_required_property')} ORDER BY metric`,
    );
    assert.deepEqual(got, [
      { id: 1, metric: 3214 },
      { id: null, metric: 3215 },
    ]);
  });
});
