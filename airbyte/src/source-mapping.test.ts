import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogEntry, SingerCatalog } from '../../singer/src/catalog.js';
import { isSelected } from '../../singer/src/catalog.js';
import {
  AirbyteStateError,
  airbyteJsonSchema,
  CdcCursor,
  recordToAirbyte,
  type SentStates,
  selectionFromConfigured,
  stateFromAirbyte,
  stateToAirbyte,
  toAirbyteStream,
  withoutBookmarks,
} from './source-mapping.js';

describe('recordToAirbyte', () => {
  test('a record becomes an Airbyte RECORD with emitted_at in epoch milliseconds and no Singer version', () => {
    const m = recordToAirbyte(
      { type: 'RECORD', stream: 'customers', record: { id: 1 }, version: 7 },
      1_700_000_000_123,
    );
    assert.deepEqual(m, {
      type: 'RECORD',
      record: { stream: 'customers', data: { id: 1 }, emitted_at: 1_700_000_000_123 },
    });
  });

  test('a delete keeps its instant under _ab_cdc_deleted_at instead of _sdc_deleted_at', () => {
    const m = recordToAirbyte(
      { type: 'RECORD', stream: 'customers', record: { id: 2, _sdc_deleted_at: '2026-11-01T00:00:00Z' } },
      1,
    );
    assert.deepEqual(m.type === 'RECORD' && m.record.data, {
      id: 2,
      _ab_cdc_deleted_at: '2026-11-01T00:00:00Z',
    });
  });

  test('the cursor, when given, is set as _ab_cdc_cursor', () => {
    const m = recordToAirbyte({ type: 'RECORD', stream: 's', record: { id: 1 } }, 5, 5000);
    assert.deepEqual(m.type === 'RECORD' && m.record.data, { id: 1, _ab_cdc_cursor: 5000 });
  });

  test('the synthetic cursor grows with every record, also within one millisecond and when the clock steps back', () => {
    const c = new CdcCursor();
    const values = [c.next(1000), c.next(1000), c.next(1000), c.next(999), c.next(2000)];
    assert.deepEqual(values, [1_000_000, 1_000_001, 1_000_002, 1_000_003, 2_000_000]);
    assert.ok(Number.isSafeInteger(new CdcCursor().next(Date.UTC(2200, 0, 1))));
  });

  test('a null _sdc_deleted_at is dropped rather than renamed', () => {
    const m = recordToAirbyte({ type: 'RECORD', stream: 's', record: { id: 3, _sdc_deleted_at: null } }, 1);
    assert.deepEqual(m.type === 'RECORD' && m.record.data, { id: 3 });
  });
});

describe('stateToAirbyte', () => {
  test('one STREAM state per stream, then only for the streams whose bookmark moved', () => {
    const sent: SentStates = new Map();
    const first = stateToAirbyte({ bookmarks: { a: { at: 1 }, b: { at: 1 } } }, sent);
    assert.deepEqual(
      first.map((m) => m.type === 'STATE' && m.state.stream?.stream_descriptor.name),
      ['a', 'b'],
    );
    const second = stateToAirbyte({ bookmarks: { a: { at: 1 }, b: { at: 2 } } }, sent);
    assert.deepEqual(second, [
      {
        type: 'STATE',
        state: { type: 'STREAM', stream: { stream_descriptor: { name: 'b' }, stream_state: { at: 2 } } },
      },
    ]);
    assert.deepEqual(stateToAirbyte({ bookmarks: { a: { at: 1 }, b: { at: 2 } } }, sent), []);
  });

  test('streams outside `only` get no STATE', () => {
    const out = stateToAirbyte({ bookmarks: { a: { x: 1 }, b: { x: 1 } } }, new Map(), new Set(['b']));
    assert.equal(out.length, 1);
  });

  test('a state that is not per-stream bookmarks is sent whole as LEGACY', () => {
    assert.deepEqual(stateToAirbyte({ cursor: 5 }, new Map()), [
      { type: 'STATE', state: { type: 'LEGACY', data: { cursor: 5 } } },
    ]);
  });
});

describe('stateFromAirbyte', () => {
  const stream = (name: string, stream_state: unknown) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name }, stream_state },
  });

  test('an array of STREAM states becomes the bookmarks of the tap', () => {
    assert.deepEqual(stateFromAirbyte([stream('a', { at: 1 }), stream('b', { at: 2 })]), {
      bookmarks: { a: { at: 1 }, b: { at: 2 } },
    });
  });

  test('whole AirbyteMessages, GLOBAL states, LEGACY data and a bare Singer state are read too', () => {
    assert.deepEqual(stateFromAirbyte([{ type: 'STATE', state: stream('a', { at: 1 }) }]), {
      bookmarks: { a: { at: 1 } },
    });
    assert.deepEqual(
      stateFromAirbyte({ type: 'GLOBAL', global: { stream_states: [stream('g', { at: 3 }).stream] } }),
      { bookmarks: { g: { at: 3 } } },
    );
    assert.deepEqual(stateFromAirbyte({ type: 'LEGACY', data: { bookmarks: { l: { at: 4 } } } }), {
      bookmarks: { l: { at: 4 } },
    });
    assert.deepEqual(stateFromAirbyte({ data: { bookmarks: { l: { at: 4 } } } }), {
      bookmarks: { l: { at: 4 } },
    });
    assert.deepEqual(stateFromAirbyte({ bookmarks: { s: { at: 5 } } }), { bookmarks: { s: { at: 5 } } });
  });

  test('no state, an empty array and a null stream_state mean no bookmark', () => {
    assert.equal(stateFromAirbyte(undefined), undefined);
    assert.equal(stateFromAirbyte([]), undefined);
    assert.deepEqual(stateFromAirbyte([stream('a', null)]), { bookmarks: {} });
  });

  test('a malformed state is refused with its position', () => {
    assert.throws(() => stateFromAirbyte([stream('a', {}), 'x'], 'state.json'), AirbyteStateError);
    assert.throws(() => stateFromAirbyte([{ type: 'STREAM', stream: {} }], 'state.json'), /state\.json\[0\]/);
    assert.throws(() => stateFromAirbyte({ type: 'OTHER' }), /unknown state type "OTHER"/);
  });

  test('withoutBookmarks drops the named streams only', () => {
    assert.deepEqual(withoutBookmarks({ bookmarks: { a: 1, b: 2 }, other: true }, ['a']), {
      bookmarks: { b: 2 },
      other: true,
    });
    assert.equal(withoutBookmarks(undefined, ['a']), undefined);
  });
});

const entry = (name: string, properties: string[], key = ['id']): CatalogEntry => ({
  tap_stream_id: name,
  stream: name,
  key_properties: key,
  schema: {
    type: 'object',
    properties: Object.fromEntries(properties.map((p) => [p, { type: ['null', 'string'] }])),
  },
  metadata: [
    { breadcrumb: [], metadata: { inclusion: 'available', 'selected-by-default': true } },
    ...properties.map((p) => ({
      breadcrumb: ['properties', p],
      metadata: {
        inclusion: key.includes(p) || p === '_sdc_deleted_at' ? 'automatic' : 'available',
      } as const,
    })),
  ],
});

describe('toAirbyteStream and airbyteJsonSchema', () => {
  test('an incremental stream offers both sync modes, a source-defined cursor and its key as paths', () => {
    const s = toAirbyteStream(entry('customers', ['id', 'updated_at', '_sdc_deleted_at']), {
      incremental: true,
      deletes: true,
    });
    assert.deepEqual(s.supported_sync_modes, ['full_refresh', 'incremental']);
    assert.equal(s.source_defined_cursor, true);
    assert.deepEqual(s.default_cursor_field, ['_ab_cdc_cursor']);
    assert.deepEqual(s.source_defined_primary_key, [['id']]);
    assert.deepEqual(Object.keys(s.json_schema.properties!), [
      'id',
      'updated_at',
      '_ab_cdc_deleted_at',
      '_ab_cdc_cursor',
    ]);
    assert.equal(s.json_schema.properties!._ab_cdc_cursor!.type, 'integer');
    assert.deepEqual(s.json_schema.properties!._ab_cdc_deleted_at!.type, ['null', 'string']);
  });

  test('a full-table stream offers full_refresh only, with no cursor', () => {
    const s = toAirbyteStream(entry('journals', ['id', 'code']), { incremental: false, deletes: false });
    assert.deepEqual(s.supported_sync_modes, ['full_refresh']);
    assert.equal(s.source_defined_cursor, false);
    assert.deepEqual(s.default_cursor_field, []);
    assert.equal(s.json_schema.properties!._ab_cdc_deleted_at, undefined);
  });

  test('the delete field is added to a stream that emits deletes even when its schema lacks the marker', () => {
    const schema = airbyteJsonSchema({ type: 'object', properties: { id: { type: 'integer' } } }, true);
    assert.ok(schema.properties!._ab_cdc_deleted_at);
  });
});

describe('selectionFromConfigured', () => {
  const discovered: SingerCatalog = {
    streams: [
      entry('customers', ['id', 'name', 'email', '_sdc_deleted_at']),
      entry('journals', ['id', 'code']),
    ],
  };

  test('only configured streams are selected, and within them only the fields of the configured json_schema', () => {
    const sel = selectionFromConfigured(discovered, {
      streams: [
        {
          stream: {
            name: 'customers',
            json_schema: { properties: { id: {}, name: {}, _ab_cdc_deleted_at: {} } },
            supported_sync_modes: ['incremental'],
          },
          sync_mode: 'incremental',
          destination_sync_mode: 'append_dedup',
        },
        {
          stream: { name: 'unknown_stream', json_schema: {}, supported_sync_modes: ['full_refresh'] },
          sync_mode: 'full_refresh',
          destination_sync_mode: 'append',
        },
      ],
    });
    const [customers, journals] = sel.catalog.streams;
    assert.equal(isSelected(customers!), true);
    assert.equal(isSelected(journals!), false);
    assert.equal(isSelected(customers!, ['properties', 'name']), true);
    assert.equal(isSelected(customers!, ['properties', 'email']), false);
    assert.equal(isSelected(customers!, ['properties', '_sdc_deleted_at']), true);
    assert.deepEqual([...sel.fullRefresh], ['unknown_stream']);
    assert.deepEqual(sel.unknown, ['unknown_stream']);
  });

  test('a configured schema without properties selects every field, and full_refresh streams are listed', () => {
    const sel = selectionFromConfigured(discovered, {
      streams: [
        {
          stream: { name: 'journals', json_schema: {}, supported_sync_modes: ['full_refresh'] },
          sync_mode: 'full_refresh',
          destination_sync_mode: 'overwrite',
        },
      ],
    });
    const journals = sel.catalog.streams[1]!;
    assert.equal(isSelected(journals, ['properties', 'code']), true);
    assert.deepEqual([...sel.fullRefresh], ['journals']);
  });
});
