import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonLossless } from '../../singer/src/json-lossless.js';
import { createLogger } from '../../singer/src/log.js';
import { toSingerMessage } from '../../singer/src/messages.js';
import type { PlacedMessage } from '../../singer/src/reader.js';
import { useTestDatabase } from '../../test/support/database.js';
import { toTargetConfig } from './config.js';
import { runTarget } from './target.js';

const db = useTestDatabase('tp');

const quiet = createLogger('test', () => {});

function placed(lines: unknown[]): AsyncIterable<PlacedMessage> {
  return (async function* () {
    let line = 0;
    for (const l of lines) {
      line++;
      const text = typeof l === 'string' ? l : JSON.stringify(l);
      const lossless = typeof l === 'string';
      const value = lossless ? parseJsonLossless(text) : JSON.parse(text);
      const place = { source: 'test.ndjson', line };
      yield {
        message: toSingerMessage(value, place),
        place,
        ...(lossless ? { lossless: true as const } : {}),
      };
    }
  })();
}

async function load(schema: string, lines: unknown[], extra: Record<string, unknown> = {}) {
  const states: unknown[] = [];
  const summary = await runTarget({
    config: toTargetConfig({ database_url: db().url, default_target_schema: schema, ...extra }),
    messages: placed(lines),
    emitState: async (v) => {
      states.push(v);
    },
    log: quiet,
  });
  return { summary, states };
}

const schemaMsg = (stream: string, properties: Record<string, unknown>, keys: string[] = ['id']) => ({
  type: 'SCHEMA',
  stream,
  schema: { type: 'object', properties },
  key_properties: keys,
});
const rec = (stream: string, record: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'RECORD',
  stream,
  record,
  ...extra,
});

describe('runTarget', () => {
  it('creates the table with a primary key, loads, upserts with the last record winning, and emits state after commit', async () => {
    const props = {
      id: { type: 'integer' },
      name: { type: ['string', 'null'] },
      amount: { type: 'string', format: 'singer.decimal' },
    };
    const first = await load('s1', [
      schemaMsg('Invoices-Éé', props),
      rec('Invoices-Éé', { id: 1, name: 'a', amount: '1.10' }),
      rec('Invoices-Éé', { id: 2, name: 'b\tc\n', amount: '2.20' }),
      rec('Invoices-Éé', { id: 1, name: 'a2', amount: '1.11' }),
      { type: 'STATE', value: { n: 1 } },
      rec('Invoices-Éé', { id: 3, name: null, amount: '3' }),
    ]);
    assert.deepEqual(first.states, [{ n: 1 }]);
    // id 1 was copied first, then rewritten by the merge when its second record came: that counts as an update.
    assert.deepEqual(first.summary.streams['Invoices-Éé'], { inserted: 3, updated: 1, deleted: 0 });
    const r = await db().client.query('SELECT id, name, amount::text FROM s1."Invoices-Éé" ORDER BY id');
    assert.deepEqual(r.rows, [
      { id: '1', name: 'a2', amount: '1.11' },
      { id: '2', name: 'b\tc\n', amount: '2.20' },
      { id: '3', name: null, amount: '3' },
    ]);
    const second = await load('s1', [
      schemaMsg('Invoices-Éé', props),
      rec('Invoices-Éé', { id: 1, name: 'a2', amount: '1.11' }),
      rec('Invoices-Éé', { id: 2, name: 'changed', amount: '2.20' }),
      rec('Invoices-Éé', { id: 4, name: 'new', amount: '4' }),
      rec('Invoices-Éé', { id: 3, _sdc_deleted_at: '2024-01-01T00:00:00Z' }),
    ]);
    assert.deepEqual(second.summary.streams['Invoices-Éé'], { inserted: 1, updated: 1, deleted: 1 });
    const r2 = await db().client.query('SELECT id, name FROM s1."Invoices-Éé" ORDER BY id');
    assert.deepEqual(
      r2.rows.map((x) => x.id),
      ['1', '2', '4'],
    );
  });

  it('keeps long numbers exact', async () => {
    await load('s2', [
      schemaMsg('n', { id: { type: 'integer' }, v: { type: 'number' }, j: { type: 'object' } }),
      '{"type":"RECORD","stream":"n","record":{"id":1,"v":12345678901234567890.123456789,"j":{"x":12345678901234567890.123456789}}}',
    ]);
    const r = await db().client.query('SELECT v::text, j::text FROM s2.n');
    assert.equal(r.rows[0].v, '12345678901234567890.123456789');
    assert.equal(r.rows[0].j, '{"x": 12345678901234567890.123456789}');
  });

  it('adds new columns and widens types in place, never dropping a column', async () => {
    await load('ev', [
      schemaMsg('t', {
        id: { type: 'integer' },
        n: { type: 'integer' },
        d: { type: 'string', format: 'date' },
        gone: { type: 'string' },
      }),
      rec('t', { id: 1, n: 5, d: '2024-01-02', gone: 'x' }),
    ]);
    await load('ev', [
      schemaMsg('t', {
        id: { type: 'integer' },
        n: { type: 'number' },
        d: { type: 'string', format: 'date-time' },
        extra: { type: 'boolean' },
      }),
      rec('t', { id: 2, n: 1.25, d: '2024-01-02T10:00:00Z', extra: true }),
    ]);
    const types = await db().client.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ev' AND table_name = 't' AND column_name NOT LIKE '_sdc%' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      types.rows.map((r) => [r.column_name, r.data_type]),
      [
        ['id', 'bigint'],
        ['n', 'numeric'],
        ['d', 'timestamp with time zone'],
        ['gone', 'text'],
        ['extra', 'boolean'],
      ],
    );
    const r = await db().client.query(`SELECT id, n::text, d::text, gone, extra FROM ev.t ORDER BY id`);
    assert.deepEqual(r.rows, [
      { id: '1', n: '5', d: '2024-01-02 00:00:00+00', gone: 'x', extra: null },
      { id: '2', n: '1.25', d: '2024-01-02 10:00:00+00', gone: null, extra: true },
    ]);
  });

  it('refuses a change of key_properties with a clear error and keeps the data', async () => {
    await load('kc', [
      schemaMsg('t', { id: { type: 'integer' }, code: { type: 'string' } }),
      rec('t', { id: 1, code: 'a' }),
    ]);
    await assert.rejects(
      load('kc', [schemaMsg('t', { id: { type: 'integer' }, code: { type: 'string' } }, ['code'])]),
      /test\.ndjson:1: stream "t": key_properties changed to \["code"\] but table "kc"\."t" has PRIMARY KEY \(id\): restore/,
    );
    const r = await db().client.query('SELECT count(*)::int AS n FROM kc.t');
    assert.equal(r.rows[0].n, 1);
  });

  it('names the input line and field of a value PostgreSQL refuses, and emits no state past it', async () => {
    const states: unknown[] = [];
    await assert.rejects(
      runTarget({
        config: toTargetConfig({
          database_url: db().url,
          default_target_schema: 'bad',
          validate_records: false,
        }),
        messages: placed([
          schemaMsg('t', { id: { type: 'integer' }, d: { type: 'string', format: 'date' } }),
          rec('t', { id: 1, d: '2024-01-01' }),
          { type: 'STATE', value: 1 },
          rec('t', { id: 2, d: '2024-01-02' }),
          rec('t', { id: 3, d: 'not a date' }),
          { type: 'STATE', value: 2 },
        ]),
        emitState: async (v) => {
          states.push(v);
        },
        log: quiet,
      }),
      /test\.ndjson:5: stream "t", field "d": PostgreSQL cannot store the value \(invalid input syntax for type date: "not a date"; SQLSTATE 22007\)/,
    );
    assert.deepEqual(states, [1]);
    const r = await db().client.query('SELECT id FROM bad.t ORDER BY id');
    assert.deepEqual(r.rows, [{ id: '1' }]);
  });

  it('rejects a record that fails its schema, a record before its schema and a record without its key', async () => {
    const props = { id: { type: 'integer' }, amount: { type: 'string', format: 'singer.decimal' } };
    await assert.rejects(
      load('v1', [schemaMsg('t', props), rec('t', { id: 1, amount: '1,5' })]),
      /test\.ndjson:2: stream "t", field "amount": record does not match the schema/,
    );
    await assert.rejects(
      load('v2', [rec('t', { id: 1 })]),
      /test\.ndjson:1: RECORD of stream "t" arrived before its SCHEMA/,
    );
    await assert.rejects(
      load('v3', [schemaMsg('t', props), rec('t', { amount: '1' })], { validate_records: false }),
      /test\.ndjson:2: stream "t", field "id": record has no value for key property "id"/,
    );
  });

  it('prints a state only after every stream before it is committed, and identical states once', async () => {
    const { states } = await load('st', [
      schemaMsg('a', { id: { type: 'integer' } }),
      schemaMsg('b', { id: { type: 'integer' } }),
      rec('a', { id: 1 }),
      { type: 'STATE', value: { p: 1 } },
      { type: 'STATE', value: { p: 1 } },
      rec('b', { id: 1 }),
      rec('a', { id: 2 }),
      { type: 'STATE', value: { p: 2 } },
    ]);
    assert.deepEqual(states, [{ p: 1 }, { p: 2 }]);
  });

  it('handles ACTIVATE_VERSION: rows of older versions go after the new version is loaded', async () => {
    const props = { id: { type: 'integer' }, v: { type: 'string' } };
    await load('av', [schemaMsg('t', props), rec('t', { id: 1, v: 'old' }), rec('t', { id: 2, v: 'old' })]);
    await load('av', [
      schemaMsg('t', props),
      { type: 'ACTIVATE_VERSION', stream: 't', version: 10 },
      rec('t', { id: 2, v: 'new' }, { version: 10 }),
      rec('t', { id: 3, v: 'new' }, { version: 10 }),
      { type: 'ACTIVATE_VERSION', stream: 't', version: 10 },
    ]);
    const r = await db().client.query('SELECT id, v, _sdc_table_version::int AS tv FROM av.t ORDER BY id');
    assert.deepEqual(r.rows, [
      { id: '2', v: 'new', tv: 10 },
      { id: '3', v: 'new', tv: 10 },
    ]);
  });

  it('flags instead of deleting with hard_delete off', async () => {
    const props = { id: { type: 'integer' } };
    await load('sd', [schemaMsg('t', props), rec('t', { id: 1 }), rec('t', { id: 2 })], {
      hard_delete: false,
    });
    const { summary } = await load(
      'sd',
      [schemaMsg('t', props), rec('t', { id: 1, _sdc_deleted_at: '2024-05-01T00:00:00Z' })],
      { hard_delete: false },
    );
    assert.equal(summary.streams.t!.deleted, 1);
    const r = await db().client.query('SELECT id, _sdc_deleted_at::text AS d FROM sd.t ORDER BY id');
    assert.deepEqual(r.rows, [
      { id: '1', d: '2024-05-01 00:00:00+00' },
      { id: '2', d: null },
    ]);
  });

  it('switches from direct COPY to staging on a repeated key or a delete in the same batch', async () => {
    const props = { id: { type: 'integer' }, v: { type: 'string' } };
    const { summary } = await load('sw', [
      schemaMsg('t', props),
      rec('t', { id: 9, _sdc_deleted_at: '2024-01-01T00:00:00Z' }),
      rec('t', { id: 1, v: 'a' }),
      rec('t', { id: 2, v: 'b' }),
      rec('t', { id: 1, v: 'a2' }),
      rec('t', { id: 2, _sdc_deleted_at: '2024-01-01T00:00:00Z' }),
      rec('t', { id: 3, v: 'c' }),
    ]);
    assert.equal(summary.streams.t!.deleted, 1);
    const r = await db().client.query('SELECT id, v FROM sw.t ORDER BY id');
    assert.deepEqual(r.rows, [
      { id: '1', v: 'a2' },
      { id: '3', v: 'c' },
    ]);
  });

  it('removes NUL characters, loads hostile names and flattens when asked', async () => {
    const name = `we"ird; name-${'x'.repeat(80)}`;
    const { summary } = await load(
      'hn',
      [
        schemaMsg(
          name,
          {
            'Id Col': { type: 'integer' },
            addr: { type: 'object', properties: { city: { type: 'string' } } },
          },
          ['Id Col'],
        ),
        rec(name, { 'Id Col': 1, addr: { city: 'Pa\u0000ris' } }),
      ],
      { flattening_enabled: true },
    );
    assert.equal(summary.nulRemoved, 1);
    const t = await db().client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'hn'`,
    );
    assert.equal(t.rows.length, 1);
    const table = t.rows[0].table_name as string;
    assert.match(table, /^we"ird; name-x+_[0-9a-f]{8}$/);
    const r = await db().client.query(
      `SELECT "Id Col" AS id, addr__city FROM hn."${table.replace(/"/g, '""')}"`,
    );
    assert.deepEqual(r.rows, [{ id: '1', addr__city: 'Paris' }]);
  });

  it('commits on the max_batch_age_seconds timer while the input is idle', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const messages = (async function* () {
      for await (const m of placed([schemaMsg('t', { id: { type: 'integer' } }), rec('t', { id: 1 })]))
        yield m;
      await gate; // the tap is slow: only the timer can commit now
    })();
    const run = runTarget({
      config: toTargetConfig({
        database_url: db().url,
        default_target_schema: 'tm',
        max_batch_age_seconds: 0.2,
      }),
      messages,
      emitState: async () => {},
      log: quiet,
    });
    let seen = 0;
    for (let i = 0; i < 40 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await db().client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'tm'`);
      if (r.rows[0].n === 1)
        seen = (await db().client.query('SELECT count(*)::int AS n FROM tm.t')).rows[0].n;
    }
    assert.equal(seen, 1, 'the record is committed before the input ends');
    release();
    await run;
  });
  it('gives the same table as a one-batch load when small batches overlap their commits', async () => {
    // ids ascend, repeat across batches, get deleted, come back: every path between direct COPY,
    // background commit and staging merge is crossed with batch_size_rows 3.
    const ops: [number, string | null][] = [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
      [2, 'b2'],
      [5, 'e'],
      [6, null],
      [7, 'g'],
      [8, 'h'],
      [9, 'i'],
      [1, null],
      [10, 'j'],
      [11, 'k'],
      [3, 'c2'],
      [12, 'l'],
      [1, 'a3'],
      [13, 'm'],
      [14, 'n'],
    ];
    for (const keyType of ['integer', 'string'] as const) {
      const stream = `ov_${keyType}`;
      const key = (id: number) => (keyType === 'integer' ? id : `k${String(id).padStart(3, '0')}`);
      const lines: unknown[] = [
        schemaMsg(stream, { id: { type: keyType }, v: { type: ['string', 'null'] } }),
      ];
      const expected = new Map<string, string>();
      for (const [id, v] of ops) {
        if (v === null) {
          lines.push(rec(stream, { id: key(id), _sdc_deleted_at: '2024-01-01T00:00:00Z' }));
          expected.delete(String(key(id)));
        } else {
          lines.push(rec(stream, { id: key(id), v }));
          expected.set(String(key(id)), v);
        }
      }
      await load('ov', lines, { batch_size_rows: 3 });
      const r = await db().client.query(`SELECT id::text AS id, v FROM ov."${stream}"`);
      const got = new Map(r.rows.map((x) => [x.id as string, x.v as string]));
      assert.deepEqual([...got].sort(), [...expected].sort(), `${keyType} keys`);
    }
  });
  it('prints every state of a chatty tap, in order, after its records are committed', async () => {
    const lines: unknown[] = [schemaMsg('t', { id: { type: 'integer' } })];
    for (let i = 1; i <= 50; i++) lines.push(rec('t', { id: i }), { type: 'STATE', value: { i } });
    const { states } = await load('ch', lines);
    assert.deepEqual(
      states,
      Array.from({ length: 50 }, (_, k) => ({ i: k + 1 })),
    );
    const r = await db().client.query('SELECT count(*)::int AS n FROM ch.t');
    assert.equal(r.rows[0].n, 50);
  });
  it('loads interleaved streams correctly with a single connection allowed', async () => {
    const lines: unknown[] = ['a', 'b', 'c'].map((st) =>
      schemaMsg(st, { id: { type: 'integer' }, v: { type: 'string' } }),
    );
    for (let i = 1; i <= 30; i++) {
      const st = ['a', 'b', 'c'][i % 3]!;
      lines.push(rec(st, { id: i % 7, v: `v${i}` }));
      if (i % 10 === 0) lines.push({ type: 'STATE', value: i });
    }
    const { states } = await load('pool', lines, { max_parallelism: 1, batch_size_rows: 4 });
    assert.deepEqual(states, [10, 20, 30]);
    for (const st of ['a', 'b', 'c']) {
      const expected = new Map<number, string>();
      for (let i = 1; i <= 30; i++) if (['a', 'b', 'c'][i % 3] === st) expected.set(i % 7, `v${i}`);
      const r = await db().client.query(`SELECT id::int AS id, v FROM pool.${st} ORDER BY id`);
      assert.deepEqual(
        r.rows.map((x) => [x.id, x.v]),
        [...expected].sort((x, y) => x[0] - y[0]),
        `stream ${st}`,
      );
    }
  });
});
