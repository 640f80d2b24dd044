import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonSchema } from '../../singer/src/messages.js';
import { columnsOf, keyColumnsOf } from './columns.js';

const base = { flatteningEnabled: false, flatteningMaxDepth: 3, addRecordMetadata: false, versioned: false };
const schema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    address: {
      type: ['object', 'null'],
      properties: {
        city: { type: 'string' },
        geo: { type: 'object', properties: { lat: { type: 'number' } } },
      },
    },
    tags: { type: 'array' },
  },
};

describe('columnsOf', () => {
  it('keeps nested objects as jsonb when flattening is off', () => {
    const cols = columnsOf('s', schema, base);
    assert.deepEqual(
      cols.map((c) => [c.name, c.type]),
      [
        ['id', 'bigint'],
        ['address', 'jsonb'],
        ['tags', 'jsonb'],
      ],
    );
  });

  it('flattens objects into parent__child columns up to the depth limit', () => {
    const deep = columnsOf('s', schema, { ...base, flatteningEnabled: true });
    assert.deepEqual(
      deep.map((c) => c.name),
      ['id', 'address__city', 'address__geo__lat', 'tags'],
    );
    assert.deepEqual(deep[2]!.path, ['address', 'geo', 'lat']);
    const shallow = columnsOf('s', schema, { ...base, flatteningEnabled: true, flatteningMaxDepth: 1 });
    assert.deepEqual(
      shallow.map((c) => [c.name, c.type]),
      [
        ['id', 'bigint'],
        ['address__city', 'text'],
        ['address__geo', 'jsonb'],
        ['tags', 'jsonb'],
      ],
    );
  });

  it('adds the metadata columns, and _sdc_table_version alone for a versioned stream', () => {
    const all = columnsOf('s', schema, { ...base, addRecordMetadata: true });
    assert.deepEqual(
      all.slice(3).map((c) => c.name),
      [
        '_sdc_extracted_at',
        '_sdc_received_at',
        '_sdc_batched_at',
        '_sdc_deleted_at',
        '_sdc_sequence',
        '_sdc_table_version',
      ],
    );
    const versioned = columnsOf('s', schema, { ...base, versioned: true });
    assert.deepEqual(
      versioned.slice(3).map((c) => [c.name, c.type]),
      [['_sdc_table_version', 'bigint']],
    );
  });

  it('keeps a declared _sdc_deleted_at as a timestamp column fed from the record', () => {
    const cols = columnsOf(
      's',
      { properties: { id: { type: 'integer' }, _sdc_deleted_at: { type: ['string', 'null'] } } },
      { ...base, addRecordMetadata: true },
    );
    const d = cols.filter((c) => c.name === '_sdc_deleted_at');
    assert.equal(d.length, 1);
    assert.equal(d[0]!.type, 'timestamptz');
  });

  it('refuses two properties that land in the same column, and a schema without properties', () => {
    assert.throws(
      () =>
        columnsOf(
          's',
          {
            properties: {
              a__b: { type: 'string' },
              a: { type: 'object', properties: { b: { type: 'string' } } },
            },
          },
          { ...base, flatteningEnabled: true },
        ),
      /"a__b" and "a.b" both map to column "a__b"/,
    );
    assert.throws(() => columnsOf('s', { type: 'object' }, base), /has no "properties"/);
  });

  it('names the key columns and refuses a key that is not a property', () => {
    const cols = columnsOf('s', schema, base);
    assert.deepEqual(keyColumnsOf('s', cols, ['id']), ['id']);
    assert.throws(() => keyColumnsOf('s', cols, ['nope']), /key property "nope"/);
  });

  it('refuses more than 1,600 columns (the metadata ones count), naming the count and the limit', () => {
    const properties: Record<string, JsonSchema> = {};
    for (let i = 0; i < 1594; i++) properties[`p${i}`] = { type: 'string' };
    const meta = { ...base, addRecordMetadata: true };
    assert.equal(columnsOf('s', { type: 'object', properties }, meta).length, 1600);
    properties.one_more = { type: 'string' };
    assert.throws(
      () => columnsOf('s', { type: 'object', properties }, meta),
      /stream "s": the schema maps to 1601 columns \(1595 from its properties, 6 _sdc_ metadata\) and a PostgreSQL table holds at most 1600/,
    );
    assert.equal(columnsOf('s', { type: 'object', properties }, base).length, 1595);
    for (let i = 1594; i < 1700; i++) properties[`p${i}`] = { type: 'string' };
    assert.throws(
      () => columnsOf('s', { type: 'object', properties }, meta),
      (err: Error) => /at most 1600/.test(err.message) && !err.message.includes('add_record_metadata'),
      'add_record_metadata is only suggested when dropping the metadata would be enough',
    );
  });
});
