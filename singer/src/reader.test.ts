import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ProtocolError } from './messages.js';
import { openInput, readLines, readSingerMessageChunks, readSingerMessages } from './reader.js';

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('readLines', () => {
  it('numbers lines across chunk boundaries, skips blank lines and strips CR', async () => {
    const input = Readable.from([Buffer.from('{"a":1}\r\n\n{"b'), Buffer.from('":2}\n{"c":3}')]);
    const lines = await collect(readLines(input));
    assert.deepEqual(lines, [
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 3 },
      { text: '{"c":3}', line: 4, unterminated: true },
    ]);
  });

  it('keeps multi-byte characters split between chunks intact', async () => {
    const bytes = Buffer.from('{"name":"Société générale"}\n');
    const input = Readable.from([bytes.subarray(0, 14), bytes.subarray(14)]);
    const [line] = await collect(readLines(input));
    assert.equal(JSON.parse(line!.text).name, 'Société générale');
  });
});

describe('readSingerMessages', () => {
  it('normalises the type and names the line of invalid JSON', async () => {
    const input = Readable.from(['{"type":"state","value":{"x":1}}\n', '{not json\n']);
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const { message } of readSingerMessages(input, 'replay.ndjson')) seen.push(message.type);
      },
      (err: unknown) => err instanceof ProtocolError && /^replay\.ndjson:2: invalid JSON/.test(err.message),
    );
    assert.deepEqual(seen, ['STATE']);
  });

  it('rejects an unknown message type with its line number', async () => {
    const input = Readable.from(['{"type":"BOGUS"}\n']);
    await assert.rejects(
      collect(readSingerMessages(input, 'stdin')),
      /stdin:1: unknown message type "BOGUS"/,
    );
  });
});

describe('readSingerMessages flags', () => {
  it('marks lines without a backslash as escape-free and keeps long numbers when asked', async () => {
    const input = Readable.from([
      '{"type":"RECORD","stream":"s","record":{"a":"x\\ty"}}\n',
      '{"type":"RECORD","stream":"s","record":{"a":12345678901234567890.5}}\n',
    ]);
    const out = await collect(readSingerMessages(input, 'stdin', { losslessNumbers: true }));
    assert.equal(out[0]!.escapeFree, undefined);
    assert.equal(out[1]!.escapeFree, true);
    assert.equal(out[1]!.lossless, true);
    const rec = out[1]!.message as unknown as { record: { a: { text: string } } };
    assert.equal(rec.record.a.text, '12345678901234567890.5');
  });
});

describe('readSingerMessageChunks', () => {
  it('yields the messages of each chunk together, and those before a malformed line before failing', async () => {
    const input = Readable.from([
      Buffer.from('{"type":"STATE","value":1}\n{"type":"STATE","value":2}\n{"type":"STA'),
      Buffer.from('TE","value":3}\n{"type":"STATE","value":4}\n{oops\n{"type":"STATE","value":5}\n'),
    ]);
    const chunks: number[][] = [];
    await assert.rejects(async () => {
      for await (const chunk of readSingerMessageChunks(input, 'in.ndjson')) {
        chunks.push(chunk.map((m) => m.place.line));
      }
    }, /^ProtocolError: in\.ndjson:5: invalid JSON/);
    assert.deepEqual(chunks, [
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('openInput', () => {
  it('names a truncated .gz file and what to do, instead of hanging or quoting zlib alone', async () => {
    const { gzipSync } = await import('node:zlib');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'reader-')), 'cut.ndjson.gz');
    const whole = gzipSync(Buffer.from('{"type":"STATE","value":{"n":1}}\n'.repeat(1000)));
    writeFileSync(file, whole.subarray(0, whole.length - 20));
    const { stream, source } = openInput(file);
    await assert.rejects(
      collect(readSingerMessages(stream, source)),
      /cut\.ndjson\.gz: cannot decompress \(unexpected end of file\): the \.gz file is truncated or corrupt/,
    );
  });
});

describe('readSingerMessages with byteStrings', () => {
  const bytesOf = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it('decodes non-ASCII records without a backslash as byte strings, and everything else as text', async () => {
    const lines = [
      '{"type":"RECORD","stream":"s","record":{"a":"été 💶"}}',
      '{"type":"RECORD","stream":"s","record":{"a":"été\\t"}}',
      '{"type":"RECORD","stream":"s","record":{"a":"ascii"}}',
      '{"type":"SCHEMA","stream":"s","schema":{"properties":{"é":{}}},"key_properties":[]}',
      '{"type":"RECORD","stream":"flux-é","record":{"a":"é"}}',
    ];
    // Split inside the 4-byte emoji: the straddling line is decoded whole.
    const all = Buffer.from(`${lines.join('\n')}\n`);
    const cut = all.indexOf(Buffer.from('💶')) + 2;
    const input = Readable.from([all.subarray(0, cut), all.subarray(cut)]);
    const out = await collect(readSingerMessages(input, 'stdin', { byteStrings: true }));
    const record = (i: number) => (out[i]!.message as { record: Record<string, unknown> }).record;
    assert.equal(out[0]!.byteStrings, true);
    assert.equal(record(0).a, bytesOf('été 💶'));
    assert.equal(out[1]!.byteStrings, undefined);
    assert.equal(record(1).a, 'été\t');
    // An ASCII line among non-ASCII ones may carry the flag: its byte strings are its text.
    assert.equal(record(2).a, 'ascii');
    assert.equal(out[3]!.byteStrings, undefined, 'a SCHEMA is always text');
    assert.deepEqual(Object.keys((out[3]!.message as { schema: { properties: object } }).schema.properties), [
      'é',
    ]);
    assert.equal(out[4]!.byteStrings, undefined, 'a non-ASCII stream name makes the line text');
    assert.equal((out[4]!.message as { stream: string }).stream, 'flux-é');
    assert.equal(record(4).a, 'é');
  });

  it('decodes a line that is not valid UTF-8 as text with U+FFFD, next to valid lines that stay byte strings', async () => {
    const input = Readable.from([
      Buffer.concat([
        Buffer.from('{"type":"RECORD","stream":"s","record":{"a":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}}\n{"type":"RECORD","stream":"s","record":{"a":"café"}}\n'),
      ]),
    ]);
    const out = await collect(readSingerMessages(input, 'stdin', { byteStrings: true }));
    assert.equal(out[0]!.byteStrings, undefined);
    assert.equal((out[0]!.message as unknown as { record: { a: string } }).record.a, 'caf\uFFFD');
    assert.equal(out[1]!.byteStrings, true);
    assert.equal((out[1]!.message as unknown as { record: { a: string } }).record.a, bytesOf('café'));
  });
});
