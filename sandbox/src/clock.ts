/**
 * The sandbox clock: starts at `startTime`, runs with real time, and jumps forward on advanceClock.
 * Everything time-dependent uses it — changelog processed_at and the 4-week window, export readiness
 * and file-URL expiry, rate-limit windows — so a test can move time instead of waiting.
 */
export class Clock {
  private readonly realStart = Date.now();
  private offsetMs = 0;
  private lastMicros = 0;

  constructor(private readonly start: Date) {}

  nowMs(): number {
    return this.start.getTime() + (Date.now() - this.realStart) + this.offsetMs;
  }

  /** Microseconds, strictly increasing across calls, so events never tie. */
  nowMicros(): number {
    this.lastMicros = Math.max(this.lastMicros + 1, this.nowMs() * 1000);
    return this.lastMicros;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error(`advanceClock: expected a duration ≥ 0 in ms, got ${ms}`);
    this.offsetMs += ms;
  }
}
