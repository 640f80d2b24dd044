import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { mayHaveLostDigits, mayLoseNumbers, parseJsonLossless } from './json-lossless.js';
import { type Place, ProtocolError, type SingerMessage, toSingerMessage } from './messages.js';

export type Line = { text: string; line: number };

/**
 * Splits a byte stream into lines, numbering them from 1. Works on whole chunks (one decode per chunk,
 * indexOf for newlines) because this loop runs once per record in every sync. Blank lines are skipped
 * but still counted, so numbers match what an editor shows.
 */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  input.setEncoding('utf8');
  let carry = '';
  let line = 0;
  for await (const chunk of input as AsyncIterable<string>) {
    let text = carry + chunk;
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      line++;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) yield { text: text.slice(start, end), line };
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    carry = start === 0 ? text : text.slice(start);
    text = '';
  }
  if (carry.length > 0) {
    line++;
    const trimmed = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
    if (trimmed.length > 0) yield { text: trimmed, line };
  }
}

/**
 * `lossless` is set when the message holds LosslessNumber values (see json-lossless.ts). `escapeFree`
 * is set when the line holds no backslash: then none of its strings contains a quote, a backslash or a
 * control character, which lets a consumer skip escaping them.
 */
export type PlacedMessage = { message: SingerMessage; place: Place; lossless?: true; escapeFree?: true };

export type ReadOptions = {
  /** Numbers with more than 15 significant digits keep their digits (as LosslessNumber). */
  losslessNumbers?: boolean;
};

/** Decodes NDJSON lines into Singer messages, naming the source and line of anything malformed. */
export async function* readSingerMessages(
  input: Readable,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<PlacedMessage> {
  for await (const { text, line } of readLines(input)) {
    const place = { source, line };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ProtocolError(
        place,
        `invalid JSON (${(err as Error).message}); each line must be one JSON message`,
      );
    }
    const lossless = options.losslessNumbers === true && mayHaveLostDigits(value) && mayLoseNumbers(text);
    const placed: PlacedMessage = {
      message: toSingerMessage(lossless ? parseJsonLossless(text) : value, place),
      place,
    };
    if (lossless) placed.lossless = true;
    if (text.indexOf('\\') === -1) placed.escapeFree = true;
    yield placed;
  }
}

/** Opens `--input FILE` (gunzipped when it ends in .gz) or stdin. */
export function openInput(file: string | undefined): { stream: Readable; source: string } {
  if (!file || file === '-') return { stream: process.stdin, source: 'stdin' };
  const raw = createReadStream(file);
  return { stream: file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw, source: file };
}
