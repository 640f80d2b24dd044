import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LosslessNumber } from '../../singer/src/json-lossless.js';
import type { Logger } from '../../singer/src/log.js';
import type { Line, PlacedMessage } from '../../singer/src/reader.js';
import { parseConfiguredCatalog } from './configured-catalog.js';
import { airbyteToSinger } from './destination-stream.js';

const catalog = (mode: string) =>
  parseConfiguredCatalog(
    {
      streams: [
        {
          stream: { name: 's', json_schema: { properties: { id: { type: 'integer' } } } },
          destination_sync_mode: mode,
          primary_key: [['id']],
        },
      ],
    },
    'catalog.json',
  );

async function* lines(texts: string[]): AsyncGenerator<Line> {
  let line = 0;
  for (const text of texts) yield { text, line: ++line };
}

const collect = async (mode: string, texts: string[]) => {
  const warnings: string[] = [];
  const log: Logger = { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: () => {} };
  const out: PlacedMessage[] = [];
  for await (const m of airbyteToSinger(lines(texts), catalog(mode), { source: 'stdin', log, version: 9 }))
    out.push(m);
  return { out, warnings, kinds: out.map((m) => m.message.type) };
};

const record = (id: number | string, stream = 's') =>
  `{"type":"RECORD","record":{"stream":"${stream}","data":{"id":${id}},"emitted_at":1}}`;
const status = (s: string) =>
  `{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"stream_descriptor":{"name":"s"},"status":"${s}"}}}`;
const STATE =
  '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{}}}}';

describe('airbyteToSinger', () => {
  test('a SCHEMA per configured stream comes first, then records and carried states in order', async () => {
    const { out, kinds } = await collect('append', [record(1), STATE, record(2), STATE]);
    assert.deepEqual(kinds, ['SCHEMA', 'RECORD', 'STATE', 'RECORD', 'STATE']);
    const states = out
      .filter((m) => m.message.type === 'STATE')
      .map((m) => m.message.type === 'STATE' && m.message.value);
    assert.deepEqual(states, [
      { seq: 1, line: STATE },
      { seq: 2, line: STATE },
    ]);
    assert.deepEqual(out[1]!.place, { source: 'stdin', line: 1 });
  });

  test('lines that are not JSON or not Airbyte messages are skipped, the former with a warning naming the line', async () => {
    const { kinds, warnings } = await collect('append', [
      'not json',
      '[1,2]',
      '{"no":"type"}',
      '{"type":"LOG","log":{}}',
      record(1),
    ]);
    assert.deepEqual(kinds, ['SCHEMA', 'RECORD']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^stdin:1: skipped a line that is not JSON/);
  });

  test('records of a stream missing from the catalog are skipped with one warning', async () => {
    const { kinds, warnings } = await collect('append', [record(1, 'other'), record(2, 'other'), record(3)]);
    assert.deepEqual(kinds, ['SCHEMA', 'RECORD']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"other"/);
  });

  test('overwrite: ACTIVATE_VERSION follows the COMPLETE status, or the end of input without any status, never an INCOMPLETE stream', async () => {
    assert.deepEqual((await collect('overwrite', [record(1), status('COMPLETE'), STATE])).kinds, [
      'SCHEMA',
      'RECORD',
      'ACTIVATE_VERSION',
      'STATE',
    ]);
    assert.deepEqual((await collect('overwrite', [record(1), STATE])).kinds, [
      'SCHEMA',
      'RECORD',
      'STATE',
      'ACTIVATE_VERSION',
    ]);
    const incomplete = await collect('overwrite', [record(1), status('INCOMPLETE')]);
    assert.deepEqual(incomplete.kinds, ['SCHEMA', 'RECORD']);
    assert.match(incomplete.warnings[0]!, /INCOMPLETE/);
    // a platform that sends statuses but not this stream's COMPLETE: the source stopped before the end
    const started = await collect('overwrite', [status('STARTED'), record(1), STATE]);
    assert.deepEqual(started.kinds, ['SCHEMA', 'RECORD', 'STATE']);
    assert.match(started.warnings[0]!, /never reported COMPLETE/);
    const versioned = (await collect('overwrite', [record(1)])).out[1]!.message;
    assert.equal(versioned.type === 'RECORD' && versioned.version, 9);
  });

  test('a number with more digits than a double holds arrives exact', async () => {
    const { out } = await collect('append', [record('12345678901234567890.12')]);
    const m = out[1]!;
    assert.equal(m.lossless, true);
    const id = m.message.type === 'RECORD' ? m.message.record.id : undefined;
    assert.ok(id instanceof LosslessNumber);
    assert.equal(String(id), '12345678901234567890.12');
  });
});
