import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { mayHaveLostDigits, mayLoseNumbers, parseJsonLossless } from './json-lossless.js';
import { type Place, ProtocolError, type SingerMessage, toSingerMessage } from './messages.js';

export type Line = { text: string; line: number };

/**
 * Splits a byte stream into lines, numbering them from 1, one array per input chunk. Works on bytes:
 * `indexOf(10)` finds newlines natively and each line is decoded on its own, so a line of plain text
 * stays a one-byte string even when another line of the chunk has non-Latin characters (V8 parses and
 * encodes those faster), and only the unfinished tail of a chunk is copied. A newline byte never
 * occurs inside a multi-byte UTF-8 character, so splitting bytes is safe. Blank lines are skipped but
 * still counted, so numbers match what an editor shows.
 */
export async function* readLineChunks(input: Readable): AsyncGenerator<Line[]> {
  // Bytes after the last newline seen: the start of a line that later chunks finish.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let nl = bytes.indexOf(10);
    if (nl === -1) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      continue;
    }
    const lines: Line[] = [];
    let start = 0;
    if (pendingBytes > 0) {
      // Only the line that straddles the chunks is copied, not the whole chunk.
      const head = Buffer.concat([...pending, bytes.subarray(0, nl)]);
      pending = [];
      pendingBytes = 0;
      line++;
      const end = head.length > 0 && head[head.length - 1] === 13 ? head.length - 1 : head.length;
      if (end > 0) lines.push({ text: head.toString('utf8', 0, end), line });
      start = nl + 1;
      nl = bytes.indexOf(10, start);
    }
    while (nl !== -1) {
      line++;
      const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) lines.push({ text: bytes.toString('utf8', start, end), line });
      start = nl + 1;
      nl = bytes.indexOf(10, start);
    }
    if (start < bytes.length) {
      pending.push(bytes.subarray(start));
      pendingBytes = bytes.length - start;
    }
    if (lines.length > 0) yield lines;
  }
  if (pendingBytes > 0) {
    const rest = Buffer.concat(pending);
    line++;
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    if (end > 0) yield [{ text: rest.toString('utf8', 0, end), line }];
  }
}

/** Splits a byte stream into numbered lines (see readLineChunks), one at a time. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  for await (const lines of readLineChunks(input)) yield* lines;
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

/** Decodes one NDJSON line into a Singer message, naming the source and line if it is malformed. */
function decodeLine(text: string, place: Place, lossless: boolean): PlacedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(
      place,
      `invalid JSON (${(err as Error).message}); each line must be one JSON message`,
    );
  }
  const exact = lossless && mayHaveLostDigits(value) && mayLoseNumbers(text);
  const placed: PlacedMessage = {
    message: toSingerMessage(exact ? parseJsonLossless(text) : value, place),
    place,
  };
  if (exact) placed.lossless = true;
  if (text.indexOf('\\') === -1) placed.escapeFree = true;
  return placed;
}

/**
 * Decodes NDJSON into Singer messages, one array per input chunk, so that a consumer can handle the
 * messages of a chunk in a synchronous loop (no promise per line). Before a malformed line throws,
 * the messages before it are yielded.
 */
export async function* readSingerMessageChunks(
  input: Readable,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<PlacedMessage[]> {
  const lossless = options.losslessNumbers === true;
  for await (const lines of readLineChunks(input)) {
    const out: PlacedMessage[] = [];
    for (const { text, line } of lines) {
      try {
        out.push(decodeLine(text, { source, line }, lossless));
      } catch (err) {
        // The messages before the malformed line are handled first, as a line-by-line reader would.
        if (out.length > 0) yield out;
        throw err;
      }
    }
    yield out;
  }
}

/** Decodes NDJSON lines into Singer messages, naming the source and line of anything malformed. */
export async function* readSingerMessages(
  input: Readable,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<PlacedMessage> {
  const lossless = options.losslessNumbers === true;
  for await (const lines of readLineChunks(input)) {
    for (const { text, line } of lines) yield decodeLine(text, { source, line }, lossless);
  }
}

/** Opens `--input FILE` (gunzipped when it ends in .gz) or stdin. */
export function openInput(file: string | undefined): { stream: Readable; source: string } {
  if (!file || file === '-') return { stream: process.stdin, source: 'stdin' };
  // Large reads: fewer chunks to split and fewer hops through the event loop.
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!file.endsWith('.gz')) return { stream: raw, source: file };
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // pipe() does not forward errors: without this a read error would leave the reader waiting forever.
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  return { stream: Readable.from(decompressed(gunzip, file), { objectMode: false }), source: file };
}

/** zlib's own errors ("unexpected end of file") name neither the file nor what to do. */
async function* decompressed(gunzip: Readable, file: string): AsyncGenerator<Buffer> {
  try {
    yield* gunzip;
  } catch (err) {
    throw new Error(
      `${file}: cannot decompress (${(err as Error).message}): the .gz file is truncated or corrupt; record it again, or replay the part that is whole after gunzip -c`,
    );
  }
}
