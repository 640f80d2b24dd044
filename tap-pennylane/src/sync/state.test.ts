import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseState, readChangelogBookmark, readExportBookmark, StateError, StateStore } from './state.js';

describe('parseState', () => {
  it('accepts no state, an empty object and a bookmarks object, keeping unknown streams', () => {
    assert.deepEqual(parseState(undefined), { bookmarks: {} });
    assert.deepEqual(parseState({}), { bookmarks: {} });
    const state = parseState({ bookmarks: { gone_stream: { x: 1 } } });
    assert.deepEqual(state.bookmarks, { gone_stream: { x: 1 } });
  });

  it('names the source and the expected shape of a bad state', () => {
    assert.throws(
      () => parseState([1], 'state.json'),
      (e: unknown) => e instanceof StateError && /^state\.json: /.test((e as Error).message),
    );
    assert.throws(() => parseState({ bookmarks: 3 }, 'state.json'), /"bookmarks" must be an object/);
  });
});

describe('StateStore', () => {
  it('hands out snapshots that later changes do not alter', () => {
    const store = new StateStore(parseState(undefined));
    store.set('customers', { changelog_at: '2026-11-01T00:00:00Z', version: 1 });
    const snap = store.snapshot();
    store.set('customers', { changelog_at: '2026-11-02T00:00:00Z', version: 1 });
    assert.equal((snap.bookmarks.customers as { changelog_at: string }).changelog_at, '2026-11-01T00:00:00Z');
  });
});

describe('bookmark readers', () => {
  it('treat a bookmark without a valid changelog_at as no bookmark, with the reason', () => {
    assert.equal(typeof readChangelogBookmark({ changelog_at: 'yesterday' }), 'string');
    assert.deepEqual(readChangelogBookmark({ changelog_at: '2026-11-01T00:00:00Z', version: 5 }), {
      changelog_at: '2026-11-01T00:00:00Z',
      version: 5,
    });
  });

  it('drop export years without a row count', () => {
    const b = readExportBookmark({
      years: { 1: { last_row: 3, rows: 2, exported_at: '2026-11-01T00:00:00Z' }, 2: {} },
    });
    assert.deepEqual(Object.keys(b.years), ['1']);
  });
});
