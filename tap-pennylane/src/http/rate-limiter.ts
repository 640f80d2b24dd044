import { setTimeout as sleep } from 'node:timers/promises';

/**
 * ONE limiter per run, shared by every stream and export job, so that the token's budget (25 requests per
 * 5 s per token) is never exceeded however many streams run at once, and nearly all of it is used.
 *
 * Why it cannot 429 against a server enforcing the same window: the server counts a request when it
 * arrives, which is somewhere between the moment we send it and the moment its response headers come
 * back. So a request occupies one of the `requests` slots from its start until `end + windowMs + margin`,
 * where `end` is when its response (or failure) came back. A new request starts only when fewer than
 * `requests` slots are occupied; then any two requests the server sees `requests` apart arrived at least
 * `windowMs + margin` apart. This uses only durations on our own monotonic clock, so the clock skew
 * between us and the server does not matter; the cost is one round trip per window (a few % of the
 * budget), not a guess.
 *
 * The `ratelimit-*` headers feed it both ways. The server's remaining count, net of our requests it may
 * not have counted yet, is a credit that lets requests through even when our own count is full (safe
 * whatever the server's algorithm, see `credit`): it recovers most of the response time a window costs.
 * When the server says fewer requests remain than our own requests can explain (another process shares
 * the token), a gate lets only that many more through until the server's reset. A 429 pauses every
 * caller for the `retry-after` and drops the credit.
 */

export type RateLimit = { requests: number; windowMs: number };

/** What a response's `ratelimit-*` headers said. */
export type ServerObservation = {
  limit?: number | undefined;
  remaining?: number | undefined;
  /** Milliseconds until the server's window resets (already converted from its epoch/delta form). */
  resetInMs?: number | undefined;
};

/** One request as the limiter sees it. `end` is set when its response headers (or its failure) came back. */
type Entry = { start: number; end: number | undefined };

export type Decision = { kind: 'go' } | { kind: 'wait'; until: number } | { kind: 'release' };

/** Longest a server reset or a pause may hold everything back. */
const MAX_HOLD_MS = 60_000;

/**
 * Default safety margin: covers the server's millisecond rounding, a server comparing `>=` instead of `>`,
 * and clock-rate drift (NTP slews up to 0.05 %) — 5.5 ms for a 500 ms window, 10 ms for 5 s.
 */
export const defaultMarginMs = (windowMs: number): number => 5 + windowMs * 0.001;

/**
 * The limiter's bookkeeping, with time passed in: no timers, no I/O, tested directly.
 */
export class SlidingWindow {
  limit: number;
  readonly windowMs: number;
  readonly marginMs: number;
  private entries: Entry[] = [];
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** Server-reported budget when it is smaller than ours: `remaining` more requests until `until`. */
  private gate: { until: number; remaining: number; sourceStart: number } | undefined;
  /**
   * Requests the server's own `ratelimit-remaining` still allows, net of ours that it may not have
   * counted yet. A remaining count reported when request r arrived can only grow afterwards (a sliding
   * window forgets old requests, a fixed window resets, a bucket refills), except by arrivals after r:
   * ours — those not finished before r started, and every later start, subtracted here — and another
   * client's (which the gate below catches). So while it is positive, sending is safe whatever our own
   * accounting says; it lets us use a fixed-window server's reset as soon as a response reports it
   * instead of waiting a full window after each response.
   */
  private credit = 0;

  constructor(limit: RateLimit, marginMs = defaultMarginMs(limit.windowMs)) {
    if (!Number.isInteger(limit.requests) || limit.requests < 1)
      throw new RangeError(`rate limit requests must be a positive integer, got ${limit.requests}`);
    if (!(limit.windowMs > 0))
      throw new RangeError(`rate limit window must be positive, got ${limit.windowMs}`);
    this.limit = limit.requests;
    this.windowMs = limit.windowMs;
    this.marginMs = marginMs;
  }

  /** May a request start at `now`? If not, until when to wait, or wait for a running request to end. */
  decide(now: number): Decision {
    if (now < this.pausedUntil) return { kind: 'wait', until: this.pausedUntil };
    if (this.gate) {
      if (now >= this.gate.until) this.gate = undefined;
      else if (this.gate.remaining <= 0) return { kind: 'wait', until: this.gate.until };
    }
    this.prune(now);
    let occupied = 0;
    let earliestFree = Number.POSITIVE_INFINITY;
    for (const e of this.entries) {
      if (e.end === undefined) {
        occupied++;
        continue;
      }
      const free = e.end + this.windowMs + this.marginMs;
      if (free > now) {
        occupied++;
        if (free < earliestFree) earliestFree = free;
      }
    }
    if (occupied < this.limit || this.credit > 0) return { kind: 'go' };
    return earliestFree === Number.POSITIVE_INFINITY
      ? { kind: 'release' }
      : { kind: 'wait', until: earliestFree };
  }

  /** Records a request starting now (call only after `decide` said go). */
  start(now: number): Entry {
    const entry: Entry = { start: now, end: undefined };
    this.entries.push(entry);
    this.credit--;
    if (this.gate) this.gate.remaining--;
    return entry;
  }

  /**
   * Records the end of a request and what its headers said. Returns a note for the log when the server's
   * figures changed our behaviour.
   */
  finish(entry: Entry, now: number, seen?: ServerObservation): string | undefined {
    if (entry.end === undefined) entry.end = now;
    if (!seen) return undefined;
    let note: string | undefined;
    if (seen.limit !== undefined && seen.limit > 0 && seen.limit < this.limit) {
      note = `the server allows ${seen.limit} requests per window, not ${this.limit}: using ${seen.limit}`;
      this.limit = seen.limit;
    }
    if (seen.remaining === undefined) return note;
    // Upper bound of our own requests the server may have counted when this one arrived: those not
    // started after its response and not finished a whole window before it started.
    const end = entry.end;
    let ours = 0;
    let unsure = 0;
    for (const e of this.entries) {
      if (e.start <= end && (e.end === undefined || e.end > entry.start - this.windowMs)) ours++;
      // Requests that may reach the server after this one (not surely finished before it started).
      if (e !== entry && (e.end === undefined || e.end > entry.start)) unsure++;
    }
    // What the server itself says we may still send (see `credit`).
    if (seen.remaining - unsure > this.credit) this.credit = seen.remaining - unsure;
    const expected = this.limit - ours;
    if (seen.remaining < expected) {
      const hold = Math.min(Math.max(seen.resetInMs ?? this.windowMs, 0), MAX_HOLD_MS);
      if (!this.gate || entry.start >= this.gate.sourceStart) {
        this.gate = { until: now + hold, remaining: seen.remaining - unsure, sourceStart: entry.start };
        note ??= `the server reports ${seen.remaining} requests left where we expected ${expected} (another client shares the token?): slowing down for ${Math.round(hold)} ms`;
      }
    } else if (this.gate && entry.start >= this.gate.sourceStart) {
      this.gate = undefined;
    }
    return note;
  }

  /** Holds every request back until `until` (after a 429). */
  pause(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
    this.credit = 0;
  }

  /** Entries that can no longer matter: finished long enough before the oldest running request. */
  private prune(now: number): void {
    let horizon = now;
    for (const e of this.entries) if (e.end === undefined && e.start < horizon) horizon = e.start;
    horizon -= this.windowMs + this.marginMs;
    if (this.entries.length > 0 && this.entries.some((e) => e.end !== undefined && e.end < horizon))
      this.entries = this.entries.filter((e) => e.end === undefined || e.end >= horizon);
  }
}

/** Time source: monotonic milliseconds and a sleep. Injected in tests. */
export type Clock = { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(Math.max(1, Math.ceil(ms)), undefined, { signal }).catch(() => {}),
};

/** A granted request: call `finish` once, when its response headers arrived or it failed. */
export type Permit = { finish(seen?: ServerObservation): void };

export type RateLimiterStats = { waits: number; waitMs: number };

export class RateLimiter {
  readonly window: SlidingWindow;
  readonly stats: RateLimiterStats = { waits: 0, waitMs: 0 };
  private readonly clock: Clock;
  private readonly onNote: (note: string) => void;
  /** Callers queue here so the budget is granted first come, first served. */
  private queue: Promise<void> = Promise.resolve();
  private releaseWaiters: (() => void)[] = [];

  constructor(
    limit: RateLimit,
    opts: { clock?: Clock; marginMs?: number; onNote?: (note: string) => void } = {},
  ) {
    this.window = new SlidingWindow(limit, opts.marginMs);
    this.clock = opts.clock ?? systemClock;
    this.onNote = opts.onNote ?? (() => {});
  }

  /** Waits for a slot in the budget. Concurrent callers are served in order. */
  async acquire(): Promise<Permit> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise((resolve) => {
      done = resolve;
    });
    await previous;
    try {
      return await this.waitForSlot();
    } finally {
      done();
    }
  }

  /** Holds every caller back for `ms` (a 429's retry-after). */
  pause(ms: number): void {
    this.window.pause(this.clock.now() + Math.min(Math.max(ms, 0), MAX_HOLD_MS));
  }

  private async waitForSlot(): Promise<Permit> {
    const began = this.clock.now();
    let waited = false;
    for (;;) {
      const now = this.clock.now();
      const decision = this.window.decide(now);
      if (decision.kind === 'go') break;
      waited = true;
      // A response may free a slot or bring server credit before the deadline: wake on either.
      const released = new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
      if (decision.kind === 'release') await released;
      else {
        const stop = new AbortController();
        await Promise.race([this.clock.sleep(decision.until - now, stop.signal), released]);
        stop.abort();
      }
    }
    const now = this.clock.now();
    if (waited) {
      this.stats.waits++;
      this.stats.waitMs += now - began;
    }
    const entry = this.window.start(now);
    let finished = false;
    return {
      finish: (seen) => {
        if (finished) return;
        finished = true;
        const note = this.window.finish(entry, this.clock.now(), seen);
        if (note) this.onNote(note);
        const waiters = this.releaseWaiters;
        this.releaseWaiters = [];
        for (const wake of waiters) wake();
      },
    };
  }
}
