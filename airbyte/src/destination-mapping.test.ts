import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfiguredCatalog } from './configured-catalog.js';
import { planStream, recordFromAirbyte, schemaMessage, toSingerSchema } from './destination-mapping.js';
import type { ConfiguredAirbyteStream } from './messages.js';

const configured = (mode: string, extra: Record<string, unknown> = {}): ConfiguredAirbyteStream =>
  parseConfiguredCatalog(
    {
      streams: [
        {
          stream: {
            name: 'customers',
            json_schema: {
              type: 'object',
              required: ['id'],
              properties: {
                id: { type: 'integer' },
                name: { type: 'string' },
                _ab_cdc_deleted_at: { type: ['null', 'string'], format: 'date-time' },
              },
            },
            supported_sync_modes: ['incremental'],
            source_defined_primary_key: [['id']],
          },
          sync_mode: 'incremental',
          destination_sync_mode: mode,
          ...extra,
        },
      ],
    },
    'catalog.json',
  ).streams[0]!;

describe('toSingerSchema', () => {
  test('well-known type references become plain types, every field nullable, required dropped', () => {
    const s = toSingerSchema({
      type: 'object',
      required: ['a'],
      properties: {
        a: { $ref: 'WellKnownTypes.json#/definitions/Integer' },
        b: { $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone' },
        c: { $ref: 'WellKnownTypes.json#/definitions/TimestampWithoutTimezone' },
        d: { type: 'number', airbyte_type: 'integer' },
        e: { type: 'array', items: { $ref: 'WellKnownTypes.json#/definitions/Date' } },
        f: { type: ['null', 'boolean'] },
      },
    });
    assert.equal(s.required, undefined);
    assert.deepEqual(s.properties!.a, { type: ['integer', 'null'] });
    assert.deepEqual(s.properties!.b, { type: ['string', 'null'], format: 'date-time' });
    assert.equal(s.properties!.c!['x-sql-datatype'], 'timestamp');
    assert.deepEqual(s.properties!.d!.type, ['integer', 'null']);
    assert.deepEqual(s.properties!.e!.items, { type: ['string', 'null'], format: 'date' });
    assert.deepEqual(s.properties!.f!.type, ['null', 'boolean']);
  });
});

describe('planStream and schemaMessage', () => {
  test('append has no key, overwrite is versioned, append_dedup keys on the primary key', () => {
    assert.deepEqual(planStream(configured('append'), 5), {
      stream: 'customers',
      mode: 'append',
      keyProperties: [],
    });
    assert.deepEqual(planStream(configured('overwrite'), 5), {
      stream: 'customers',
      mode: 'overwrite',
      keyProperties: [],
      version: 5,
    });
    assert.deepEqual(planStream(configured('append_dedup', { primary_key: [['name']] }), 5).keyProperties, [
      'name',
    ]);
    // Without a configured primary key, the source-defined one is used.
    assert.deepEqual(planStream(configured('append_dedup'), 5).keyProperties, ['id']);
  });

  test('a refresh that truncates (minimum_generation_id = generation_id) versions append and append_dedup streams', () => {
    const refresh = { generation_id: 3, minimum_generation_id: 3 };
    assert.equal(planStream(configured('append_dedup', refresh), 5).version, 5);
    assert.equal(planStream(configured('append', refresh), 5).version, 5);
    // A refresh that retains history (minimum 0) keeps the earlier rows.
    assert.equal(
      planStream(configured('append', { generation_id: 3, minimum_generation_id: 0 }), 5).version,
      undefined,
    );
  });

  test('unsupported modes and nested keys are refused naming the stream', () => {
    assert.throws(() => planStream(configured('update'), 1), /stream "customers".*"update" is not supported/);
    assert.throws(
      () => planStream(configured('append_dedup', { primary_key: [['a', 'b']] }), 1),
      /nested path/,
    );
  });

  test('the SCHEMA of an append_dedup stream reads _ab_cdc_deleted_at as the Singer delete marker', () => {
    const c = configured('append_dedup');
    const m = schemaMessage(c, planStream(c, 1));
    assert.deepEqual(m.key_properties, ['id']);
    assert.deepEqual(Object.keys(m.schema.properties!), ['id', 'name', '_sdc_deleted_at']);
    const a = configured('append');
    assert.deepEqual(Object.keys(schemaMessage(a, planStream(a, 1)).schema.properties!), [
      'id',
      'name',
      '_ab_cdc_deleted_at',
    ]);
  });
});

describe('recordFromAirbyte', () => {
  test('overwrite records carry the sync version and emitted_at becomes time_extracted', () => {
    const c = configured('overwrite');
    const m = recordFromAirbyte({ id: 1 }, Date.UTC(2026, 0, 2), planStream(c, 42));
    assert.deepEqual(m, {
      type: 'RECORD',
      stream: 'customers',
      record: { id: 1 },
      time_extracted: '2026-01-02T00:00:00.000Z',
      version: 42,
    });
  });

  test('an append_dedup delete becomes a Singer delete; in append the field stays data', () => {
    const deleted = { id: 2, _ab_cdc_deleted_at: '2026-11-01T00:00:00Z' };
    const dedup = configured('append_dedup');
    assert.deepEqual(recordFromAirbyte(deleted, 'not a number', planStream(dedup, 1)).record, {
      id: 2,
      _sdc_deleted_at: '2026-11-01T00:00:00Z',
    });
    const append = configured('append');
    assert.deepEqual(recordFromAirbyte(deleted, undefined, planStream(append, 1)).record, deleted);
  });
});

describe('parseConfiguredCatalog', () => {
  test('missing modes take the protocol defaults and bad ones are refused naming the stream', () => {
    const c = parseConfiguredCatalog({ streams: [{ stream: { name: 's' } }] }, 'c.json');
    assert.equal(c.streams[0]!.sync_mode, 'full_refresh');
    assert.equal(c.streams[0]!.destination_sync_mode, 'append');
    assert.throws(
      () => parseConfiguredCatalog({ streams: [{ stream: { name: 's' }, sync_mode: 'cdc' }] }, 'c.json'),
      /c\.json: streams\[0\] \("s"\): "sync_mode" must be one of full_refresh, incremental/,
    );
    assert.throws(() => parseConfiguredCatalog({}, 'c.json'), /c\.json: a configured catalog/);
  });
});
