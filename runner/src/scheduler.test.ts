import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../singer/src/log.js';
import { Scheduler } from './scheduler.js';
import type { SyncMode } from './sync.js';

function memoryLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => lines.push(`${level} ${m}`);
  return {
    log: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
    lines,
  };
}

describe('Scheduler', () => {
  it('never overlaps runs: slots that come while a run is in flight are skipped and logged', async () => {
    const { log, lines } = memoryLog();
    const runs: { mode: SyncMode; start: number; end: number }[] = [];
    let active = 0;
    let maxActive = 0;
    const scheduler = new Scheduler({
      // every second; a run lasts 2.5 s, so about two slots out of three find a run in flight
      schedule: { incremental: '* * * * * *', full: '0 0 1 1 *', timeZone: 'Europe/Paris' },
      log,
      run: async (mode) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const start = Date.now();
        await sleep(2500);
        active--;
        runs.push({ mode, start, end: Date.now() });
        return 'succeeded';
      },
    });
    scheduler.start();
    await sleep(5200);
    await scheduler.stop();
    assert.equal(maxActive, 1);
    assert.ok(runs.length >= 1 && runs.length <= 2, `runs: ${runs.length}`);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.start >= runs[i - 1]!.end);
    assert.ok(lines.some((l) => /^warn skipping the incremental sync .* is still running/.test(l)));
  });

  it('logs a failed run and runs again at the next slot', async () => {
    const { log, lines } = memoryLog();
    let calls = 0;
    const scheduler = new Scheduler({
      schedule: { incremental: '* * * * * *', full: '0 0 1 1 *', timeZone: 'UTC' },
      log,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('Pennylane answered 503');
        return 'succeeded';
      },
    });
    scheduler.start();
    await sleep(2300);
    await scheduler.stop();
    assert.ok(calls >= 2, `calls: ${calls}`);
    assert.ok(
      lines.some(
        (l) => l === 'error the incremental sync failed: Pennylane answered 503; the next slot will retry',
      ),
    );
  });

  it('stop() aborts the run in flight and waits until it has stopped', async () => {
    const { log } = memoryLog();
    let abortedAt = 0;
    let finishedAt = 0;
    const scheduler = new Scheduler({
      schedule: { incremental: '0 0 1 1 *', full: '0 0 1 1 *', timeZone: 'UTC' },
      log,
      run: async (_mode, signal) => {
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        abortedAt = Date.now();
        await sleep(200); // the programs take a moment to stop after SIGTERM
        finishedAt = Date.now();
        return 'failed';
      },
    });
    scheduler.start('full');
    assert.equal(scheduler.running, true);
    await sleep(100);
    await scheduler.stop();
    assert.ok(abortedAt > 0 && finishedAt >= abortedAt + 150);
    assert.equal(scheduler.running, false);
    assert.equal(scheduler.launch('incremental', 'manual'), false, 'no run starts after stop()');
  });
});
