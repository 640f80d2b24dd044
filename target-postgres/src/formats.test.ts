import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDate } from './formats.js';

describe('the date format', () => {
  it('accepts full dates of days that exist, 29 February in leap years only', () => {
    for (const d of ['2026-01-31', '2024-02-29', '2000-02-29', '0001-12-31', '2026-04-30']) {
      assert.equal(isDate(d), true, d);
    }
  });

  it('refuses impossible days, partial or padded forms and non-digits', () => {
    for (const d of [
      '2026-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-1-05',
      '2026-01-05T00:00:00Z',
      ' 2026-01-05',
      '2026/01/05',
      '2O26-01-05',
      '２０２６-01-05',
      '',
    ]) {
      assert.equal(isDate(d), false, d);
    }
  });
});
