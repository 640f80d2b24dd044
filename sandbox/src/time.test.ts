import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDay, formatTimestamp, parseDay, parseTimestamp } from './time.js';

describe('sandbox time formats', () => {
  it('formats instants as UTC with six fraction digits, and parses RFC 3339 back to microseconds', () => {
    const micros = Date.parse('2026-02-01T10:08:08.146Z') * 1000 + 343;
    assert.equal(formatTimestamp(micros), '2026-02-01T10:08:08.146343Z');
    assert.equal(parseTimestamp('2026-02-01T10:08:08.146343Z'), micros);
    assert.equal(parseTimestamp('2026-02-01T11:08:08.146343+01:00'), micros);
    assert.equal(parseTimestamp('2026-02-01T10:08:08Z'), Date.parse('2026-02-01T10:08:08Z') * 1000);
    for (const bad of ['2026-02-01', '2026-02-01 10:08', 'now', '2026-02-01T10:08:08'])
      assert.equal(parseTimestamp(bad), undefined, bad);
  });

  it('round-trips calendar dates and refuses impossible ones', () => {
    const d = parseDay('2024-02-29');
    assert.equal(typeof d, 'number');
    assert.equal(formatDay(d!), '2024-02-29');
    assert.equal(parseDay('2025-02-29'), undefined);
    assert.equal(parseDay('2025-2-1'), undefined);
  });
});
