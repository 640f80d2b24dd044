import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, isTransientNetworkError, neverReachedServer, parseRetryAfterMs } from './retry.js';

describe('backoffDelayMs', () => {
  const opts = { baseDelayMs: 500, maxDelayMs: 8000 };
  it('doubles the ceiling on each attempt up to the maximum (full jitter below it)', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, opts, () => 1)),
      [500, 1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.equal(
      backoffDelayMs(4, opts, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(3, opts, () => 0.5),
      1000,
    );
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-02-06T12:00:00Z');
  it('reads delta seconds, decimals included', () => {
    assert.equal(parseRetryAfterMs('2', now), 2000);
    assert.equal(parseRetryAfterMs(' 0.5 ', now), 500);
  });
  it('reads an HTTP date against the given clock, never negative', () => {
    assert.equal(parseRetryAfterMs('Fri, 06 Feb 2026 12:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfterMs('Fri, 06 Feb 2026 11:00:00 GMT', now), 0);
  });
  it('returns undefined for an absent or unreadable value', () => {
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    assert.equal(parseRetryAfterMs('soon', now), undefined);
    assert.equal(parseRetryAfterMs('', now), undefined);
  });
});

describe('network error classification', () => {
  const wrapped = (code: string) =>
    new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code }) });
  it('sees a refused connection through the cause chain as never sent', () => {
    assert.equal(neverReachedServer(wrapped('ECONNREFUSED')), true);
    assert.equal(isTransientNetworkError(wrapped('ECONNREFUSED')), true);
  });
  it('treats a reset as transient but possibly received', () => {
    assert.equal(neverReachedServer(wrapped('ECONNRESET')), false);
    assert.equal(isTransientNetworkError(wrapped('ECONNRESET')), true);
  });
  it('does not retry programming errors', () => {
    assert.equal(isTransientNetworkError(new TypeError('x is not a function')), false);
  });
});
