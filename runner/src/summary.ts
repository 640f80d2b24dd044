import { relative } from 'node:path';
import { totals } from './child-output.js';
import type { SyncResult } from './sync.js';

const n = (v: number) => v.toLocaleString('en-US');

/** Relative to the current folder when inside it (state/state.json), absolute otherwise. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/** The one line a run ends with, in the terminal, in the scheduler's log and in the demo. */
export function formatSummary(result: SyncResult, stateFile: string): string {
  const head = `pennylane-sync: ${result.mode} run #${result.runId}`;
  const time = `${result.seconds.toFixed(1)} s`;
  if (result.outcome === 'failed') {
    return `${head} FAILED after ${time}: ${result.error ?? 'unknown error'} (state file kept at the last committed point: ${result.statesSaved} state(s) saved this run)`;
  }
  const rows = result.rows ?? {};
  const sum = totals(rows);
  const streams = Object.keys(rows).length;
  return (
    `${head} succeeded in ${time}: ${streams} stream${streams === 1 ? '' : 's'}, ` +
    `${n(sum.inserted)} inserted, ${n(sum.updated)} updated, ${n(sum.deleted)} deleted; ` +
    `state saved to ${shortPath(stateFile)}`
  );
}
