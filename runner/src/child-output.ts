import type { StreamRows } from './sync-runs.js';

/**
 * What the runner reads in its children's stderr: target-postgres's machine-readable summary line, and
 * each program's own one-line error, shown as the run's error rather than a generic "exit code 1".
 */
export type TargetSummary = { streams: StreamRows; seconds?: number };

const SUMMARY = /target-postgres: summary (\{.*\})\s*$/;

export function parseTargetSummary(line: string): TargetSummary | undefined {
  const match = SUMMARY.exec(line);
  if (!match) return undefined;
  try {
    const value = JSON.parse(match[1]!) as TargetSummary;
    return typeof value.streams === 'object' && value.streams !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The program's `<name>: error: …` line if it printed one, else its last non-empty line. */
export function errorLine(program: string, lines: readonly string[]): string | undefined {
  const marker = `${program}: error:`;
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i]!.indexOf(marker);
    if (at !== -1) return lines[i]!.slice(at);
  }
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return lines[i]!.trim();
  return undefined;
}

/** Keeps the last `size` lines (enough to find an error line without growing with the run). */
export class LastLines {
  readonly lines: string[] = [];
  constructor(private readonly size = 50) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
}

export function totals(rows: StreamRows): { inserted: number; updated: number; deleted: number } {
  const sum = { inserted: 0, updated: 0, deleted: 0 };
  for (const r of Object.values(rows)) {
    sum.inserted += r.inserted ?? 0;
    sum.updated += r.updated ?? 0;
    sum.deleted += r.deleted ?? 0;
  }
  return sum;
}
