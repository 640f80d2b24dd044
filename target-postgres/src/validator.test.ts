import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LosslessNumber } from '../../singer/src/json-lossless.js';
import type { JsonSchema } from '../../singer/src/messages.js';
import { RecordValidator } from './validator.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    amount: { type: 'string', format: 'singer.decimal' },
    total: { type: ['number', 'null'] },
    at: { type: 'string', format: 'date-time' },
    opens: { type: 'string', format: 'time' },
    day: { type: 'string', format: 'date' },
    email: { type: 'string', format: 'email' },
    address: { type: 'object', properties: { city: { type: 'string' } } },
  },
  required: ['id'],
};

describe('RecordValidator', () => {
  const validator = new RecordValidator();
  const check = validator.compile('invoices', schema);

  it('accepts a valid record, naive timestamps and exact decimals included', () => {
    check({ id: 1, amount: '-12.50', total: null, at: '2024-01-01T10:00:00' }, false);
    check(
      { id: 1, at: '2024-01-01T10:00:00.123+02:00', opens: '23:59:59.999999', email: 'not an email' },
      false,
    );
    check({ id: 1, total: new LosslessNumber('12345678901234567890.5') }, true);
  });

  it('names the stream and the field of a wrong value', () => {
    assert.throws(
      () => check({ id: 1, amount: '12,50' }, false),
      /stream "invoices", field "amount".*"12,50"/,
    );
    assert.throws(() => check({ id: 1, address: { city: 3 } }, false), /field "address.city"/);
    assert.throws(() => check({ id: 'x' }, false), /field "id".*must be integer/);
  });

  it('checks the formats that decide a column type', () => {
    assert.throws(() => check({ id: 1, day: '2024-02-30' }, false), /field "day"/);
    assert.throws(() => check({ id: 1, opens: 'noon' }, false), /field "opens"/);
    assert.throws(() => check({ id: 1, at: 'yesterday' }, false), /field "at"/);
  });

  it('names a missing required field', () => {
    assert.throws(() => check({}, false), /field "id".*it is missing/);
  });

  it('rejects a schema that cannot be compiled', () => {
    assert.throws(
      () => validator.compile('bad', { type: 'object', properties: { a: { type: 12 } } } as never),
      /SCHEMA of stream "bad" is not a valid JSON Schema/,
    );
  });

  it('checks a schema as wide as a PostgreSQL table (1,600 properties) and names the failing field', () => {
    const properties: Record<string, JsonSchema> = {};
    for (let i = 0; i < 1600; i++) properties[`p${i}`] = { type: ['null', 'string'] };
    const wide = validator.compile('wide', { type: 'object', properties });
    wide({ p0: 'a', p1599: null }, false);
    assert.throws(() => wide({ p1598: 3 }, false), /stream "wide", field "p1598"/);
  });

  it('a schema nested too deeply to compile says so', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20_000; i++) deep = { type: 'object', properties: { a: deep } };
    assert.throws(() => validator.compile('deep', deep), /SCHEMA of stream "deep" is nested too deeply/);
  });
});
