import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withText } from './byte-strings.js';
import { mapJson, someJson, stringifyJson } from './json-deep.js';
import {
  hasLosslessNumber,
  LosslessNumber,
  mayHaveLostDigits,
  parseJsonLossless,
  stringifyLossless,
  toPlainNumbers,
} from './json-lossless.js';

/** Deeper than any recursive walk of ours survives (they overflow between 2,000 and 6,000 levels). */
const DEPTH = 20_000;
const deepText = (leaf: string) => `${'{"a":['.repeat(DEPTH)}${leaf}${']}'.repeat(DEPTH)}`;

describe('walks of deeply nested values', () => {
  it('stringifyJson writes what JSON.stringify writes, LosslessNumber digits as they came', () => {
    const v = { a: [1, 'x', null, true, undefined, { b: undefined, c: -0.5 }], '"q"': {}, e: [] };
    assert.equal(stringifyJson(v), JSON.stringify(v));
    assert.equal(
      stringifyJson({ n: new LosslessNumber('12345678901234567890.5') }),
      '{"n":12345678901234567890.5}',
    );
  });

  it('mapJson copies at any depth and keeps a "__proto__" key as data', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"y":[2]}') as Record<string, unknown>;
    const copy = mapJson(parsed, (v) => (typeof v === 'number' ? v * 10 : v)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(copy), ['__proto__', 'y']);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(copy.y, [20]);
  });

  it(`the lossless parser and every walk of a value take ${DEPTH} levels`, () => {
    const text = deepText('12345678901234567890.5');
    const parsed = parseJsonLossless(text);
    assert.equal(hasLosslessNumber(parsed), true);
    assert.equal(stringifyLossless(parsed), text);
    assert.equal(stringifyJson(toPlainNumbers(parsed)), deepText('12345678901234567000'));
    assert.equal(mayHaveLostDigits(JSON.parse(deepText('1.5'))), true);
    assert.equal(
      someJson(JSON.parse(deepText('1')), (v) => v === 2),
      false,
    );
    const bytes = Buffer.from(deepText('"é"'), 'utf8').toString('latin1');
    assert.equal(stringifyJson(withText(JSON.parse(bytes))), deepText('"é"'));
  });

  it('the lossless parser still names the position of a syntax error', () => {
    assert.throws(() => parseJsonLossless('{"a":[1,}'), /unexpected token at position 8/);
    assert.throws(() => parseJsonLossless('{"a" 1}'), /expected ':' at position 5/);
    assert.throws(() => parseJsonLossless('[1 2]'), /expected ',' or '\]' at position 3/);
    assert.throws(() => parseJsonLossless('{"a":1 "b"}'), /expected ',' or '\}' at position 7/);
    assert.throws(() => parseJsonLossless('{"a":1,}'), /expected a property name at position 7/);
    assert.deepEqual(parseJsonLossless(' { "a" : [ ] , "b" : { } , "c" : [ 1 , [ 2 ] ] } '), {
      a: [],
      b: {},
      c: [1, [2]],
    });
  });
});
