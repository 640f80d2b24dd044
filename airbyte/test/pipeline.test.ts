/**
 * The whole Airbyte path as a platform runs it: tap-pennylane `read` → target-postgres `write`, the
 * destination's echoed states given back to the next `read`. A customer deleted in Pennylane disappears
 * from the append_dedup table; an overwrite stream is replaced.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { runAirbyteDestination } from '../../target-postgres/src/airbyte/destination.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../src/messages.js';
import { ofType, parseAirbyteOutput } from './protocol.js';
import { CollectedOutput, type SourceHarness, startSourceHarness } from './source-support.js';

let h: SourceHarness;
let db: TestDatabase;
before(async () => {
  h = await startSourceHarness();
  db = await createTestDatabase('airbyte_pipe');
});
after(async () => {
  await h.close();
  await db.drop();
});

test('read → write twice: the second sync applies an update and a delete to the deduplicated table', async () => {
  const config = h.config('sample_config.json');
  const destConfig = h.file('dest.json', { database_url: db.url, default_target_schema: 'pennylane' });
  const discovered = ofType((await h.run(['discover', '--config', config])).messages, 'CATALOG')[0]!.catalog;
  const pick = (name: string) => discovered.streams.find((s) => s.name === name)!;
  const catalog: ConfiguredAirbyteCatalog = {
    streams: [
      {
        stream: pick('customers'),
        sync_mode: 'incremental',
        destination_sync_mode: 'append_dedup',
        primary_key: [['id']],
      },
      { stream: pick('journals'), sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' },
    ],
  };
  const catalogFile = h.file('configured.json', catalog);

  /** One sync: the source's stdout is the destination's stdin; returns the states the destination echoed. */
  const sync = async (stateFile?: string): Promise<AirbyteMessage[]> => {
    const read = await h.run([
      'read',
      '--config',
      config,
      '--catalog',
      catalogFile,
      ...(stateFile ? ['--state', stateFile] : []),
    ]);
    assert.equal(read.code, 0);
    const stdin = new PassThrough();
    stdin.end(read.stdout);
    const stdout = new CollectedOutput();
    const code = await runAirbyteDestination(['write', '--config', destConfig, '--catalog', catalogFile], {
      stdin,
      stdout,
    });
    assert.equal(code, 0, stdout.text);
    const echoed = parseAirbyteOutput(stdout.text);
    assert.deepEqual(
      echoed.map((m) => JSON.stringify(m)),
      ofType(read.messages, 'STATE').map((m) => JSON.stringify(m)),
      'every state of the source is echoed, in order, once committed',
    );
    return echoed;
  };
  const customers = async () =>
    (await db.client.query('SELECT id::text, name FROM pennylane.customers ORDER BY id')).rows as {
      id: string;
      name: string;
    }[];

  const echoed = await sync();
  const source = h.sandbox.control.records('customers') as { id: number; name: string }[];
  assert.equal((await customers()).length, source.length);
  const journals = await db.client.query('SELECT count(*)::int AS n FROM pennylane.journals');
  assert.equal(journals.rows[0].n, h.sandbox.control.records('journals').length);

  // The platform keeps the last state per stream and gives them back as an array.
  const last = new Map<string, unknown>();
  for (const m of ofType(echoed, 'STATE')) last.set(m.state.stream!.stream_descriptor.name, m.state);
  const stateFile = h.file('state.json', [...last.values()]);

  h.sandbox.control.advanceClock(60_000);
  const [renamed, deleted] = source;
  h.sandbox.control.update('customers', renamed!.id, { name: 'Nouveau nom SAS' });
  h.sandbox.control.remove('customers', deleted!.id);
  h.sandbox.control.advanceClock(60_000);
  await sync(stateFile);

  const after = await customers();
  assert.equal(after.length, source.length - 1);
  assert.equal(after.find((c) => c.id === String(renamed!.id))?.name, 'Nouveau nom SAS');
  assert.equal(
    after.find((c) => c.id === String(deleted!.id)),
    undefined,
  );
  const journalsAfter = await db.client.query('SELECT count(*)::int AS n FROM pennylane.journals');
  assert.equal(
    journalsAfter.rows[0].n,
    h.sandbox.control.records('journals').length,
    'overwrite: no duplicate journals',
  );
});
