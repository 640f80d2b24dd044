import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointDue, inPool } from './invoice-lines.js';
import { formatEta, readLinesBookmark } from './lines-state.js';

describe('invoice lines: bookmark, checkpoints, ETA, pool', () => {
  it('reads a complete bookmark, a pass in progress, and says why it cannot use a broken one', () => {
    const complete = { changelog_at: '2026-12-01T10:00:00Z', version: 5, lines: '1:2' };
    assert.deepEqual(readLinesBookmark(complete).complete, complete);
    const pass = { version: 9, started_at: '2026-12-01T10:00:00Z', after_id: 42, done: 100, lines: '' };
    assert.deepEqual(readLinesBookmark({ pass }).pass, pass);
    assert.equal(readLinesBookmark(undefined).reason, 'no bookmark');
    assert.match(readLinesBookmark({ pass: { version: 1 } }).reason, /unusable "pass"/);
    assert.match(readLinesBookmark({ changelog_at: 'x', version: 1 }).reason, /without "changelog_at"/);
  });

  it('saves a pass every 100 invoices at first, then every 2 % of the work done', () => {
    assert.equal(checkpointDue(99, 99), false);
    assert.equal(checkpointDue(100, 100), true);
    assert.equal(checkpointDue(100, 10_000), false);
    assert.equal(checkpointDue(200, 10_000), true);
  });

  it('estimates what is left from the id spacing and this run’s pace', () => {
    // 1,000 invoices in 200 s, ids 10 apart, 90,000 ids ahead: 9,000 left at 5 a second = 30 min.
    assert.equal(
      formatEta({ doneThisRun: 1000, seconds: 200, idsPerInvoice: 10, idsLeft: 90_000 }),
      ', ~9000 left, about 30 min to go',
    );
    assert.equal(formatEta({ doneThisRun: 1, seconds: 1, idsPerInvoice: 10, idsLeft: 50 }), '');
    assert.equal(
      formatEta({ doneThisRun: 50_000, seconds: 100, idsPerInvoice: 1, idsLeft: 40_000 }),
      ', ~40000 left, about 80 s to go',
    );
  });

  it('runs at most n at a time, and throws the first failure once the running ones settled', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await inPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 2));
      done.push(n);
      running--;
    });
    assert.equal(peak, 3);
    assert.equal(done.length, 7);
    const started: number[] = [];
    await assert.rejects(
      inPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 5));
      }),
      /boom/,
    );
    assert.ok(started.length < 6, 'no new start after the failure');
  });
});
