/**
 * target-postgres as an Airbyte destination, against a real PostgreSQL: spec, check, and `write` of a
 * recorded Airbyte message stream for each destination sync mode (append, append_dedup, overwrite), with
 * every STATE echoed only once the records before it are committed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runAirbyteDestination } from '../../target-postgres/src/airbyte/destination.js';
import { runScript } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { FIXTURES, ofType, parseAirbyteOutput } from './protocol.js';
import { CollectedOutput } from './source-support.js';

const DEST = join(FIXTURES, 'destination');
const fixture = (name: string) => join(DEST, name);
const recorded = (mode: string) => readFileSync(fixture(`messages_${mode}.ndjson`), 'utf8');
const stateLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{"type":"STATE"'));

describe('target-postgres as an Airbyte destination', () => {
  let db: TestDatabase;
  let dir: string;
  let config: string;
  let schemaNo = 0;
  /** A config loading into a fresh schema, so each test starts from empty tables. */
  const freshConfig = () => {
    const path = join(dir, `config-${++schemaNo}.json`);
    writeFileSync(
      path,
      JSON.stringify({ database_url: db.url, default_target_schema: `airbyte_${schemaNo}` }),
    );
    return { path, schema: `airbyte_${schemaNo}` };
  };
  /** `write` in this process, stdin given whole. */
  const write = async (configFile: string, mode: string, input: string) => {
    const stdout = new CollectedOutput();
    const stdin = new PassThrough();
    stdin.end(input);
    const code = await runAirbyteDestination(
      ['write', '--config', configFile, '--catalog', fixture(`configured_catalog_${mode}.json`)],
      { stdin, stdout },
    );
    return { code, stdout: stdout.text, messages: parseAirbyteOutput(stdout.text) };
  };
  /**
   * `write` fed one line at a time: after each STATE line, waits for its echo and takes the table's ids
   * at that moment, so a test sees what a reader of the table would when the platform records the state.
   */
  const writeStepwise = async (configFile: string, schema: string, mode: string, input: string) => {
    const stdin = new PassThrough();
    const echoed: string[] = [];
    let wake = () => {};
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        echoed.push(...String(chunk).split('\n').filter(Boolean));
        wake();
        done();
      },
    });
    const running = runAirbyteDestination(
      ['write', '--config', configFile, '--catalog', fixture(`configured_catalog_${mode}.json`)],
      { stdin, stdout },
    );
    const snapshots: number[][] = [];
    for (const line of input.split('\n').filter(Boolean)) {
      stdin.write(`${line}\n`);
      if (!line.startsWith('{"type":"STATE"')) continue;
      const want = snapshots.length + 1;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`STATE #${want} not echoed within 10 s`)), 10_000);
        wake = () => {
          if (echoed.length < want) return;
          clearTimeout(timer);
          resolve();
        };
        wake();
      });
      assert.equal(echoed[want - 1], line, 'the STATE is echoed as it came');
      snapshots.push((await rows(schema)).map((x) => x.id));
    }
    stdin.end();
    const code = await running;
    return { code, echoed, snapshots };
  };
  const rows = async (schema: string) =>
    (
      await db.client.query(
        `SELECT id::int, name, balance::text, tags, signed_on::text, _sdc_deleted_at FROM "${schema}".customers ORDER BY id, _sdc_sequence`,
      )
    ).rows;

  before(async () => {
    db = await createTestDatabase('airbyte');
    dir = mkdtempSync(join(tmpdir(), 'airbyte-destination-'));
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ database_url: db.url, default_target_schema: 'airbyte' }));
  });
  after(async () => {
    await db.drop();
  });

  test('spec lists the three supported destination sync modes and flags the secrets', async () => {
    const stdout = new CollectedOutput();
    assert.equal(await runAirbyteDestination(['spec'], { stdin: new PassThrough(), stdout }), 0);
    const spec = ofType(parseAirbyteOutput(stdout.text), 'SPEC')[0]!.spec;
    assert.deepEqual(spec.supported_destination_sync_modes, ['append', 'overwrite', 'append_dedup']);
    const props = spec.connectionSpecification.properties!;
    assert.equal(props.password!.airbyte_secret, true);
    assert.equal(props.database_url!.airbyte_secret, true);
    assert.equal(props.host!.airbyte_secret, undefined);
  });

  test('check succeeds on a database where the role may create the schema, and fails with a reason otherwise', async () => {
    const run = async (cfg: string) => {
      const stdout = new CollectedOutput();
      await runAirbyteDestination(['check', '--config', cfg], { stdin: new PassThrough(), stdout });
      return ofType(parseAirbyteOutput(stdout.text), 'CONNECTION_STATUS')[0]!.connectionStatus;
    };
    assert.equal((await run(config)).status, 'SUCCEEDED');
    const url = new URL(db.url);
    url.password = 'wrong-password';
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ database_url: url.toString() }));
    const failed = await run(bad);
    assert.equal(failed.status, 'FAILED');
    assert.match(failed.message ?? '', /password authentication failed/);
    assert.match(
      failed.message ?? '',
      /^cannot connect to PostgreSQL: .*check host, port, user, password and database/,
    );
    assert.doesNotMatch(failed.message ?? '', /wrong-password/);
  });

  test('append: the recorded stream is loaded through the CLI, every row kept, non-messages skipped, states echoed as sent', async () => {
    const r = await runScript(
      'target-postgres/src/cli.ts',
      ['write', '--config', config, '--catalog', fixture('configured_catalog_append.json')],
      recorded('append'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(stateLines(r.stdout), stateLines(recorded('append')));
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 2, 'nothing but the two states on stdout');
    assert.match(r.stderr, /not JSON/);
    assert.match(r.stderr, /"not_configured" are skipped/);
    const got = await rows('airbyte');
    assert.deepEqual(
      got.map((x) => [x.id, x.name, x.balance]),
      [
        [1, 'Dupont SARL', '12345678901234567890.12'],
        [1, 'Dupont SAS', '10'],
        [2, 'Martin & Fils', '-0.5'],
      ],
    );
    assert.deepEqual(got[0]!.tags, ['vip']);
    assert.equal(got[0]!.signed_on, '2024-01-31');
  });

  test('append_dedup: the primary key upserts and _ab_cdc_deleted_at deletes the row, each state echoed after its records', async () => {
    const { path, schema } = freshConfig();
    const r = await writeStepwise(path, schema, 'append_dedup', recorded('append_dedup'));
    assert.equal(r.code, 0);
    assert.deepEqual(r.snapshots, [
      [1, 2, 3],
      [1, 3],
    ]);
    assert.equal(r.echoed.length, 2);
    assert.deepEqual(
      (await rows(schema)).map((x) => [x.id, x.name, x.balance]),
      [
        [1, 'Dupont SAS', '10'],
        [3, 'Leroy', '3'],
      ],
    );
    const key = await db.client.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = '"${schema}".customers'::regclass AND i.indisprimary`,
    );
    assert.deepEqual(
      key.rows.map((x) => x.attname),
      ['id'],
    );
  });

  test('append: at each echoed state the table holds every record sent before it', async () => {
    const { path, schema } = freshConfig();
    const r = await writeStepwise(path, schema, 'append', recorded('append'));
    assert.equal(r.code, 0);
    assert.deepEqual(r.snapshots, [
      [1, 2],
      [1, 1, 2],
    ]);
  });

  test('overwrite: the rows of an earlier sync stay until the new sync completes the stream, then vanish', async () => {
    const { path, schema } = freshConfig();
    await write(path, 'overwrite', recorded('append'));
    assert.equal((await rows(schema)).length, 3);
    const r = await writeStepwise(path, schema, 'overwrite', recorded('overwrite'));
    assert.equal(r.code, 0);
    // First state: the new row is loaded beside the old ones; second (after COMPLETE): only the new rows.
    // Two identical STATE messages are two checkpoints: both echoed.
    assert.deepEqual(r.snapshots, [
      [1, 1, 2, 10],
      [10, 11],
    ]);
    assert.deepEqual(r.echoed, stateLines(recorded('overwrite')));
    assert.deepEqual(
      (await rows(schema)).map((x) => [x.id, x.name]),
      [
        [10, 'Nouveau client'],
        [11, 'Autre client'],
      ],
    );
  });

  test('overwrite: a stream reported INCOMPLETE keeps the older rows beside the new ones', async () => {
    const { path, schema } = freshConfig();
    await write(path, 'overwrite', recorded('append'));
    const input = recorded('overwrite').replace('"status":"COMPLETE"', '"status":"INCOMPLETE"');
    const r = await write(path, 'overwrite', input);
    assert.equal(r.code, 0);
    assert.deepEqual(
      (await rows(schema)).map((x) => x.id),
      [1, 1, 2, 10, 11],
    );
  });

  test('append_dedup with a truncating refresh: rows the new generation did not send vanish once it completes', async () => {
    const { path, schema } = freshConfig();
    await write(path, 'append_dedup', recorded('append_dedup'));
    assert.deepEqual(
      (await rows(schema)).map((x) => x.id),
      [1, 3],
    );
    const catalog = JSON.parse(readFileSync(fixture('configured_catalog_append_dedup.json'), 'utf8'));
    Object.assign(catalog.streams[0], { generation_id: 2, minimum_generation_id: 2, sync_id: 7 });
    const refreshCatalog = join(dir, 'refresh.json');
    writeFileSync(refreshCatalog, JSON.stringify(catalog));
    const stdin = new PassThrough();
    stdin.end(recorded('overwrite'));
    const stdout = new CollectedOutput();
    const code = await runAirbyteDestination(['write', '--config', path, '--catalog', refreshCatalog], {
      stdin,
      stdout,
    });
    assert.equal(code, 0, stdout.text);
    assert.deepEqual(
      (await rows(schema)).map((x) => x.id),
      [10, 11],
    );
  });

  test('each STATE is echoed only after the records before it are committed, and none is invented', async () => {
    const { path, schema } = freshConfig();
    const stdin = new PassThrough();
    const lines: string[] = [];
    let waiter: (() => void) | undefined;
    const stdout = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        waiter?.();
        done();
      },
    });
    const nextLine = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no state line #${count} within 10 s`)), 10_000);
        waiter = () => {
          if (lines.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiter();
      });
    const running = runAirbyteDestination(
      ['write', '--config', path, '--catalog', fixture('configured_catalog_append.json')],
      { stdin, stdout },
    );
    const record = (id: number) =>
      `${JSON.stringify({ type: 'RECORD', record: { stream: 'customers', data: { id, name: `c${id}` }, emitted_at: 1 } })}\n`;
    const state = (n: number) =>
      `${JSON.stringify({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'customers' }, stream_state: { n } } } })}\n`;

    stdin.write(record(1) + record(2) + record(3) + state(1));
    await nextLine(1);
    assert.equal(lines[0], state(1).trim());
    assert.deepEqual(
      (await rows(schema)).map((x) => x.id),
      [1, 2, 3],
      'the three records before the first STATE are committed when it is echoed',
    );

    stdin.write(record(4) + record(5));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lines.length, 1, 'no STATE is printed without one received');

    stdin.write(state(2));
    await nextLine(2);
    assert.deepEqual(
      (await rows(schema)).map((x) => x.id),
      [1, 2, 3, 4, 5],
    );
    stdin.end(record(6));
    assert.equal(await running, 0);
    assert.equal(lines.length, 2, 'records after the last STATE are committed, but no state is invented');
    assert.equal((await rows(schema)).length, 6);
  });

  test('write with a catalog asking for an unsupported mode fails with a config_error naming the stream', async () => {
    const catalog = JSON.parse(readFileSync(fixture('configured_catalog_append.json'), 'utf8'));
    catalog.streams[0].destination_sync_mode = 'soft_delete';
    const file = join(dir, 'soft.json');
    writeFileSync(file, JSON.stringify(catalog));
    const stdout = new CollectedOutput();
    const stdin = new PassThrough();
    stdin.end('');
    const code = await runAirbyteDestination(['write', '--config', config, '--catalog', file], {
      stdin,
      stdout,
    });
    assert.equal(code, 1);
    const trace = ofType(parseAirbyteOutput(stdout.text), 'TRACE')[0]!.trace as {
      error: { message: string; failure_type: string };
    };
    assert.equal(trace.error.failure_type, 'config_error');
    assert.match(trace.error.message, /stream "customers".*soft_delete/);
  });
});
