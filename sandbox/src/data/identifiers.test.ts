import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frenchIban, lettersOf, luhnCheckDigit, vatNumber } from './identifiers.js';

/** Generic mod-97 check of an IBAN (ISO 13616), written independently of the generator. */
const ibanValid = (iban: string) => {
  const moved = iban.slice(4) + iban.slice(0, 4);
  const digits = moved.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(digits) % 97n === 1n;
};

describe('French identifiers', () => {
  it('computes SIREN Luhn digits (a real SIREN: 732 829 320)', () => {
    assert.equal(luhnCheckDigit('73282932'), '0');
    assert.equal(luhnCheckDigit('55208131'), '7'); // 552 081 317
  });

  it('computes the VAT key of a SIREN', () => {
    assert.equal(vatNumber('732829320'), 'FR44732829320');
  });

  it('makes IBANs that pass the mod-97 check', () => {
    const iban = frenchIban('30006000011234567890189');
    assert.match(iban, /^FR\d{25}$/);
    assert.ok(ibanValid(iban));
    assert.equal(ibanValid(iban.replace(/.$/, (d) => String((Number(d) + 1) % 10))), false);
  });

  it('writes lettering codes A…Z, AA…', () => {
    assert.deepEqual([1, 26, 27, 52, 703].map(lettersOf), ['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});
