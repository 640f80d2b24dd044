import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJsonLossless } from '../../singer/src/json-lossless.js';
import { createLogger } from '../../singer/src/log.js';
import { toSingerMessage } from '../../singer/src/messages.js';
import type { PlacedMessage } from '../../singer/src/reader.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { toTargetConfig } from './config.js';
import { runTarget } from './target.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('tp');
});
after(async () => {
  await db?.drop();
});

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
    config: toTargetConfig({ database_url: db.url, default_target_schema: schema, ...extra }),
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
    const r = await db.client.query('SELECT id, name, amount::text FROM s1."Invoices-Éé" ORDER BY id');
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
    const r2 = await db.client.query('SELECT id, name FROM s1."Invoices-Éé" ORDER BY id');
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
    const r = await db.client.query('SELECT v::text, j::text FROM s2.n');
    assert.equal(r.rows[0].v, '12345678901234567890.123456789');
    assert.equal(r.rows[0].j, '{"x": 12345678901234567890.123456789}');
  });
});
