import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Clock, RateLimiter, SlidingWindow } from './rate-limiter.js';

/** Deterministic pseudo-random numbers (mulberry32) so a failing simulation can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Most requests in any window of `windowMs` (a server counting arrivals in (a - W, a]). */
function maxInWindow(arrivals: number[], windowMs: number): number {
  const a = [...arrivals].sort((x, y) => x - y);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < a.length; hi++) {
    while (a[lo]! <= a[hi]! - windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

type ServerKind = 'sliding' | 'fixed';

/**
 * Discrete-event simulation: `streams` callers each send requests one after another through one
 * SlidingWindow. Each request reaches the server's counter at a random moment between its start and its
 * end (extremes included on purpose: an early request counted last, a later one counted first). The
 * server enforces `requests` per `windowMs` — a sliding window, or fixed windows opened by the first
 * request after the previous one expired (as the sandbox does) — and, with `headers`, reports
 * ratelimit-remaining as of the moment it counted the request.
 */
function simulate(opts: {
  requests: number;
  windowMs: number;
  streams: number;
  total: number;
  seed: number;
  server?: ServerKind;
  headers?: boolean;
}) {
  const { requests: N, windowMs: W } = opts;
  const random = seeded(opts.seed);
  const window = new SlidingWindow({ requests: N, windowMs: W });
  const events: { at: number; run: () => void }[] = [];
  const arrivals: number[] = [];
  let rejected = 0;
  let fixed = { start: Number.NEGATIVE_INFINITY, count: 0 };
  /** The server counts a request: its remaining budget after it, or undefined for a 429. */
  const admit = (t: number): number | undefined => {
    if (opts.server === 'fixed') {
      if (t >= fixed.start + W) fixed = { start: t, count: 0 };
      if (fixed.count >= N) return undefined;
      fixed.count++;
      arrivals.push(t);
      return N - fixed.count;
    }
    const inWindow = arrivals.filter((x) => x > t - W).length;
    if (inWindow >= N) return undefined;
    arrivals.push(t);
    return N - inWindow - 1;
  };
  let now = 0;
  let issued = 0;
  // A waiting stream is woken by its deadline or by any response, whichever comes first.
  const waiting = new Map<number, number>();
  let tokens = 0;
  const tryStart = (stream: number): void => {
    if (issued >= opts.total) return;
    const d = window.decide(now);
    if (d.kind !== 'go') {
      const token = ++tokens;
      waiting.set(stream, token);
      if (d.kind === 'wait')
        events.push({ at: d.until, run: () => waiting.get(stream) === token && wake(stream) });
      return;
    }
    issued++;
    const entry = window.start(now);
    const latency = 5 + random() * 120;
    const r = random();
    const share = r < 0.25 ? 1 : r < 0.5 ? 0 : random();
    let remaining: number | undefined;
    events.push({
      at: now + latency * share,
      run: () => {
        remaining = admit(now);
        if (remaining === undefined) rejected++;
      },
    });
    events.push({
      at: now + latency,
      run: () => {
        window.finish(entry, now, opts.headers ? { remaining: remaining ?? 0 } : undefined);
        for (const s of [...waiting.keys()]) wake(s);
        tryStart(stream);
      },
    });
  };
  const wake = (stream: number) => {
    waiting.delete(stream);
    tryStart(stream);
  };
  for (let s = 0; s < opts.streams; s++) events.push({ at: 0, run: () => tryStart(s) });
  while (events.length > 0) {
    events.sort((x, y) => x.at - y.at);
    const next = events.shift()!;
    now = next.at;
    next.run();
  }
  return { arrivals, rejected, elapsedMs: now };
}

describe('SlidingWindow', () => {
  it('never lets a server counting arrivals see more than the budget in any window, whatever the latency', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { arrivals, rejected } = simulate({ requests: 25, windowMs: 5000, streams: 6, total: 400, seed });
      assert.equal(arrivals.length, 400);
      assert.equal(rejected, 0);
      assert.ok(
        maxInWindow(arrivals, 5000) <= 25,
        `seed ${seed}: ${maxInWindow(arrivals, 5000)} in one window`,
      );
    }
  });

  it('stays within sliding and fixed server windows when it also follows their remaining counts', () => {
    for (const server of ['sliding', 'fixed'] as const) {
      for (const seed of [1, 2, 3]) {
        const run = simulate({
          requests: 25,
          windowMs: 5000,
          streams: 8,
          total: 400,
          seed,
          server,
          headers: true,
        });
        assert.equal(run.rejected, 0, `${server} server, seed ${seed}`);
        if (server === 'sliding') assert.ok(maxInWindow(run.arrivals, 5000) <= 25);
      }
    }
  });

  it('uses at least 92% of the budget when requests keep coming', () => {
    const total = 500;
    const floorMs = (total / 25) * 5000;
    for (const headers of [false, true]) {
      const { elapsedMs } = simulate({ requests: 25, windowMs: 5000, streams: 4, total, seed: 7, headers });
      assert.ok(elapsedMs <= floorMs / 0.92, `took ${elapsedMs} ms for a floor of ${floorMs} ms`);
    }
  });

  it('grants the budget at once, then waits for a running request to end', () => {
    const w = new SlidingWindow({ requests: 2, windowMs: 1000 }, 0);
    const a = w.start(0);
    w.start(0);
    assert.deepEqual(w.decide(0), { kind: 'release' });
    w.finish(a, 40);
    assert.deepEqual(w.decide(50), { kind: 'wait', until: 1040 });
    assert.deepEqual(w.decide(1040), { kind: 'go' });
  });

  it('counts a request from its start until a window plus the margin after its response', () => {
    const w = new SlidingWindow({ requests: 1, windowMs: 1000 }, 10);
    w.finish(w.start(0), 100);
    assert.deepEqual(w.decide(1109), { kind: 'wait', until: 1110 });
    assert.deepEqual(w.decide(1110), { kind: 'go' });
  });

  it('holds everything back during a pause', () => {
    const w = new SlidingWindow({ requests: 10, windowMs: 1000 }, 0);
    w.pause(2000);
    assert.deepEqual(w.decide(0), { kind: 'wait', until: 2000 });
    assert.deepEqual(w.decide(2000), { kind: 'go' });
  });

  it('adopts a smaller limit announced by the server', () => {
    const w = new SlidingWindow({ requests: 25, windowMs: 1000 }, 0);
    const note = w.finish(w.start(0), 5, { limit: 2, remaining: 1 });
    assert.match(note ?? '', /allows 2 requests/);
    w.start(6);
    assert.deepEqual(w.decide(7), { kind: 'wait', until: 1005 });
  });

  it('slows down until the reset when the server reports fewer remaining than our own use explains', () => {
    const w = new SlidingWindow({ requests: 25, windowMs: 5000 }, 0);
    const e = w.start(0);
    // We used 1 of 25; the server says 3 remain: someone else spent 21.
    const note = w.finish(e, 10, { remaining: 3, resetInMs: 2000 });
    assert.match(note ?? '', /reports 3 requests left where we expected 24/);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(w.decide(20), { kind: 'go' });
      w.start(20);
    }
    assert.deepEqual(w.decide(20), { kind: 'wait', until: 2010 });
    assert.deepEqual(w.decide(2010), { kind: 'go' });
  });

  it('does not slow down when the server counts exactly our own requests', () => {
    const w = new SlidingWindow({ requests: 25, windowMs: 5000 }, 0);
    const entries = Array.from({ length: 5 }, () => w.start(0));
    entries.forEach((e, i) => {
      assert.equal(w.finish(e, 10 + i, { limit: 25, remaining: 20 + i, resetInMs: 5000 }), undefined);
    });
    assert.deepEqual(w.decide(20), { kind: 'go' });
  });

  it('sends beyond its own count while the server reports room, net of requests it may not have counted', () => {
    const w = new SlidingWindow({ requests: 2, windowMs: 1000 }, 0);
    const a = w.start(0);
    const b = w.start(0);
    // a was counted with 5 left; b, still running then, may not have been: 4 more are safe.
    w.finish(a, 10, { remaining: 5 });
    w.finish(b, 12, { remaining: 4 });
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(w.decide(20), { kind: 'go' });
      w.start(20);
    }
    assert.deepEqual(w.decide(20), { kind: 'wait', until: 1010 });
  });

  it('drops the server credit after a 429', () => {
    const w = new SlidingWindow({ requests: 1, windowMs: 1000 }, 0);
    w.finish(w.start(0), 10, { remaining: 10 });
    w.pause(0);
    assert.deepEqual(w.decide(20), { kind: 'wait', until: 1010 });
  });

  it('refuses a budget that is not a positive integer', () => {
    assert.throws(() => new SlidingWindow({ requests: 0, windowMs: 1000 }), RangeError);
    assert.throws(() => new SlidingWindow({ requests: 5, windowMs: 0 }), RangeError);
  });
});

/** A clock the test moves by hand; sleeps resolve when it passes their deadline. */
class ManualClock implements Clock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      });
    });
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = next.at;
      next.resolve();
    }
    this.t = target;
    await new Promise((r) => setImmediate(r));
  }
}

describe('RateLimiter', () => {
  it('serves concurrent callers in order and counts the time they were held back', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requests: 2, windowMs: 1000 }, { clock, marginMs: 0 });
    const order: number[] = [];
    const permits = [1, 2, 3, 4].map((n) =>
      limiter.acquire().then((p) => {
        order.push(n);
        return p;
      }),
    );
    await clock.advance(0);
    assert.deepEqual(order, [1, 2]);
    (await permits[0]!).finish();
    (await permits[1]!).finish();
    await clock.advance(999);
    assert.deepEqual(order, [1, 2]);
    await clock.advance(1);
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.deepEqual(limiter.stats, { waits: 1, waitMs: 1000 });
  });

  it('lets a caller blocked by running requests go once one finishes and its window passes', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requests: 1, windowMs: 500 }, { clock, marginMs: 0 });
    const first = await limiter.acquire();
    let second = false;
    const pending = limiter.acquire().then((p) => {
      second = true;
      return p;
    });
    await clock.advance(1000);
    assert.equal(second, false, 'still running: the slot stays taken');
    first.finish();
    await clock.advance(499);
    assert.equal(second, false);
    await clock.advance(1);
    assert.equal(second, true);
    (await pending).finish();
  });

  it('pauses every caller after a 429', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requests: 10, windowMs: 1000 }, { clock, marginMs: 0 });
    limiter.pause(3000);
    let granted = false;
    void limiter.acquire().then(() => {
      granted = true;
    });
    await clock.advance(2999);
    assert.equal(granted, false);
    await clock.advance(1);
    assert.equal(granted, true);
  });
});
