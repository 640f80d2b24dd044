import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limiter.js';

describe('rate limiter', () => {
  it('counts per token in fixed windows and resets at the window end', () => {
    const limiter = new RateLimiter({ requests: 2, windowMs: 5_000 });
    const t0 = 1_770_379_505_200;
    assert.equal(limiter.check('a', t0)?.allowed, true);
    const second = limiter.check('a', t0 + 1_000)!;
    assert.deepEqual(second.headers, {
      'ratelimit-limit': '2',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '1770379511',
    });
    const third = limiter.check('a', t0 + 2_000)!;
    assert.equal(third.allowed, false);
    assert.equal(third.retryAfterSeconds, 3);
    assert.equal(limiter.check('a', t0 + 2_500)?.retryAfterSeconds, 3, '2.5 s left, rounded up');
    assert.equal(limiter.check('b', t0 + 2_000)?.allowed, true, 'another token has its own budget');
    assert.equal(limiter.check('a', t0 + 5_000)?.allowed, true);
  });

  it('never limits when turned off', () => {
    const limiter = new RateLimiter(false);
    assert.equal(limiter.check('a', 0), undefined);
    limiter.set({ requests: 1, windowMs: 1_000 });
    assert.equal(limiter.check('a', 0)?.allowed, true);
    assert.equal(limiter.check('a', 1)?.allowed, false);
  });
});
