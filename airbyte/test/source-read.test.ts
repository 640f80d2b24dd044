/**
 * Connector-acceptance style reads of tap-pennylane as an Airbyte source against the sandbox: a full read
 * of every stream (records match the discovered schemas, statuses and per-stream states), an incremental
 * read from a state in the future (no records) and one from a past state (only what changed, deletes
 * included). Every stdout line is validated against the vendored AirbyteMessage definition.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { AirbyteMessage, AirbyteStream, ConfiguredAirbyteCatalog } from '../src/messages.js';
import { ofType } from './protocol.js';
import { SOURCE_FIXTURES, type SourceHarness, startSourceHarness } from './source-support.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const records = (messages: AirbyteMessage[], stream?: string) =>
  ofType(messages, 'RECORD')
    .map((m) => m.record)
    .filter((r) => stream === undefined || r.stream === stream);

const statuses = (messages: AirbyteMessage[]) =>
  ofType(messages, 'TRACE').flatMap((m) =>
    m.trace.type === 'STREAM_STATUS'
      ? [`${m.trace.stream_status.stream_descriptor.name}:${m.trace.stream_status.status}`]
      : [],
  );

/** The STATE messages of a read as the array the platform would give back to the next read. */
const stateArray = (messages: AirbyteMessage[]) => {
  const last = new Map<string, unknown>();
  for (const m of ofType(messages, 'STATE')) last.set(m.state.stream!.stream_descriptor.name, m.state);
  return [...last.values()];
};

describe('tap-pennylane as an Airbyte source: read', () => {
  let h: SourceHarness;
  let config: string;
  const incremental = join(SOURCE_FIXTURES, 'configured_catalog_incremental.json');
  before(async () => {
    h = await startSourceHarness();
    config = h.config('sample_config.json');
  });
  after(async () => {
    await h.close();
  });

  test('a full read of every discovered stream emits valid records, a STARTED and a COMPLETE status and a STATE per stream', async () => {
    const discovered = (await h.run(['discover', '--config', config])).messages;
    const streams: AirbyteStream[] = ofType(discovered, 'CATALOG')[0]!.catalog.streams;
    const configured: ConfiguredAirbyteCatalog = {
      streams: streams.map((stream) => ({
        stream,
        sync_mode: 'full_refresh',
        destination_sync_mode: 'overwrite',
      })),
    };
    const r = await h.spawn(['read', '--config', config, '--catalog', h.file('full.json', configured)]);
    assert.equal(r.code, 0, r.stderr);
    const ajv = new Ajv({ strict: false, logger: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('singer.decimal', /^-?\d+(\.\d+)?$/);
    for (const stream of streams) {
      const rows = records(r.messages, stream.name);
      assert.ok(rows.length > 0, `${stream.name} has records`);
      const validate = ajv.compile(stream.json_schema);
      for (const row of rows) {
        assert.ok(
          validate(row.data),
          `${stream.name}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(row.data)}`,
        );
        assert.ok(Number.isInteger(row.emitted_at) && Math.abs(row.emitted_at - Date.now()) < 120_000);
      }
      const s = statuses(r.messages).filter((x) => x.startsWith(`${stream.name}:`));
      assert.deepEqual(s, [`${stream.name}:STARTED`, `${stream.name}:COMPLETE`]);
      const states = ofType(r.messages, 'STATE').filter(
        (m) => m.state.stream?.stream_descriptor.name === stream.name,
      );
      assert.ok(states.length >= 1, `${stream.name} has a STATE`);
      assert.ok(states.every((m) => m.state.type === 'STREAM'));
    }
    // Nothing but Airbyte messages: no SCHEMA, no ACTIVATE_VERSION, no Singer STATE.
    assert.deepEqual([...new Set(r.messages.map((m) => m.type))].sort(), ['RECORD', 'STATE', 'TRACE']);
    const customers = records(r.messages, 'customers');
    assert.equal(new Set(customers.map((c) => c.data.id)).size, customers.length, 'no duplicate customer');
    assert.equal(customers.length, h.sandbox.control.records('customers').length);
  });

  test('an incremental read from a state in the future emits no records of the incremental streams', async () => {
    const state = join(SOURCE_FIXTURES, 'abnormal_state.json');
    const r = await h.run(['read', '--config', config, '--catalog', incremental, '--state', state]);
    assert.equal(r.code, 0);
    assert.equal(records(r.messages, 'customers').length, 0);
    assert.equal(records(r.messages, 'suppliers').length, 0);
    // The full_refresh stream of the same catalog is listed in full whatever the state says.
    assert.equal(records(r.messages, 'journals').length, h.sandbox.control.records('journals').length);
    assert.deepEqual(
      statuses(r.messages).filter((s) => s.startsWith('customers:')),
      ['customers:STARTED', 'customers:COMPLETE'],
    );
  });

  test('an incremental read from a past state emits only what changed since, deletes with _ab_cdc_deleted_at, and honours the selected fields', async () => {
    const first = await h.run(['read', '--config', config, '--catalog', incremental]);
    assert.equal(first.code, 0);
    const all = records(first.messages, 'customers');
    assert.equal(all.length, h.sandbox.control.records('customers').length);
    // Only the fields of the configured json_schema (the key and the delete marker are always sent).
    for (const row of all) {
      assert.deepEqual(
        Object.keys(row.data).filter((k) => !['id', 'name', 'updated_at', '_ab_cdc_cursor'].includes(k)),
        [],
        JSON.stringify(row.data),
      );
    }
    const state = h.file('past-state.json', stateArray(first.messages));

    h.sandbox.control.advanceClock(60_000);
    const [kept, gone] = h.sandbox.control.records('customers') as { id: number }[];
    h.sandbox.control.update('customers', kept!.id, { name: 'Renamed by the test' });
    h.sandbox.control.remove('customers', gone!.id);
    h.sandbox.control.advanceClock(60_000);

    const second = await h.run(['read', '--config', config, '--catalog', incremental, '--state', state]);
    assert.equal(second.code, 0);
    const changed = records(second.messages, 'customers').map((r) => r.data);
    assert.equal(changed.length, 2, JSON.stringify(changed));
    // The synthetic cursor orders the changes after everything of the first read.
    const cursors = (rows: { data: Record<string, unknown> }[]) =>
      rows.map((r) => r.data._ab_cdc_cursor as number);
    assert.ok(Math.min(...cursors(records(second.messages, 'customers'))) > Math.max(...cursors(all)));
    const updated = changed.find((d) => d.id === kept!.id);
    assert.equal(updated?.name, 'Renamed by the test');
    assert.equal(updated?._ab_cdc_deleted_at, undefined);
    const deleted = changed.find((d) => d.id === gone!.id);
    assert.ok(deleted && typeof deleted._ab_cdc_deleted_at === 'string', JSON.stringify(deleted));
    assert.equal(deleted._sdc_deleted_at, undefined);
    assert.equal(records(second.messages, 'suppliers').length, 0);
    // The bookmark moved: a STATE for customers, readable by the next run.
    const next = stateArray(second.messages) as { stream: { stream_state: { changelog_at: string } } }[];
    const before = JSON.parse(readFileSync(state, 'utf8')) as typeof next;
    const at = (list: typeof next) =>
      list.find((s) => JSON.stringify(s).includes('"customers"'))!.stream.stream_state;
    assert.ok(Date.parse(at(next).changelog_at) > Date.parse(at(before).changelog_at));
  });

  test('a failing stream ends INCOMPLETE with its own TRACE ERROR while the others complete, and the exit code is 1', async () => {
    const discovered = ofType((await h.run(['discover', '--config', config])).messages, 'CATALOG')[0]!
      .catalog;
    const configured: ConfiguredAirbyteCatalog = {
      streams: discovered.streams
        .filter((s) => s.name === 'customers' || s.name === 'fec')
        .map((stream) => ({ stream, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' })),
    };
    h.sandbox.control.setFaults({ exportError: true });
    try {
      const r = await h.run(['read', '--config', config, '--catalog', h.file('failing.json', configured)]);
      assert.equal(r.code, 1);
      assert.deepEqual(statuses(r.messages).sort(), [
        'customers:COMPLETE',
        'customers:STARTED',
        'fec:INCOMPLETE',
        'fec:STARTED',
      ]);
      assert.equal(records(r.messages, 'customers').length, h.sandbox.control.records('customers').length);
      const errors = ofType(r.messages, 'TRACE').flatMap((m) =>
        m.trace.type === 'ERROR' ? [m.trace.error] : [],
      );
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.stream_descriptor?.name, 'fec');
      assert.equal(errors[0]!.failure_type, 'transient_error');
      assert.match(errors[0]!.message, /in error; retry later/);
    } finally {
      h.sandbox.control.clearFaults();
    }
  });
});
