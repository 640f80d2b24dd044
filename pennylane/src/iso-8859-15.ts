/**
 * ISO-8859-15 (Latin-9), the other encoding a FEC file may use. It is Latin-1 except eight code points,
 * which is small enough to encode and decode here rather than depend on the ICU data Node may lack.
 */

/** The eight bytes where Latin-9 differs from Latin-1, and the characters they hold. */
const LATIN9_BY_BYTE: ReadonlyMap<number, string> = new Map([
  [0xa4, '€'],
  [0xa6, 'Š'],
  [0xa8, 'š'],
  [0xb4, 'Ž'],
  [0xb8, 'ž'],
  [0xbc, 'Œ'],
  [0xbd, 'œ'],
  [0xbe, 'Ÿ'],
]);
const BYTE_BY_LATIN9_CHAR: ReadonlyMap<number, number> = new Map(
  [...LATIN9_BY_BYTE].map(([byte, char]) => [char.codePointAt(0)!, byte]),
);
const LATIN9_DIFFERENCES = /[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]/g;
const QUESTION_MARK = 0x3f;

/** Encodes `text` in ISO-8859-15; a character the encoding cannot hold becomes `?`. */
export function encodeIso885915(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const special = BYTE_BY_LATIN9_CHAR.get(code);
    if (special !== undefined) out[n++] = special;
    else if (code <= 0xff && !LATIN9_BY_BYTE.has(code)) out[n++] = code;
    else out[n++] = QUESTION_MARK;
  }
  return out.subarray(0, n);
}

/** Decodes ISO-8859-15 bytes (every byte is a character, so this cannot fail). */
export function decodeIso885915(bytes: Buffer): string {
  return bytes.toString('latin1').replace(LATIN9_DIFFERENCES, (c) => LATIN9_BY_BYTE.get(c.charCodeAt(0))!);
}
