import type { ExportKind } from '../../../pennylane/src/api.js';
import { badRequest } from '../http/errors.js';
import { formatTimestamp, parseDay } from '../time.js';

export type ExportJob = {
  id: number;
  kind: ExportKind;
  periodStart: number;
  periodEnd: number;
  mode: 'in_line' | 'in_column';
  /** Sandbox-clock instants, microseconds. */
  createdAt: number;
  doneAt: number;
  failed: boolean;
};

/**
 * Export jobs move pending → ready (or error) once the sandbox clock passes createdAt + exportDelayMs,
 * so tests can either wait or advance the clock.
 */
export function exportStatus(job: ExportJob, nowMicros: number): 'pending' | 'ready' | 'error' {
  if (nowMicros < job.doneAt) return 'pending';
  return job.failed ? 'error' : 'ready';
}

export function renderJob(job: ExportJob, nowMicros: number) {
  const status = exportStatus(job, nowMicros);
  return {
    id: job.id,
    status,
    created_at: formatTimestamp(job.createdAt),
    updated_at: formatTimestamp(status === 'pending' ? job.createdAt : job.doneAt),
  };
}

/** Validates a POST body: `period_start`, `period_end` (dates, required), `mode` for the AGL only; nothing else. */
export function parseExportBody(
  kind: ExportKind,
  body: unknown,
): Pick<ExportJob, 'periodStart' | 'periodEnd' | 'mode'> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('body: expected a JSON object {"period_start":"YYYY-MM-DD","period_end":"YYYY-MM-DD"}');
  }
  const allowed =
    kind === 'analytical_general_ledgers'
      ? ['period_start', 'period_end', 'mode']
      : ['period_start', 'period_end'];
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw badRequest(`body: unknown field ${extra.join(', ')}; allowed: ${allowed.join(', ')}`);
  const b = body as Record<string, unknown>;
  const day = (key: string): number => {
    const value = b[key];
    if (value === undefined) throw badRequest(`body: ${key} is required (YYYY-MM-DD)`);
    const d = typeof value === 'string' ? parseDay(value) : undefined;
    if (d === undefined)
      throw badRequest(`body: ${key} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    return d;
  };
  const periodStart = day('period_start');
  const periodEnd = day('period_end');
  if (periodEnd < periodStart) throw badRequest('body: period_end is before period_start');
  const mode = b.mode ?? 'in_line';
  if (mode !== 'in_line' && mode !== 'in_column') throw badRequest('body: mode must be in_line or in_column');
  return { periodStart, periodEnd, mode };
}
