import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdent, toPgName } from './identifiers.js';

describe('identifiers', () => {
  it('quotes every name and doubles embedded quotes', () => {
    assert.equal(quoteIdent('a"b; drop table x'), '"a""b; drop table x"');
    assert.equal(quoteIdent('Customer-Invoices'), '"Customer-Invoices"');
  });

  it('keeps names that fit in 63 bytes unchanged, case included', () => {
    assert.equal(toPgName('CamelCase Name'), 'CamelCase Name');
    assert.equal(toPgName('x'.repeat(63)), 'x'.repeat(63));
  });

  it('removes NUL characters', () => {
    assert.equal(toPgName('a\0b'), 'ab');
  });

  it('cuts long names on a character boundary and adds a hash of the full name', () => {
    const long = 'é'.repeat(100);
    const pg = toPgName(long);
    assert.ok(Buffer.byteLength(pg, 'utf8') <= 63);
    assert.match(pg, /^é+_[0-9a-f]{8}$/);
    assert.equal(toPgName(long), pg, 'deterministic');
  });

  it('gives two long names with the same prefix different names', () => {
    const a = toPgName(`${'p'.repeat(70)}a`);
    const b = toPgName(`${'p'.repeat(70)}b`);
    assert.notEqual(a, b);
    assert.equal(Buffer.byteLength(a), 63);
  });
});
