import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LosslessNumber } from '../../singer/src/json-lossless.js';
import type { Column } from './columns.js';
import { encodeValue, escapeCopyText, makeRowEncoder, type RecordMeta } from './copy-encoder.js';

const meta: RecordMeta = {
  extractedAt: '2024-01-01T00:00:00Z',
  receivedAt: '2024-01-02T00:00:00.000Z',
  batchedAt: '2024-01-03T00:00:00.000Z',
  sequence: 7,
  version: undefined,
  lossless: false,
  escapeFree: false,
  byteStrings: false,
};

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and removes NUL characters counting them', () => {
    const stats = { nulRemoved: 0 };
    assert.equal(escapeCopyText('a\\b\tc\nd\re\0f\0', stats), 'a\\\\b\\tc\\nd\\re' + 'f');
    assert.equal(stats.nulRemoved, 2);
    assert.equal(escapeCopyText('plain', stats), 'plain');
  });

  it('writes NULL, booleans, numbers and exact long numbers', () => {
    const stats = { nulRemoved: 0 };
    assert.equal(encodeValue(null, 'plain', stats), '\\N');
    assert.equal(encodeValue(undefined, 'json', stats), '\\N');
    assert.equal(encodeValue(true, 'plain', stats), 'true');
    assert.equal(encodeValue(12.5, 'plain', stats), '12.5');
    assert.equal(
      encodeValue(new LosslessNumber('12345678901234567890.123456789'), 'plain', stats),
      '12345678901234567890.123456789',
    );
  });

  it('writes objects and arrays as JSON, escaped for COPY, without \\u0000', () => {
    const stats = { nulRemoved: 0 };
    assert.equal(encodeValue({ a: 'x\ny' }, 'json', stats), '{"a":"x\\\\ny"}');
    assert.equal(encodeValue(['a\0b', '\\u0000'], 'json', stats), '["ab","\\\\\\\\u0000"]');
    assert.equal(stats.nulRemoved, 1);
    assert.equal(
      encodeValue({ n: new LosslessNumber('1.00000000000000000001') }, 'json', stats, true),
      '{"n":1.00000000000000000001}',
    );
    assert.equal(encodeValue('text', 'json', stats), '"text"');
  });

  it('skips the escaping scan for records from lines without a backslash', () => {
    const stats = { nulRemoved: 0 };
    assert.equal(encodeValue('plain é', 'plain', stats, false, true), 'plain é');
    assert.equal(encodeValue({ a: ['x'] }, 'json', stats, false, true), '{"a":["x"]}');
  });

  it('encodes a record in column order with flattened paths and metadata', () => {
    const columns: Column[] = [
      { name: 'id', type: 'bigint', path: ['id'] },
      { name: 'address__city', type: 'text', path: ['address', 'city'] },
      { name: 'tags', type: 'jsonb', path: ['tags'] },
      { name: '_sdc_deleted_at', type: 'timestamptz', path: ['_sdc_deleted_at'], metadata: 'deleted_at' },
      { name: '_sdc_sequence', type: 'bigint', path: ['_sdc_sequence'], metadata: 'sequence' },
    ];
    const encode = makeRowEncoder(columns);
    const stats = { nulRemoved: 0 };
    assert.equal(
      encode({ id: 1, address: { city: 'Paris' }, tags: [1] }, meta, stats, '\n'),
      '1\tParis\t[1]\t\\N\t7\n',
    );
    assert.equal(encode({ id: 2, address: null }, meta, stats, '\t9\tf\n'), '2\t\\N\t\\N\t\\N\t7\t9\tf\n');
    assert.equal(makeRowEncoder([])({ id: 3 }, meta, stats, '\n'), '\n');
    // strings are escaped unless the line was escape-free; other values take encodeValue's path
    assert.equal(
      encode({ id: '4', address: { city: 'a\tb' }, tags: 'x' }, meta, stats, '\n'),
      '4\ta\\tb\t"x"\t\\N\t7\n',
    );
    assert.equal(
      encode({ id: true, address: { city: 'é' }, tags: [] }, { ...meta, escapeFree: true }, stats, '\n'),
      'true\té\t[]\t\\N\t7\n',
    );
  });
});
