import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNextRuns, nextRunAt, nextSlot, validateSchedule } from './schedule.js';

const PARIS = 'Europe/Paris';
const iso = (d: Date) => d.toISOString();

/** The n next runs after `from`, each computed from the previous one as the scheduler does. */
function runs(pattern: string, from: string, n: number): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    at = nextRunAt(pattern, PARIS, at);
    out.push(iso(at));
  }
  return out;
}

describe('nextRunAt in Europe/Paris', () => {
  it('runs the 03:00 full reload at 03:00 Paris time in winter and in summer, not 03:00 UTC', () => {
    assert.deepEqual(runs('0 3 * * *', '2026-01-15T12:00:00Z', 1), ['2026-01-16T02:00:00.000Z']);
    assert.deepEqual(runs('0 3 * * *', '2026-07-15T12:00:00Z', 1), ['2026-07-16T01:00:00.000Z']);
  });

  it('runs 03:00 once on the spring-forward day (29 March 2026), when 03:00 CEST follows 01:59 CET', () => {
    assert.deepEqual(runs('0 3 * * *', '2026-03-28T12:00:00Z', 3), [
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T01:00:00.000Z',
      '2026-03-31T01:00:00.000Z',
    ]);
  });

  it('runs 03:00 once on the autumn day (25 October 2026), after the repeated hour', () => {
    assert.deepEqual(runs('0 3 * * *', '2026-10-24T12:00:00Z', 2), [
      '2026-10-25T02:00:00.000Z',
      '2026-10-26T02:00:00.000Z',
    ]);
  });

  it('moves a slot that falls in the skipped hour to just after the gap (02:00 → 03:00 CEST)', () => {
    // 00:00 CET, 02:00 (does not exist) → 03:00 CEST, 04:00 CEST, 06:00 CEST
    assert.deepEqual(runs('0 */2 * * *', '2026-03-28T22:30:00Z', 4), [
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
    ]);
    assert.deepEqual(runs('30 2 * * *', '2026-03-28T12:00:00Z', 2), [
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('runs a slot in the repeated autumn hour once, at its first occurrence', () => {
    // 00:00 CEST, 02:00 CEST (02:00 CET is the same wall-clock slot: skipped), 04:00 CET, 06:00 CET
    assert.deepEqual(runs('0 */2 * * *', '2026-10-24T21:30:00Z', 4), [
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
      '2026-10-25T05:00:00.000Z',
    ]);
    // Asked from inside the second pass of the hour, a 02:30 slot already ran: the next is tomorrow.
    assert.deepEqual(runs('30 2 * * *', '2026-10-25T01:10:00Z', 1), ['2026-10-26T01:30:00.000Z']);
  });

  it('keeps every-2-hours slots exactly 2 hours apart away from the changes', () => {
    const out = runs('0 */2 * * *', '2026-06-01T00:30:00Z', 12).map((s) => Date.parse(s));
    for (let i = 1; i < out.length; i++) assert.equal(out[i]! - out[i - 1]!, 2 * 3600_000);
  });
});

describe('nextSlot', () => {
  const schedule = { incremental: '0 */2 * * *', full: '0 3 * * *', timeZone: PARIS };

  it('alternates incremental slots with the daily full reload', () => {
    assert.deepEqual(nextSlot(schedule, new Date('2026-01-15T00:30:00Z')), {
      at: new Date('2026-01-15T01:00:00Z'),
      mode: 'incremental',
    });
    assert.deepEqual(nextSlot(schedule, new Date('2026-01-15T01:00:00Z')), {
      at: new Date('2026-01-15T02:00:00Z'),
      mode: 'full',
    });
  });

  it('gives a full run precedence over an incremental one due at the same time', () => {
    const same = { ...schedule, full: '0 4 * * *' };
    assert.deepEqual(nextSlot(same, new Date('2026-01-15T02:30:00Z')), {
      at: new Date('2026-01-15T03:00:00Z'),
      mode: 'full',
    });
  });
});

describe('validateSchedule', () => {
  const names = { incremental: 'INC', full: 'FULL', timeZone: 'TZ' };
  it('names the variable holding a bad cron expression or time zone', () => {
    assert.throws(
      () => validateSchedule({ incremental: 'every 2 hours', full: '0 3 * * *', timeZone: PARIS }, names),
      /INC="every 2 hours" is not a cron expression/,
    );
    assert.throws(
      () => validateSchedule({ incremental: '0 */2 * * *', full: '0 3 * * *', timeZone: 'Paris' }, names),
      /TZ="Paris" is not a time zone/,
    );
    validateSchedule({ incremental: '0 */2 * * *', full: '0 3 * * *', timeZone: PARIS }, names);
  });
});

describe('describeNextRuns', () => {
  const schedule = { incremental: '0 */2 * * *', full: '0 3 * * *', timeZone: PARIS };
  it('names the next incremental sync and the next full reload in Paris time, with the zone', () => {
    assert.equal(
      describeNextRuns(schedule, new Date('2026-11-27T12:30:00Z')),
      'next incremental sync Fri, 27 Nov 2026, 14:00 CET, next full reload Sat, 28 Nov 2026, 03:00 CET (Europe/Paris)',
    );
    assert.equal(
      describeNextRuns(schedule, new Date('2026-07-01T00:30:00Z')),
      'next incremental sync Wed, 1 Jul 2026, 04:00 CEST, next full reload Wed, 1 Jul 2026, 03:00 CEST (Europe/Paris)',
    );
  });

  it('skips an incremental slot that the full reload takes over', () => {
    assert.match(
      describeNextRuns({ ...schedule, full: '0 4 * * *' }, new Date('2026-11-27T02:30:00Z')),
      /^next incremental sync Fri, 27 Nov 2026, 06:00 CET, next full reload Fri, 27 Nov 2026, 04:00 CET/,
    );
  });
});
