import type { Logger } from '../../singer/src/log.js';
import { describeNextRuns, nextSlot, type Schedule, type Slot } from './schedule.js';
import type { SyncMode } from './sync.js';

export type RunOutcome = 'succeeded' | 'failed' | 'locked';

export type SchedulerOptions = {
  schedule: Schedule;
  /** One sync; must stop promptly (SIGTERM to the programs) when `signal` aborts. */
  run: (mode: SyncMode, signal: AbortSignal) => Promise<RunOutcome>;
  log: Logger;
  now?: () => Date;
};

/** setTimeout's ceiling (~24.8 days); a later slot is reached in several waits. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Runs syncs at the schedule's slots, one at a time: a slot that comes while a run is in flight is
 * skipped (and logged), a failed run is only logged (the next slot is the retry), and stop() aborts
 * the run in flight and waits for it, so the state file is left at a committed point.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private inFlight:
    | { mode: SyncMode; since: Date; done: Promise<void>; controller: AbortController }
    | undefined;
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  get running(): boolean {
    return this.inFlight !== undefined;
  }

  start(initial?: SyncMode): void {
    if (initial) this.launch(initial, 'start');
    this.arm(this.now());
  }

  next(): Slot {
    return nextSlot(this.opts.schedule, this.now());
  }

  /** Logs when the next incremental and full runs are, in the schedule's own time zone, as the user reads clocks. */
  logNext(): void {
    this.opts.log.info(describeNextRuns(this.opts.schedule, this.now()));
  }

  /** Launches a run unless one is in flight; returns whether it did. */
  launch(mode: SyncMode, why: string): boolean {
    if (this.stopped) return false;
    if (this.inFlight) {
      this.opts.log.warn(
        `skipping the ${mode} sync (${why}): the ${this.inFlight.mode} sync started at ${this.inFlight.since.toISOString()} is still running`,
      );
      return false;
    }
    const controller = new AbortController();
    const since = this.now();
    this.opts.log.info(`starting the ${mode} sync (${why})`);
    const done = this.opts
      .run(mode, controller.signal)
      .then((outcome) => {
        if (this.stopped) return;
        if (outcome === 'failed') this.opts.log.error(`the ${mode} sync failed; the next slot will retry`);
        if (outcome === 'locked')
          this.opts.log.warn(`the ${mode} sync did not start: another sync holds the lock`);
      })
      .catch((err: Error) =>
        this.opts.log.error(`the ${mode} sync failed: ${err.message}; the next slot will retry`),
      )
      .finally(() => {
        this.inFlight = undefined;
        if (!this.stopped) this.logNext();
      });
    this.inFlight = { mode, since, done, controller };
    return true;
  }

  private arm(after: Date): void {
    if (this.stopped) return;
    const slot = nextSlot(this.opts.schedule, after);
    const wait = (): void => {
      const delay = slot.at.getTime() - this.now().getTime();
      if (delay > MAX_DELAY) {
        this.timer = setTimeout(wait, MAX_DELAY);
        return;
      }
      this.timer = setTimeout(() => this.fire(slot), Math.max(0, delay));
    };
    wait();
  }

  private fire(slot: Slot): void {
    this.launch(slot.mode, `slot ${slot.at.toISOString()}`);
    // After a long sleep (laptop lid closed) several slots may be past: they are not replayed.
    const now = this.now();
    this.arm(now.getTime() > slot.at.getTime() ? now : slot.at);
  }

  /** Stops scheduling, aborts the run in flight and waits until it has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const current = this.inFlight;
    if (current) {
      this.opts.log.info(`stopping the ${current.mode} sync in flight`);
      current.controller.abort();
      await current.done;
    }
  }
}
