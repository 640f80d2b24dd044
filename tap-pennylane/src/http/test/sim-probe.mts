// Manual probe (not a test, not a benchmark): `node --import tsx tap-pennylane/src/http/test/sim-probe.mts`.
// Discrete-event simulation of the limiter against a single-threaded server (FIFO queue, 6–14 ms per
// request, 3 % of 100 ms stalls) that counts a request when it starts handling it and reports
// ratelimit-remaining ('none': no headers). Prints, per server kind and number of streams, the time of
// 2,000 requests at 25 per 500 ms and of 500 at 25 per 5 s over the floor (requests ÷ rate), and 429s.
import { SlidingWindow } from '../rate-limiter.js';

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Mode = 'fixed' | 'sliding' | 'none';
function run(mode: Mode, N: number, W: number, streams: number, total: number, service: () => number) {
  const w = new SlidingWindow({ requests: N, windowMs: W });
  const ev: { at: number; run: () => void }[] = [];
  const rel: (() => void)[] = [];
  let now = 0,
    issued = 0,
    serverFree = 0,
    rejected = 0;
  const counted: number[] = [];
  let fixedStart = -Infinity,
    fixedCount = 0;
  const admit = (t: number): number | undefined => {
    if (mode === 'fixed') {
      if (t >= fixedStart + W) {
        fixedStart = t;
        fixedCount = 0;
      }
      if (fixedCount >= N) return undefined;
      fixedCount++;
      counted.push(t);
      return N - fixedCount;
    }
    const inWin = counted.filter((x) => x > t - W).length;
    if (inWin >= N) return undefined;
    counted.push(t);
    return N - inWin - 1;
  };
  const tryStart = (): void => {
    if (issued >= total) return;
    const d = w.decide(now);
    if (d.kind === 'wait') {
      ev.push({ at: d.until, run: tryStart });
      return;
    }
    if (d.kind === 'release') {
      rel.push(tryStart);
      return;
    }
    issued++;
    const e = w.start(now);
    const begin = Math.max(now + 0.3, serverFree);
    const done = begin + service();
    serverFree = done;
    const remaining = admit(begin);
    if (remaining === undefined) rejected++;
    ev.push({
      at: done + 0.3,
      run: () => {
        w.finish(e, now, mode === 'none' ? undefined : { remaining: remaining ?? 0 });
        for (const f of rel.splice(0)) f();
        tryStart();
      },
    });
  };
  for (let s = 0; s < streams; s++) ev.push({ at: 0, run: tryStart });
  while (ev.length) {
    ev.sort((a, b) => a.at - b.at);
    const x = ev.shift()!;
    now = x.at;
    x.run();
  }
  return { ratio: +(now / ((total / N) * W)).toFixed(3), rejected };
}
const rnd = seeded(1);
const service = () => (rnd() < 0.03 ? 100 : 6 + rnd() * 8);
for (const mode of ['none', 'fixed', 'sliding'] as Mode[])
  for (const streams of [5, 12])
    console.log(
      mode,
      streams,
      JSON.stringify(run(mode, 25, 500, streams, 2000, service)),
      JSON.stringify(run(mode, 25, 5000, streams, 500, service)),
    );
