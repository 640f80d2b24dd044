/**
 * The Meltano SDK's standard target scenarios about schemas, states and bad input, rewritten as our own
 * fixtures in test/fixtures/*.singer and checked against what PostgreSQL really holds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertFailed, assertStatesFollowInput, assertSucceeded, inputStates } from './support/assertions.js';
import { fixtureDatabase } from './support/fixture-db.js';
import { columnTypes, fixture, rows, table, tablesOf } from './support/target.js';

const { db, load } = fixtureDatabase('tsdks');
const client = () => db().client;

describe('the SDK standard target scenarios: schemas, states, failures', { concurrency: 2 }, () => {
  test('invalid_schema: a schema that is not valid JSON Schema fails, naming the stream, field and line', async () => {
    const { schema, run } = await load('invalid_schema');
    assertFailed(run, 'stdin:1', ['sdk_invalid_schema', 'amount']);
    assert.deepEqual(run.states, [], 'no state is printed');
    assert.deepEqual(await tablesOf(client(), schema), []);
  });

  test('record_before_schema: a RECORD of a stream with no SCHEMA yet fails, naming the line and stream', async () => {
    const { schema, run } = await load('record_before_schema');
    assertFailed(run, 'stdin:3', ['supplier_invoices']);
    assert.ok(!(await tablesOf(client(), schema)).includes('supplier_invoices'));
    assert.deepEqual(run.states, [], 'the only STATE comes after the bad line: it must never be printed');
  });

  test('record_missing_key_property: a record without its key property fails, naming the line, stream and key', async () => {
    const { run } = await load('record_missing_key_property');
    assertFailed(run, 'stdin:3', ['fiscal_years', 'id']);
    assert.deepEqual(run.states, []);
  });

  test('schema_no_properties: an object without declared properties is stored whole as jsonb', async () => {
    const { schema, run } = await load('schema_no_properties');
    assertSucceeded(run);
    assert.equal((await columnTypes(client(), schema, 'object_without_properties')).object_store, 'jsonb');
    const got = await rows(
      client(),
      `SELECT object_store FROM ${table(schema, 'object_without_properties')} ORDER BY object_store::text`,
    );
    assert.deepEqual(
      got.map((r) => r.object_store).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [{ anything: 'goes' }, { id: 1, metric: 1, nested: { deep: [1, 2] } }].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    );
    const withProps = await rows(
      client(),
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
    const flat = await columnTypes(client(), schema, 'object_with_properties');
    assert.equal(flat.object_store__id, 'bigint');
    assert.equal(flat.object_store__metric, 'bigint');
    const got = await rows(
      client(),
      `SELECT object_store__id::int AS id, object_store__metric::int AS metric FROM ${table(schema, 'object_with_properties')} ORDER BY 1`,
    );
    assert.deepEqual(got, [
      { id: 1, metric: 187 },
      { id: 2, metric: 203 },
    ]);
    assert.equal((await columnTypes(client(), schema, 'object_without_properties')).object_store, 'jsonb');
  });

  test('schema_updates: each new SCHEMA adds its columns, earlier rows keep NULL there', async () => {
    const { schema, run } = await load('schema_updates');
    assertSucceeded(run);
    const types = await columnTypes(client(), schema, 'sdk_schema_updates');
    assert.equal(types.a1, 'numeric');
    assert.equal(types.a3, 'boolean');
    assert.equal(types.a4, 'jsonb');
    assert.equal(types.a5, 'jsonb');
    assert.equal(types.a6, 'bigint');
    const got = await rows(
      client(),
      `SELECT id::int, a1::text, a3, a4, a5, a6::int FROM ${table(schema, 'sdk_schema_updates')} ORDER BY id`,
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
    assert.deepEqual(await tablesOf(client(), nested.schema), [stream]);
    const n = await rows(
      client(),
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
      client(),
      `SELECT "d__env" AS env, "d__agent:type" AS agent, "d__agent:os:version" AS os FROM ${table(flat.schema, stream)}`,
    );
    assert.deepEqual(f, [{ env: 'prod', agent: 'desktop', os: '10.13.1' }]);
  });

  test('multiple_state_messages: states come out in order, once each, the last one last', async () => {
    const { schema, run } = await load('multiple_state_messages', { batch_size_rows: 2 });
    assertSucceeded(run);
    assertStatesFollowInput(run.states, inputStates(fixture('multiple_state_messages')));
    const counts = await rows(
      client(),
      `SELECT (SELECT count(*)::int FROM ${table(schema, 'sdk_multiple_state_messages_a')}) AS a,
              (SELECT count(*)::int FROM ${table(schema, 'sdk_multiple_state_messages_b')}) AS b`,
    );
    assert.deepEqual(counts, [{ a: 6, b: 6 }]);
  });

  test('record_missing_required_property: a record failing its schema fails, naming the line, stream and field', async () => {
    const { run } = await load('record_missing_required_property');
    assertFailed(run, 'stdin:3', ['sdk_record_missing_required_property', 'id']);
  });

  test('record_missing_required_property with validate_records false: the record is not validated', async () => {
    const { schema, run } = await load('record_missing_required_property', { validate_records: false });
    assertSucceeded(run);
    const got = await rows(
      client(),
      `SELECT id::int, metric::int FROM ${table(schema, 'sdk_record_missing_required_property')} ORDER BY metric`,
    );
    assert.deepEqual(got, [
      { id: 1, metric: 3214 },
      { id: null, metric: 3215 },
    ]);
  });
});
