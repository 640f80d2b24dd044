import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonText, withoutBom } from './json-text.js';

describe('parseJsonText', () => {
  it('parses what JSON.parse parses', () => {
    assert.deepEqual(parseJsonText('{\r\n  "a": [1, "2"]\r\n}\r\n'), { ok: true, value: { a: [1, '2'] } });
  });

  it('gives the place of the fault even where V8 gives none, and never quotes the text', () => {
    // V8 says `Unexpected token '\n', ..."secret": tru\n}" is not valid JSON` here: no place, the text quoted.
    const r = parseJsonText('{\n"secret": tru\n}');
    assert.deepEqual(r, { ok: false, problem: 'unexpected token at line 2, column 11', line: 2 });
    assert.deepEqual(parseJsonText('[1,\n2'), {
      ok: false,
      problem: 'the JSON ends too early at line 2 (truncated?)',
      line: 2,
    });
  });

  it('withoutBom removes only a leading byte order mark', () => {
    assert.equal(withoutBom('\uFEFF{}'), '{}');
    assert.equal(withoutBom('{"a":"\uFEFF"}'), '{"a":"\uFEFF"}');
  });
});
