import type { RateLimit } from '../types.js';

export type RateDecision = {
  allowed: boolean;
  headers: Record<string, string>;
  /** Whole seconds until the window resets (for retry-after and the 429 text). */
  retryAfterSeconds: number;
};

/**
 * Pennylane's limit: N requests per window per token, with `ratelimit-limit/remaining/reset` on every
 * response (reset as Unix epoch seconds). Fixed windows starting at a token's first request: a client
 * that never sends more than N requests in any sliding window never sees a 429.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(public limit: RateLimit | false) {}

  set(limit: RateLimit | false): void {
    this.limit = limit;
    this.windows.clear();
  }

  check(token: string, nowMs: number): RateDecision | undefined {
    const limit = this.limit;
    if (!limit) return undefined;
    let window = this.windows.get(token);
    if (!window || nowMs >= window.start + limit.windowMs) {
      window = { start: nowMs, count: 0 };
      this.windows.set(token, window);
    }
    const resetMs = window.start + limit.windowMs;
    const allowed = window.count < limit.requests;
    if (allowed) window.count++;
    return {
      allowed,
      retryAfterSeconds: Math.max(1, Math.ceil((resetMs - nowMs) / 1000)),
      headers: {
        'ratelimit-limit': String(limit.requests),
        'ratelimit-remaining': String(limit.requests - window.count),
        'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
      },
    };
  }
}
