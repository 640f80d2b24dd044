import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaAcceptsByteStrings, textOf, withText } from './byte-strings.js';
import { LosslessNumber } from './json-lossless.js';

const bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('byte strings', () => {
  it('turn back into the text their UTF-8 bytes spell; ASCII is the same string', () => {
    assert.equal(textOf(bytes('Société 💶 发票')), 'Société 💶 发票');
    const ascii = 'plain';
    assert.equal(textOf(ascii), ascii);
  });

  it('withText converts values and property names deeply, keeps numbers and LosslessNumber, and a "__proto__" key as data', () => {
    const long = new LosslessNumber('12345678901234567890');
    const parsed = JSON.parse(
      bytes('{"été":{"ville":"Orléans","n":[1,"ä",null,true]},"__proto__":{"x":"é"}}'),
    ) as Record<string, unknown>;
    parsed.long = long;
    const text = withText(parsed) as Record<string, unknown>;
    assert.deepEqual(text.été, { ville: 'Orléans', n: [1, 'ä', null, true] });
    assert.equal(text.long, long);
    assert.equal(Object.getPrototypeOf(text), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(text, '__proto__')?.value, { x: 'é' });
  });

  it('a schema accepts byte strings only when it is ASCII and has no keyword that counts or matches characters', () => {
    const ok = { type: 'object', properties: { a: { type: 'string', format: 'date', enum: ['x', 'y'] } } };
    assert.equal(schemaAcceptsByteStrings(ok), true);
    assert.equal(schemaAcceptsByteStrings({ properties: { é: { type: 'string' } } }), false);
    assert.equal(schemaAcceptsByteStrings({ properties: { a: { enum: ['été'] } } }), false);
    for (const keyword of ['minLength', 'maxLength', 'pattern', 'patternProperties', 'propertyNames']) {
      assert.equal(schemaAcceptsByteStrings({ properties: { a: { [keyword]: 1 } } }), false, keyword);
    }
  });
});
