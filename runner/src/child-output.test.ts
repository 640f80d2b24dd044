import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorLine, LastLines, parseTargetSummary, totals } from './child-output.js';

describe('child output', () => {
  it("reads target-postgres's summary line, with or without a log prefix", () => {
    const json = '{"streams":{"customers":{"inserted":3,"updated":1,"deleted":0}},"seconds":1.5}';
    assert.deepEqual(parseTargetSummary(`target-postgres: summary ${json}`), JSON.parse(json));
    assert.deepEqual(
      parseTargetSummary(`2026-11-27T10:00:00Z INFO target-postgres: summary ${json}`),
      JSON.parse(json),
    );
    assert.equal(parseTargetSummary('target-postgres: summary {not json'), undefined);
    assert.equal(parseTargetSummary('tap-pennylane: 15/15 streams ok'), undefined);
  });

  it("picks the program's own error line, else its last non-empty line", () => {
    const lines = [
      'INFO customers: ok',
      'tap-pennylane: error: 401 on /me: check PENNYLANE_API_TOKEN',
      'later noise',
    ];
    assert.equal(
      errorLine('tap-pennylane', lines),
      'tap-pennylane: error: 401 on /me: check PENNYLANE_API_TOKEN',
    );
    assert.equal(errorLine('target-postgres', ['Segmentation fault', '']), 'Segmentation fault');
    assert.equal(errorLine('target-postgres', []), undefined);
  });

  it('keeps only the last lines and sums rows per stream', () => {
    const last = new LastLines(2);
    for (const l of ['a', 'b', 'c']) last.push(l);
    assert.deepEqual(last.lines, ['b', 'c']);
    assert.deepEqual(
      totals({ a: { inserted: 1, updated: 2, deleted: 3 }, b: { inserted: 10, updated: 0, deleted: 1 } }),
      { inserted: 11, updated: 2, deleted: 4 },
    );
  });
});
