import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportDue } from './export.js';
import type { YearExport } from './state.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const opts = { now: NOW, maxAgeHours: 24, fullRefresh: false, reexportClosed: false };
const year = (status: string) => ({ id: 1, start: '2025-01-01', finish: '2025-12-31', status });
const last = (status: string, hoursAgo: number): YearExport => ({
  export_id: 9,
  exported_at: new Date(NOW - hoursAgo * 3_600_000).toISOString(),
  period_start: '2025-01-01',
  period_end: '2025-12-31',
  status,
  rows: 10,
  last_row: 11,
});

describe('exportDue', () => {
  it('exports a year never exported, or whose last attempt failed half way', () => {
    assert.equal(exportDue(year('closed'), undefined, opts), true);
    assert.equal(exportDue(year('closed'), { ...last('closed', 1), exported_at: null }, opts), true);
  });

  it('exports a closed or frozen year once, even on full_refresh, unless re-export is asked', () => {
    assert.equal(exportDue(year('closed'), last('closed', 24 * 400), opts), false);
    assert.equal(exportDue(year('frozen'), last('closed', 24 * 400), { ...opts, fullRefresh: true }), false);
    assert.equal(exportDue(year('closed'), last('closed', 1), { ...opts, reexportClosed: true }), true);
  });

  it('exports a year again once when it was still open at its last export', () => {
    assert.equal(exportDue(year('closed'), last('open', 1), opts), true);
  });

  it('re-exports an open year only when its export is older than the maximum age, or on full_refresh', () => {
    assert.equal(exportDue(year('open'), last('open', 23), opts), false);
    assert.equal(exportDue(year('reopen'), last('open', 25), opts), true);
    assert.equal(exportDue(year('open'), last('open', 1), { ...opts, fullRefresh: true }), true);
  });

  it('exports again when the fiscal year changed its dates', () => {
    assert.equal(exportDue({ ...year('closed'), finish: '2026-03-31' }, last('closed', 1), opts), true);
  });
});
