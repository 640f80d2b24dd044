import { Cron } from 'croner';

/**
 * When the scheduler runs what. Cron patterns are read as wall-clock times in `timeZone`, with two
 * rules for the days the clocks change (croner alone fires a repeated hour twice and handles a
 * skipped hour inconsistently):
 * - a wall-clock time that does not exist (spring forward, 02:00–02:59 in Europe/Paris) runs as far
 *   after the gap as it was into it (02:00 → 03:00 CEST), as Vixie cron does;
 * - a wall-clock time that happens twice (autumn, 02:00–02:59) runs once, at its first occurrence.
 */
export type Schedule = { incremental: string; full: string; timeZone: string };

export type Slot = { at: Date; mode: 'full' | 'incremental' };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of an instant in a zone, as milliseconds of a UTC date with the same fields. */
function wallClock(instant: number, timeZone: string): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const seconds = instant - Math.floor(instant / 1000) * 1000;
  return (
    Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    ) + seconds
  );
}

const offsetAt = (instant: number, timeZone: string): number => wallClock(instant, timeZone) - instant;

const DAY = 86_400_000;

/** The instant a wall-clock time stands for, under the two rules above. */
export function wallToInstant(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const valid = [wall - before, wall - after]
    .filter((t) => wallClock(t, timeZone) === wall)
    .sort((a, b) => a - b);
  // No valid instant: the time falls in a gap; the offset in force before it pushes it past the gap.
  return valid[0] ?? wall - before;
}

/** The first run of `pattern` strictly after `after`. */
export function nextRunAt(pattern: string, timeZone: string, after: Date): Date {
  const cron = new Cron(pattern, { timezone: 'UTC', paused: true });
  let wall = wallClock(after.getTime(), timeZone);
  // Wall-clock slots are walked in UTC (no DST there); in a repeated hour the wall clock goes back,
  // so a slot may map to an instant already past: skip those.
  for (let guard = 0; guard < 1000; guard++) {
    const next = cron.nextRun(new Date(wall));
    if (!next) throw new Error(`cron pattern "${pattern}" never fires`);
    const instant = wallToInstant(next.getTime(), timeZone);
    if (instant > after.getTime()) return new Date(instant);
    wall = next.getTime();
  }
  throw new Error(`cron pattern "${pattern}": no run found after ${after.toISOString()}`);
}

/** The next slot of either kind; a full run wins over an incremental one due at the same time. */
export function nextSlot(schedule: Schedule, after: Date): Slot {
  const full = nextRunAt(schedule.full, schedule.timeZone, after);
  const incremental = nextRunAt(schedule.incremental, schedule.timeZone, after);
  return full.getTime() <= incremental.getTime()
    ? { at: full, mode: 'full' }
    : { at: incremental, mode: 'incremental' };
}

/** Checks a schedule up front so a typo fails at start, naming the variable, not at the first slot. */
export function validateSchedule(
  schedule: Schedule,
  names: { incremental: string; full: string; timeZone: string },
) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: schedule.timeZone });
  } catch {
    throw new Error(
      `${names.timeZone}="${schedule.timeZone}" is not a time zone: use an IANA name such as Europe/Paris`,
    );
  }
  for (const key of ['incremental', 'full'] as const) {
    try {
      nextRunAt(schedule[key], schedule.timeZone, new Date());
    } catch (err) {
      throw new Error(
        `${names[key]}="${schedule[key]}" is not a cron expression (${(err as Error).message}); ` +
          'e.g. "0 */2 * * *" for every 2 hours',
      );
    }
  }
}

/** An instant as a user in `timeZone` reads it, with the zone's abbreviation: `Fri, 27 Nov 2026, 14:00 CET`. */
export function formatLocal(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}

/**
 * The next incremental sync and the next full reload, in the schedule's zone. An incremental slot
 * that coincides with a full one is not a separate run (the full run wins), so the next one after it is named.
 */
export function describeNextRuns(schedule: Schedule, after: Date): string {
  const full = nextRunAt(schedule.full, schedule.timeZone, after);
  let incremental = nextRunAt(schedule.incremental, schedule.timeZone, after);
  for (let guard = 0; guard < 1000 && incremental.getTime() === full.getTime(); guard++) {
    incremental = nextRunAt(schedule.incremental, schedule.timeZone, incremental);
  }
  const local = (d: Date) => formatLocal(d, schedule.timeZone);
  return `next incremental sync ${local(incremental)}, next full reload ${local(full)} (${schedule.timeZone})`;
}
