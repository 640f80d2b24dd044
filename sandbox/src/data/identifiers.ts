/** French identifiers with valid check digits, so the data passes the checks real tools apply. */

/** Luhn check digit (SIREN and SIRET use it). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** French intra-community VAT number: FR + 2-digit key + SIREN. */
export function vatNumber(siren: string): string {
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

/** Lettering codes as accounting software writes them: A…Z, AA…ZZ, AAA… */
export function lettersOf(n: number): string {
  let out = '';
  let k = n;
  while (k > 0) {
    k--;
    out = String.fromCharCode(65 + (k % 26)) + out;
    k = Math.floor(k / 26);
  }
  return out;
}

/** FR IBAN from its 23-character BBAN (bank, branch, account, key), with its ISO 13616 mod-97 check digits. */
export function frenchIban(bban: string): string {
  const numeric = `${bban}152700`; // "FR00" moved to the end, letters as numbers (F=15, R=27)
  const check = 98 - Number(BigInt(numeric) % 97n);
  return `FR${String(check).padStart(2, '0')}${bban}`;
}
