/**
 * The bookmark of an invoice-lines stream: a complete pass (`changelog_at`, `version`, `lines`) or a
 * full pass in progress (`pass`), never both: the pass replaces the complete one when it ends.
 */
export type LinesPass = {
  /** ACTIVATE_VERSION of the pass; every line it emits carries it, across resumed runs. */
  version: number;
  /** When the pass started: the parent's changelog is read from here once it is complete. */
  started_at: string;
  /** Invoices are read in id order; every one up to this id is done. */
  after_id: number;
  done: number;
  /** Line ids per invoice done so far (line-ids.ts). */
  lines: string;
};

export type LinesBookmark = { changelog_at: string; version: number; lines: string } | { pass: LinesPass };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** The usable part of a stored bookmark; `reason` says why a full pass starts when there is none. */
export function readLinesBookmark(raw: unknown): {
  complete?: { changelog_at: string; version: number; lines: string };
  pass?: LinesPass;
  reason: string;
} {
  if (raw === undefined) return { reason: 'no bookmark' };
  if (!isObject(raw)) return { reason: 'bookmark is not an object' };
  const p = raw.pass;
  if (isObject(p)) {
    if (
      typeof p.version === 'number' &&
      isInstant(p.started_at) &&
      typeof p.after_id === 'number' &&
      typeof p.done === 'number' &&
      typeof p.lines === 'string'
    )
      return {
        pass: {
          version: p.version,
          started_at: p.started_at,
          after_id: p.after_id,
          done: p.done,
          lines: p.lines,
        },
        reason: 'resuming',
      };
    return { reason: 'bookmark with an unusable "pass"' };
  }
  if (!isInstant(raw.changelog_at) || typeof raw.version !== 'number' || typeof raw.lines !== 'string')
    return { reason: 'bookmark without "changelog_at", "version" and "lines"' };
  return { complete: { changelog_at: raw.changelog_at, version: raw.version, lines: raw.lines }, reason: '' };
}

/**
 * `, ~8,800 left, about 29 min` from this run's pace; empty until there is a pace to judge by. The
 * number left is estimated from the ids still ahead and the id spacing seen so far.
 */
export function formatEta(p: {
  doneThisRun: number;
  seconds: number;
  idsPerInvoice: number | undefined;
  idsLeft: number | undefined;
}): string {
  if (!p.idsPerInvoice || p.idsLeft === undefined || p.doneThisRun < 2 || p.seconds <= 0) return '';
  const left = Math.max(0, Math.round(p.idsLeft / p.idsPerInvoice));
  const seconds = left / (p.doneThisRun / p.seconds);
  const time =
    seconds < 90
      ? `${Math.round(seconds)} s`
      : seconds < 5400
        ? `${Math.round(seconds / 60)} min`
        : `${(seconds / 3600).toFixed(1)} h`;
  return `, ~${left} left, about ${time} to go`;
}
