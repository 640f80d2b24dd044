import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holds, normalizeSqlType, sqlTypeOf, widen, widenUsing } from './sql-types.js';

describe('JSON Schema → PostgreSQL type', () => {
  it('maps the scalar types and string formats', () => {
    assert.equal(sqlTypeOf({ type: 'integer' }), 'bigint');
    assert.equal(sqlTypeOf({ type: ['number', 'null'] }), 'numeric');
    assert.equal(sqlTypeOf({ type: 'boolean' }), 'boolean');
    assert.equal(sqlTypeOf({ type: 'string' }), 'text');
    assert.equal(sqlTypeOf({ type: 'string', format: 'date-time' }), 'timestamptz');
    assert.equal(sqlTypeOf({ type: 'string', format: 'date' }), 'date');
    assert.equal(sqlTypeOf({ type: 'string', format: 'time' }), 'time');
    assert.equal(sqlTypeOf({ type: ['string', 'null'], format: 'singer.decimal' }), 'numeric');
    assert.equal(sqlTypeOf({ type: 'string', format: 'x-singer.decimal' }), 'numeric');
    assert.equal(sqlTypeOf({ type: 'object', properties: {} }), 'jsonb');
    assert.equal(sqlTypeOf({ type: 'array', items: { type: 'integer' } }), 'jsonb');
  });

  it('honours x-sql-datatype', () => {
    assert.equal(sqlTypeOf({ type: 'integer', 'x-sql-datatype': 'smallint' }), 'smallint');
    assert.equal(sqlTypeOf({ type: 'string', 'x-sql-datatype': 'DECIMAL(12, 2)' }), 'numeric(12,2)');
    assert.equal(sqlTypeOf({ type: 'string', 'x-sql-datatype': 'uuid' }), 'uuid');
  });

  it('takes the widest type of several types or anyOf branches', () => {
    assert.equal(sqlTypeOf({ type: ['integer', 'number'] }), 'numeric');
    assert.equal(sqlTypeOf({ type: ['integer', 'string'] }), 'text');
    assert.equal(sqlTypeOf({ type: ['boolean', 'integer'] }), 'text');
    assert.equal(
      sqlTypeOf({
        anyOf: [
          { type: 'string', format: 'date' },
          { type: 'string', format: 'date-time' },
        ],
      }),
      'timestamptz',
    );
    assert.equal(sqlTypeOf({ anyOf: [{ type: 'string' }, { type: 'object' }] }), 'jsonb');
    assert.equal(sqlTypeOf({ anyOf: [{ type: 'null' }, { type: 'integer' }] }), 'bigint');
  });

  it('falls back instead of failing: no type → jsonb, only null → text, unknown type → text', () => {
    assert.equal(sqlTypeOf({}), 'jsonb');
    assert.equal(sqlTypeOf({ type: 'null' }), 'text');
    assert.equal(sqlTypeOf({ type: 'decimal128' }), 'text');
  });
});

describe('type widening for schema evolution', () => {
  it('knows which existing column types already hold a new type', () => {
    assert.ok(holds('numeric', 'bigint'));
    assert.ok(holds('bigint', 'integer'));
    assert.ok(holds('text', 'timestamptz'));
    assert.ok(holds('jsonb', 'text'));
    assert.ok(holds('timestamptz', 'date'));
    assert.ok(!holds('bigint', 'numeric'));
    assert.ok(!holds('date', 'timestamptz'));
    assert.ok(!holds('boolean', 'text'));
  });

  it('widens to the narrowest type holding both', () => {
    assert.equal(widen('bigint', 'numeric'), 'numeric');
    assert.equal(widen('integer', 'bigint'), 'bigint');
    assert.equal(widen('date', 'timestamptz'), 'timestamptz');
    assert.equal(widen('boolean', 'bigint'), 'text');
    assert.equal(widen('time', 'date'), 'text');
    assert.equal(widen('bigint', 'jsonb'), 'jsonb');
    assert.equal(widen('uuid', 'bigint'), 'text');
  });

  it('converts in place with a USING expression', () => {
    assert.equal(widenUsing('"c"', 'bigint', 'numeric'), '"c"::numeric');
    assert.equal(widenUsing('"c"', 'boolean', 'text'), '"c"::text');
    assert.equal(widenUsing('"c"', 'text', 'jsonb'), 'to_jsonb("c")');
  });

  it('reads catalog spellings back to the canonical ones', () => {
    assert.equal(normalizeSqlType('timestamp with time zone'), 'timestamptz');
    assert.equal(normalizeSqlType('time without time zone'), 'time');
    assert.equal(normalizeSqlType('numeric(12,2)'), 'numeric(12,2)');
    assert.equal(normalizeSqlType('character varying(20)'), 'varchar(20)');
  });
});
