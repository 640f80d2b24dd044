import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isAsciiText, textOf } from './byte-strings.js';
import { mayHaveLostDigits, mayLoseNumbers, parseJsonLossless } from './json-lossless.js';
import { type Place, ProtocolError, type SingerMessage, toSingerMessage } from './messages.js';

/** `byteString`: the text was decoded one byte per character (see byte-strings.ts); an ASCII line may carry it too. */
export type Line = {
  text: string;
  line: number;
  byteString?: true;
  /** The input's last line, ended by the end of the input rather than a newline (perhaps cut short). */
  unterminated?: true;
};

export type LineOptions = {
  /**
   * Non-ASCII lines that are valid UTF-8 and hold no backslash are decoded as byte strings
   * (byte-strings.ts); other lines are decoded as UTF-8 (invalid bytes become U+FFFD, as always).
   */
  byteStrings?: boolean;
};

/**
 * How the lines of a run of complete lines decode: `text` as UTF-8 (no byte strings wanted), `ascii`
 * (latin1 gives the text itself), `bytes` (valid UTF-8: each line without a backslash becomes a byte
 * string), `check` (invalid bytes somewhere: each line is checked on its own). One check per run rather
 * than per line: a newline byte never occurs inside a UTF-8 character, so the lines of a valid run are valid.
 */
type RunKind = 'text' | 'ascii' | 'bytes' | 'check';

function runKind(bytes: Buffer, from: number, to: number, byteStrings: boolean): RunKind {
  if (!byteStrings) return 'text';
  const run = bytes.subarray(from, to);
  return isAscii(run) ? 'ascii' : isUtf8(run) ? 'bytes' : 'check';
}

/** One line of a `check` run. */
function checkedLine(bytes: Buffer, start: number, end: number, line: number): Line {
  const view = bytes.subarray(start, end);
  if (isAscii(view)) return { text: view.toString('latin1'), line };
  if (view.indexOf(92) === -1 && isUtf8(view))
    return { text: view.toString('latin1'), line, byteString: true };
  return { text: view.toString('utf8'), line };
}

/**
 * Appends the lines of bytes[from, to) to `out`, numbered after `line`; `to` is just after a newline.
 * Blank lines are skipped but counted. Returns the number of the last line.
 */
function splitRun(
  bytes: Buffer,
  from: number,
  to: number,
  byteStrings: boolean,
  line: number,
  out: Line[],
): number {
  const kind = runKind(bytes, from, to, byteStrings);
  // The next backslash at or after the line's start, searched once per backslash rather than per line.
  let backslash = -1;
  let start = from;
  let nl = bytes.indexOf(10, start);
  while (nl !== -1 && nl < to) {
    line++;
    const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
    if (end > start) {
      if (kind === 'text') out.push({ text: bytes.toString('utf8', start, end), line });
      else if (kind === 'ascii') out.push({ text: bytes.toString('latin1', start, end), line });
      else if (kind === 'check') out.push(checkedLine(bytes, start, end, line));
      else {
        if (backslash < start) {
          backslash = bytes.indexOf(92, start);
          if (backslash === -1) backslash = bytes.length;
        }
        if (backslash >= end)
          out.push({ text: bytes.toString('latin1', start, end), line, byteString: true });
        else out.push({ text: bytes.toString('utf8', start, end), line });
      }
    }
    start = nl + 1;
    nl = bytes.indexOf(10, start);
  }
  return line;
}

/** Ends the last line of an input without a final newline, so that it splits like the others. */
const NEWLINE = Buffer.from('\n');

/**
 * Splits a byte stream into lines, numbering them from 1, one array per input chunk. Works on bytes:
 * `indexOf(10)` finds newlines natively, each line is decoded on its own (so a line of plain text stays
 * a one-byte string, which V8 parses and encodes faster), and only the line that straddles two chunks
 * is copied. A newline byte never occurs inside a multi-byte UTF-8 character, so splitting bytes is safe.
 */
export async function* readLineChunks(input: Readable, options: LineOptions = {}): AsyncGenerator<Line[]> {
  const byteStrings = options.byteStrings === true;
  // Bytes after the last newline seen: the start of a line that later chunks finish.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const last = bytes.lastIndexOf(10);
    if (last === -1) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      continue;
    }
    const lines: Line[] = [];
    let from = 0;
    if (pendingBytes > 0) {
      const first = bytes.indexOf(10) + 1;
      const head = Buffer.concat([...pending, bytes.subarray(0, first)]);
      pending = [];
      pendingBytes = 0;
      line = splitRun(head, 0, head.length, byteStrings, line, lines);
      from = first;
    }
    line = splitRun(bytes, from, last + 1, byteStrings, line, lines);
    if (last + 1 < bytes.length) {
      pending.push(bytes.subarray(last + 1));
      pendingBytes = bytes.length - last - 1;
    }
    if (lines.length > 0) yield lines;
  }
  if (pendingBytes > 0) {
    const lines: Line[] = [];
    const rest = Buffer.concat([...pending, NEWLINE]);
    splitRun(rest, 0, rest.length, byteStrings, line, lines);
    if (lines.length > 0) {
      lines[lines.length - 1]!.unterminated = true;
      yield lines;
    }
  }
}

/** Splits a byte stream into numbered lines (see readLineChunks), one at a time. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  for await (const lines of readLineChunks(input)) yield* lines;
}

/**
 * `lossless` is set when the message holds LosslessNumber values (see json-lossless.ts). `escapeFree`
 * is set when the line holds no backslash: then none of its strings contains a quote, a backslash or a
 * control character, which lets a consumer skip escaping them. `byteStrings` is set when the strings of
 * the RECORD's `record` are byte strings (byte-strings.ts); its envelope (stream...) is always text.
 */
export type PlacedMessage = {
  message: SingerMessage;
  place: Place;
  lossless?: true;
  escapeFree?: true;
  byteStrings?: true;
};

export type ReadOptions = LineOptions & {
  /** Numbers with more than 15 significant digits keep their digits (as LosslessNumber). */
  losslessNumbers?: boolean;
};

function parseLine(text: string, place: Place, unterminated = false): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // A last line without its newline that does not parse was cut short: the producer is at fault.
    throw new ProtocolError(
      place,
      unterminated
        ? `the input ends in the middle of this line (invalid JSON: ${(err as Error).message}, and no final newline): it was cut short, by a tap that stopped or a truncated file; re-run the tap (the load resumes from the last printed STATE), or remove the partial line from the file`
        : `invalid JSON (${(err as Error).message}); each line must be one JSON message`,
    );
  }
}

/** A byte order mark (as text, or as the latin1 of its UTF-8 bytes) that Windows editors put first. */
const BOM = /^(?:\ufeff|\u00ef\u00bb\u00bf)/;

/** Only a record body may keep byte strings: the envelope is read as text by everyone. */
function isRecordWithTextEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { type, stream, time_extracted } = value as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    type.toUpperCase() === 'RECORD' &&
    typeof stream === 'string' &&
    isAsciiText(stream) &&
    (time_extracted === undefined || (typeof time_extracted === 'string' && isAsciiText(time_extracted)))
  );
}

/** Decodes one NDJSON line into a Singer message, naming the source and line if it is malformed. */
function decodeLine(line: Line, source: string, lossless: boolean): PlacedMessage {
  const place = { source, line: line.line };
  let text = line.line === 1 ? line.text.replace(BOM, '') : line.text;
  let value = parseLine(text, place, line.unterminated);
  let byteStrings = line.byteString === true;
  if (byteStrings && !isRecordWithTextEnvelope(value)) {
    text = textOf(text);
    value = parseLine(text, place);
    byteStrings = false;
  }
  const exact = lossless && mayHaveLostDigits(value) && mayLoseNumbers(text);
  const placed: PlacedMessage = {
    message: toSingerMessage(exact ? parseJsonLossless(text) : value, place),
    place,
  };
  if (exact) placed.lossless = true;
  if (byteStrings) placed.byteStrings = true;
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
  for await (const lines of readLineChunks(input, options)) {
    const out: PlacedMessage[] = [];
    for (const line of lines) {
      try {
        out.push(decodeLine(line, source, lossless));
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
  for await (const lines of readLineChunks(input, options)) {
    for (const line of lines) yield decodeLine(line, source, lossless);
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
