/** French identities drawn from the seeded generator: each call draws in a fixed order. */

import type { Random } from '../random.js';
import type { ApiRecord } from '../types.js';
import { CITIES, FIRST_NAMES, LAST_NAMES, STREETS } from './french.js';
import { frenchIban, luhnCheckDigit } from './identifiers.js';

export function postalAddress(r: Random): ApiRecord {
  const [city, postalCode] = r.pick(CITIES);
  return {
    address: `${r.int(1, 180)} ${r.pick(STREETS)}`,
    postal_code: postalCode,
    city,
    country_alpha2: 'FR',
  };
}

export function siren(r: Random): string {
  const digits = String(r.int(10_000_000, 99_999_999));
  return digits + luhnCheckDigit(digits);
}

export function iban(r: Random): string {
  return frenchIban(
    `${r.int(10_000, 39_999)}${String(r.int(0, 99_999)).padStart(5, '0')}${String(r.int(0, 99_999_999)).padStart(11, '0')}${String(r.int(10, 97))}`,
  );
}

/** A UUID v4 look-alike, as the external systems that create Pennylane objects send. */
export function externalReference(r: Random): string {
  const hex = () => r.int(0, 0xffff).toString(16).padStart(4, '0');
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
}

export function personName(r: Random): { name: string; first: string; last: string } {
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  return { name: `${first} ${last}`, first, last };
}

/** Lowercase ASCII letters only, for e-mail addresses (`Lefèvre` → `lefevre`). */
export const slug = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
