import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FiscalYear } from './fiscal-years.js';
import { planYears } from './per-fiscal-year.js';
import type { FullTableBookmark } from './state.js';

const closed: FiscalYear = { id: 1, start: '2024-01-01', finish: '2024-12-31', status: 'closed' };
const open: FiscalYear = { id: 2, start: '2025-01-01', finish: '2025-12-31', status: 'open' };
const NOW = Date.parse('2026-12-01T12:00:00Z');
const opts = { now: NOW, maxAgeHours: 24, fullRefresh: false };
const prior: FullTableBookmark = {
  version: 1,
  complete_at: '2026-12-01T06:00:00.000Z',
  years: { 1: 'closed', 2: 'open' },
  accounts: { 2: ['401', '512'] },
};
const mode = (p: ReturnType<typeof planYears>) =>
  p.mode === 'full' ? `full: ${p.reason}` : `partial: ${p.years.map((y) => y.id).join(',')}`;

describe('planYears', () => {
  it('reads again only the open years when their accounts are known', () => {
    assert.equal(mode(planYears(prior, [closed, open], opts)), 'partial: 2');
  });

  it('makes a full pass when it could not delete what a re-read drops, or remove a year', () => {
    assert.equal(mode(planYears(undefined, [closed, open], opts)), 'full: first run');
    assert.match(
      mode(planYears({ ...prior, accounts: {} }, [closed, open], opts)),
      /accounts of fiscal year 2 in the table are not known/,
    );
    // a state from before account numbers were kept
    const { accounts: _, ...older } = prior;
    assert.match(mode(planYears(older, [closed, open], opts)), /^full: the accounts of fiscal year 2/);
    assert.match(mode(planYears(prior, [open], opts)), /^full: fiscal year 1 left the scope/);
    assert.match(
      mode(planYears(prior, [closed, open], { ...opts, fullRefresh: true })),
      /^full: full_refresh/,
    );
    assert.match(
      mode(planYears(prior, [closed, open], { ...opts, now: NOW + 24 * 3600_000 })),
      /older than full_listing_max_age_hours/,
    );
  });

  it('reads a year that just closed once more (its accounts are known), and a new year', () => {
    const justClosed = { ...open, status: 'closed' };
    const next: FiscalYear = { id: 3, start: '2026-01-01', finish: '2026-12-31', status: 'open' };
    assert.equal(mode(planYears(prior, [closed, justClosed, next], opts)), 'partial: 2,3');
  });

  it('makes a full pass for a settled year reopened after being read as settled (no accounts kept for it)', () => {
    const reopened = { ...closed, status: 'reopen' };
    assert.match(
      mode(planYears(prior, [reopened, open], opts)),
      /accounts of fiscal year 1 in the table are not known/,
    );
  });
});
