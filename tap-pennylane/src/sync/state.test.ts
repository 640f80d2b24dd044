import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  foreignBookmarks,
  parseState,
  readChangelogBookmark,
  readExportBookmark,
  readFullTableBookmark,
  StateError,
  StateStore,
} from './state.js';

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
      years: {
        1: { last_row: 3, rows: 2, exported_at: '2026-11-01T00:00:00Z' },
        2: {},
        3: { last_row: '12' },
        4: { last_row: -1 },
        5: { last_row: 2.5 },
        6: { last_row: 1e300 },
      },
    });
    assert.deepEqual(Object.keys(b.years), ['1']);
  });
});

describe('foreignBookmarks', () => {
  const all = ['customers', 'journals', 'trial_balance', 'fec'];
  const selected = [
    { name: 'customers', kind: 'changelog' },
    { name: 'journals', kind: 'full_table' },
    { name: 'trial_balance', kind: 'per_fiscal_year' },
    { name: 'fec', kind: 'export' },
  ];

  it("warns about another tap's state (SDK bookmarks, unknown streams) without stopping the run", () => {
    const sdk = parseState({
      currently_syncing: null,
      bookmarks: {
        orders: { replication_key: 'updated_at', replication_key_value: '2026-01-01' },
        customers: { replication_key: 'updated_at', replication_key_value: '2026-01-01' },
        journals: { version: '12' },
        trial_balance: [1, 2],
        fec: { last_row: 3 },
      },
    });
    const notes = foreignBookmarks(sdk, all, selected);
    assert.equal(notes.length, 5);
    assert.match(
      notes[0]!,
      /^state: bookmarks of streams tap-pennylane does not have \(orders\) are kept as they are and not used/,
    );
    assert.match(
      notes[1]!,
      /^state: the bookmark of customers is not one tap-pennylane writes \(bookmark without a valid "changelog_at"\): customers is read in full this run$/,
    );
    assert.match(notes[2]!, /journals .*no numeric "version"/);
    assert.match(notes[3]!, /trial_balance .*no numeric "version"/);
    assert.match(notes[4]!, /fec .*no "years" object/);
    const badYear = parseState({ bookmarks: { fec: { years: { 7: { last_row: 'x' } } } } });
    assert.match(
      foreignBookmarks(badYear, all, selected)[0]!,
      /the bookmark of fec is not one tap-pennylane writes \(fiscal year\(s\) 7 without a whole "last_row"/,
    );
  });

  it('says nothing about its own bookmarks, nor about unselected streams of its own', () => {
    const own = parseState({
      bookmarks: {
        customers: { changelog_at: '2026-11-01T00:00:00Z', version: 1 },
        journals: { version: 1 },
        fec: { years: {} },
        trial_balance: { version: 1, years: {} },
      },
    });
    assert.deepEqual(foreignBookmarks(own, all, selected), []);
    assert.deepEqual(foreignBookmarks(parseState({ bookmarks: { fec: 3 } }), all, selected.slice(0, 1)), []);
  });

  it('keeps only account lists of strings in a trial_balance bookmark (others force a full pass)', () => {
    const b = readFullTableBookmark({ version: 1, accounts: { 1: ['401', '512'], 2: ['401', 7], 3: 'x' } });
    assert.deepEqual(b?.accounts, { 1: ['401', '512'] });
  });
});
