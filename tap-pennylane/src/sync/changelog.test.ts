import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collapseEvents, compareInstants } from './changelog.js';
import { canRefresh, referencedId } from './full-table.js';

describe('collapseEvents', () => {
  it('keeps the last operation per id, by processed_at, even when an overlap repeats events', () => {
    const at = (s: number) => `2026-11-01T10:00:${String(s).padStart(2, '0')}.000001Z`;
    const changes = collapseEvents([
      { id: 1, operation: 'insert', processed_at: at(1), updated_at: at(1), created_at: at(1) },
      { id: 2, operation: 'insert', processed_at: at(2), updated_at: at(2), created_at: at(2) },
      { id: 1, operation: 'update', processed_at: at(3), updated_at: at(3), created_at: at(1) },
      { id: 2, operation: 'delete', processed_at: at(4), updated_at: at(4), created_at: at(2) },
      // the overlap of the next read brings an older event again: it must not win
      { id: 1, operation: 'insert', processed_at: at(1), updated_at: at(1), created_at: at(1) },
    ]);
    assert.deepEqual(Object.fromEntries(changes), {
      1: { operation: 'update', processed_at: at(3) },
      2: { operation: 'delete', processed_at: at(4) },
    });
  });
});

describe('compareInstants', () => {
  it('orders by time first and by microseconds when the milliseconds are equal', () => {
    assert.ok(compareInstants('2026-11-01T10:00:00.000002Z', '2026-11-01T10:00:00.000001Z') > 0);
    assert.ok(compareInstants('2026-11-01T11:00:00Z', '2026-11-01T12:00:00+02:00') > 0);
    assert.equal(compareInstants('2026-11-01T10:00:00.5Z', '2026-11-01T10:00:00.5Z'), 0);
  });
});

describe('ledger_entries refresh from the line events', () => {
  it('reads the entry id from a {id} reference or a plain id field', () => {
    assert.equal(referencedId({ id: 7, ledger_entry: { id: 42 } }, 'ledger_entry'), 42);
    assert.equal(referencedId({ id: 7, ledger_entry_id: 43 }, 'ledger_entry_id'), 43);
    assert.equal(referencedId({ id: 7, ledger_entry: null }, 'ledger_entry'), undefined);
  });

  it('is incremental only when the lines changelog was read from no later than the table was complete', () => {
    const prior = { version: 1, complete_at: '2026-11-01T10:00:00Z' };
    const feed = (readFrom: string) => ({
      mode: 'incremental' as const,
      readFrom,
      through: '2026-11-02T00:00:00Z',
    });
    assert.equal(canRefresh(prior, feed('2026-11-01T09:55:00Z')), true);
    assert.equal(canRefresh(prior, feed('2026-11-01T10:00:01Z')), false);
    assert.equal(canRefresh(prior, { mode: 'full', through: '2026-11-02T00:00:00Z' }), false);
    assert.equal(canRefresh({ version: 1 }, feed('2026-11-01T09:55:00Z')), false);
    assert.equal(canRefresh(undefined, feed('2026-11-01T09:55:00Z')), false);
  });
});
