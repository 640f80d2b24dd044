import { parseJsonLossless } from './json-lossless.js';

/**
 * A file's bytes as text: UTF-8, or UTF-16 when it starts with a UTF-16 byte order mark (what Windows
 * PowerShell 5's `>` writes, e.g. `tap | target > state.json`). The mark itself is kept for withoutBom.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  return bytes.toString('utf8');
}

/** The text without the byte order mark some Windows editors put first (JSON.parse refuses it). */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** 1-based line and column of a character position. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; problem: string; line: number };

/**
 * JSON.parse with an error a person can act on: what is wrong and where (line, column). V8's own
 * message sometimes has no position and quotes the whole text instead, so the place comes from our
 * own parser, which always has one. The text itself is never quoted (a config file holds secrets).
 */
export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    let message = (err as Error).message;
    try {
      parseJsonLossless(text);
    } catch (own) {
      message = (own as Error).message;
    }
    const m = /^(.*) at position (\d+)$/.exec(message);
    if (!m) return { ok: false, problem: 'not valid JSON', line: 1 };
    const position = Number(m[2]);
    const { line, column } = lineAndColumn(text, position);
    if (text.slice(position).trim() === '')
      return { ok: false, problem: `the JSON ends too early at line ${line} (truncated?)`, line };
    return { ok: false, problem: `${m[1]} at line ${line}, column ${column}`, line };
  }
}
