import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeText, parseJsonText, withoutBom } from './json-text.js';

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

describe('decodeText', () => {
  it('reads UTF-8, and UTF-16 (LE or BE) when a byte order mark says so, as PowerShell 5 writes files', () => {
    const text = '{"label": "Écritures"}';
    assert.equal(decodeText(Buffer.from(text, 'utf8')), text);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.deepEqual(parseJsonText(withoutBom(decodeText(le))), { ok: true, value: { label: 'Écritures' } });
    const be = Buffer.from(le).swap16();
    assert.deepEqual(parseJsonText(withoutBom(decodeText(be))), { ok: true, value: { label: 'Écritures' } });
  });
});
