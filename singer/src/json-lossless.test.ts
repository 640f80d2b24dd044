import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LosslessNumber,
  mayHaveLostDigits,
  mayLoseNumbers,
  parseJsonLossless,
  stringifyLossless,
  toPlainNumbers,
} from './json-lossless.js';

describe('lossless JSON numbers', () => {
  it('keeps the digits of numbers longer than a double holds', () => {
    const text = '{"a":12345678901234567890.123456789,"b":1.5,"c":[9007199254740993],"d":"x\\"y"}';
    assert.ok(mayLoseNumbers(text));
    const v = parseJsonLossless(text) as Record<string, unknown>;
    assert.ok(v.a instanceof LosslessNumber);
    assert.equal((v.a as LosslessNumber).text, '12345678901234567890.123456789');
    assert.equal(v.b, 1.5);
    assert.equal(((v.c as unknown[])[0] as LosslessNumber).text, '9007199254740993');
    assert.equal(v.d, 'x"y');
    assert.equal(stringifyLossless(v), text);
  });

  it('parses the same values as JSON.parse for ordinary documents', () => {
    const text = ' {"x": [1, -2.5e3, true, false, null, {"y": "é\\n"}], "z": {}, "w": []} ';
    assert.deepEqual(parseJsonLossless(text), JSON.parse(text));
  });

  it('does not flag lines with short numbers only', () => {
    assert.equal(mayLoseNumbers('{"amount":"123.45","id":123456789012345}'), false);
  });

  it('rejects invalid JSON', () => {
    assert.throws(() => parseJsonLossless('{"a":1,}'), SyntaxError);
    assert.throws(() => parseJsonLossless('{"a":1} x'), SyntaxError);
    assert.throws(() => parseJsonLossless('{"a":"x'), SyntaxError);
  });

  it('turns lossless numbers back into numbers for validation', () => {
    assert.deepEqual(toPlainNumbers({ a: [new LosslessNumber('1.25')] }), { a: [1.25] });
  });
});

describe('mayHaveLostDigits', () => {
  it('passes records whose numbers are all safe integers, flags fractions and unsafe integers', () => {
    assert.equal(mayHaveLostDigits({ a: 1, b: [2, { c: 3 }], d: 'x', e: null }), false);
    assert.equal(mayHaveLostDigits({ a: [0.1] }), true);
    assert.equal(mayHaveLostDigits({ a: { b: 2 ** 60 } }), true);
  });
});
