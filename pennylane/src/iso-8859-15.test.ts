import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIso885915, encodeIso885915 } from './iso-8859-15.js';

describe('ISO-8859-15', () => {
  it('encodes the eight Latin-9 characters at their own bytes and Latin-1 letters at theirs', () => {
    assert.deepEqual([...encodeIso885915('€ŠšŽžŒœŸ')], [0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe]);
    assert.deepEqual([...encodeIso885915('Aé ÿ')], [0x41, 0xe9, 0x20, 0xff]);
  });

  it('turns characters it cannot hold into one question mark each, including the Latin-1 ones it replaced', () => {
    assert.equal(encodeIso885915('a¤b½c→d😀e').toString('latin1'), 'a?b?c?d?e');
  });

  it('decodes what it encodes', () => {
    const text = 'Société Œuvre, Ÿvette Šaric: 12,50 € — ć';
    assert.equal(decodeIso885915(encodeIso885915(text)), 'Société Œuvre, Ÿvette Šaric: 12,50 € ? ?');
    assert.equal(decodeIso885915(Buffer.from([0xa4, 0xe9])), '€é');
  });
});
