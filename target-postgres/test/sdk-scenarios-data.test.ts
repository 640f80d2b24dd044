/**
 * The Meltano SDK's standard target scenarios about data (singer_sdk.testing target tests), rewritten as our
 * own fixtures in test/fixtures/*.singer and checked against the rows PostgreSQL really holds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertSucceeded } from './support/assertions.js';
import { fixtureDatabase, recordsOf } from './support/fixture-db.js';
import { columnTypes, freshSchema, primaryKey, rows, table, tablesOf } from './support/target.js';

const { db, load } = fixtureDatabase('tsdkd');
const client = () => db().client;
const stripNul = (s: string): string => s.replaceAll('\u0000', '');

describe('the SDK standard target scenarios: data', { concurrency: 2 }, () => {
  test('array_data: arrays of strings, objects and arrays land as jsonb, exactly as sent', async () => {
    const { schema, run } = await load('array_data');
    assertSucceeded(run);
    const types = await columnTypes(client(), schema, 'invoice_tags');
    assert.equal(types.labels, 'jsonb');
    assert.equal(types.lines, 'jsonb');
    assert.equal(types.matrix, 'jsonb');
    const got = await rows(
      client(),
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
    assert.deepEqual(await tablesOf(client(), schema), ['CustomerAccounts']);
    const types = await columnTypes(client(), schema, 'CustomerAccounts');
    for (const col of ['Id', 'ClientName', 'isActive', 'lastUpdatedAt']) assert.ok(col in types, col);
    assert.deepEqual(await primaryKey(client(), schema, 'CustomerAccounts'), ['Id']);
    const got = await rows(
      client(),
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
    const types = await columnTypes(client(), schema, 'SupplierInvoiceCategory');
    // anyOf [date-time, any string] can only be held by text: 'not yet' is one of its values
    assert.equal(types.LastModifiedDate, 'text');
    assert.equal(types.DisplayPosition, 'bigint');
    assert.equal(types.Age, 'bigint');
    assert.equal(types.NewCamelCasedAttribute, 'text');
    const got = await rows(
      client(),
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
      client(),
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
    const sent = recordsOf('encoded_string_data', 'sdk_strings');
    const got = await rows<{ id: number; info: string }>(
      client(),
      `SELECT id::int, info FROM ${table(schema, 'sdk_strings')} ORDER BY id`,
    );
    assert.deepEqual(
      got,
      sent.map((r) => ({ id: r.id, info: stripNul(r.info as string) })),
    );
    const inObjects = await rows<{ id: number; info: unknown }>(
      client(),
      `SELECT id::int, info FROM ${table(schema, 'sdk_strings_in_objects')} ORDER BY id`,
    );
    assert.deepEqual(
      inObjects,
      recordsOf('encoded_string_data', 'sdk_strings_in_objects').map((r) => {
        const info = r.info as { name: string; value: string };
        return { id: r.id, info: { name: info.name, value: stripNul(info.value) } };
      }),
    );
    const inArrays = await rows(
      client(),
      `SELECT id::int, strings FROM ${table(schema, 'sdk_strings_in_arrays')} ORDER BY id`,
    );
    assert.deepEqual(
      inArrays,
      recordsOf('encoded_string_data', 'sdk_strings_in_arrays').map((r) => ({
        id: r.id,
        strings: (r.strings as string[]).map(stripNul),
      })),
    );
  });

  test('no_primary_keys and no_primary_keys_append: a stream without key appends every record', async () => {
    const schema = freshSchema();
    const first = await load('no_primary_keys', {}, schema);
    assertSucceeded(first.run);
    assert.deepEqual(await primaryKey(client(), schema, 'bank_statement_lines'), []);
    const count = async () =>
      (
        await rows<{ n: number }>(
          client(),
          `SELECT count(*)::int AS n FROM ${table(schema, 'bank_statement_lines')}`,
        )
      )[0]!.n;
    assert.equal(await count(), 4, 'two identical records are two rows');
    const second = await load('no_primary_keys_append', {}, schema);
    assertSucceeded(second.run);
    assert.equal(await count(), 7);
    const sums = await rows(
      client(),
      `SELECT sum(amount)::text AS total, count(DISTINCT label)::int AS labels FROM ${table(schema, 'bank_statement_lines')}`,
    );
    assert.deepEqual(sums, [{ total: '2317.93', labels: 5 }]);
  });

  test('optional_attributes: properties a record leaves out are NULL', async () => {
    const { schema, run } = await load('optional_attributes');
    assertSucceeded(run);
    const got = await rows(
      client(),
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
    assert.deepEqual(await primaryKey(client(), schema, 'customers'), ['id']);
    assert.deepEqual(await primaryKey(client(), schema, 'ledger_lines'), ['entry_id', 'line_no']);
    const customers = await rows(
      client(),
      `SELECT id::int, name, email FROM ${table(schema, 'customers')} ORDER BY id`,
    );
    assert.deepEqual(customers, [
      { id: 1, name: 'Alice Durand', email: 'alice@example.com' },
      { id: 2, name: 'Bob Martin', email: 'bob.martin@example.com' },
      { id: 3, name: 'Chloé', email: 'chloe@example.com' },
      { id: 4, name: 'David', email: 'david@example.com' },
    ]);
    const lines = await rows(
      client(),
      `SELECT entry_id::int, line_no::int, label, debit::text FROM ${table(schema, 'ledger_lines')} ORDER BY 1, 2`,
    );
    assert.deepEqual(lines, [
      { entry_id: 10, line_no: 1, label: 'Vente', debit: '100.00' },
      { entry_id: 10, line_no: 2, label: 'TVA collectée', debit: '20.00' },
      { entry_id: 11, line_no: 1, label: 'Achat', debit: '50.00' },
    ]);
  });

  test('record_missing_fields: a record missing optional fields loads them as NULL', async () => {
    const { schema, run } = await load('record_missing_fields');
    assertSucceeded(run);
    const got = await rows(
      client(),
      `SELECT id::int, code, label FROM ${table(schema, 'journals')} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, code: 'VT', label: 'Ventes' },
      { id: 2, code: 'HA', label: null },
      { id: 3, code: null, label: null },
    ]);
    assert.deepEqual(run.states, [{}]);
  });
});
