/**
 * The tap's state: `{ "bookmarks": { "<stream>": { … } } }`, the Singer convention. A bookmark only moves
 * once the records it stands for have been emitted, so any STATE printed from here is safe to commit.
 * Bookmarks of streams that are not selected in this run are kept as they are.
 */
export type TapState = { bookmarks: Record<string, unknown> };

/** Changelog streams: where the next run reads `/changelogs/<resource>` from. */
export type ChangelogBookmark = {
  /** RFC 3339; the next run reads the changelog from this instant minus changelog_overlap_seconds. */
  changelog_at: string;
  /** ACTIVATE_VERSION of the last full listing; incremental records carry it too. */
  version: number;
};

/** Full-table streams (and trial_balance): the version of the last complete pass. */
export type FullTableBookmark = {
  version: number;
  /**
   * Streams refreshed from another stream's changelog (ledger_entries): the instant from which that
   * changelog must be read for this table to stay complete. An incremental refresh is only possible
   * when the source's changelog read this run starts at or before it.
   */
  complete_at?: string;
  /** Streams that read only new ids between full listings (ledger_accounts): the highest id emitted. */
  max_id?: number;
  /** trial_balance: each fiscal year read since the last full pass, with its status when it was read. */
  years?: Record<string, string>;
  /**
   * trial_balance: the account numbers whose rows the table holds, for each year that a run between
   * full passes may read again (years last read while open). A re-read deletes the numbers it no longer
   * returns. A year read before but absent here (its read did not finish, or an older tap wrote the
   * state) forces a full pass. Only open years are kept: a few hundred numbers each.
   */
  accounts?: Record<string, string[]>;
};

/** One export (FEC or analytical ledger) of one fiscal year. */
export type YearExport = {
  export_id: number | null;
  /** When the export job was created; null when the last attempt failed half way. */
  exported_at: string | null;
  period_start: string;
  period_end: string;
  /** Fiscal year status when it was exported: closed and frozen years are not exported again. */
  status: string;
  rows: number;
  /** Highest row number emitted for this year: the next export deletes the numbers it no longer has. */
  last_row: number;
};

export type ExportBookmark = { years: Record<string, YearExport> };

export class StateError extends Error {
  override name = 'StateError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a state value (the one the target printed last); `{}` and null mean "no state". */
export function parseState(value: unknown, source = 'state'): TapState {
  if (value === undefined || value === null) return { bookmarks: {} };
  if (!isObject(value)) {
    throw new StateError(`${source}: a state must be a JSON object like {"bookmarks": {...}}`);
  }
  if (value.bookmarks === undefined) return { ...value, bookmarks: {} };
  if (!isObject(value.bookmarks)) {
    throw new StateError(`${source}: "bookmarks" must be an object keyed by stream name`);
  }
  return { ...value, bookmarks: { ...value.bookmarks } };
}

export class StateStore {
  private readonly state: TapState;

  constructor(initial: TapState) {
    this.state = structuredClone(initial);
  }

  get(stream: string): unknown {
    return this.state.bookmarks[stream];
  }

  /** Call only once the records this bookmark covers have been emitted. */
  set(stream: string, bookmark: unknown): void {
    this.state.bookmarks[stream] = structuredClone(bookmark);
  }

  snapshot(): TapState {
    return structuredClone(this.state);
  }
}

const isInstant = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** A changelog bookmark, or undefined (with the reason) when it is missing or unusable. */
export function readChangelogBookmark(raw: unknown): ChangelogBookmark | string {
  if (raw === undefined) return 'no bookmark';
  if (!isObject(raw) || !isInstant(raw.changelog_at)) return 'bookmark without a valid "changelog_at"';
  return {
    changelog_at: raw.changelog_at,
    version: typeof raw.version === 'number' ? raw.version : Date.parse(raw.changelog_at),
  };
}

export function readFullTableBookmark(raw: unknown): FullTableBookmark | undefined {
  if (!isObject(raw) || typeof raw.version !== 'number') return undefined;
  const years = isObject(raw.years)
    ? Object.fromEntries(Object.entries(raw.years).filter(([, v]) => typeof v === 'string'))
    : undefined;
  // A year whose list is not all strings is left out: unknown numbers force a full pass, never a guess.
  const accounts = isObject(raw.accounts)
    ? Object.fromEntries(
        Object.entries(raw.accounts).filter(
          ([, v]) => Array.isArray(v) && v.every((n) => typeof n === 'string'),
        ),
      )
    : undefined;
  return {
    version: raw.version,
    ...(isInstant(raw.complete_at) ? { complete_at: raw.complete_at } : {}),
    ...(typeof raw.max_id === 'number' ? { max_id: raw.max_id } : {}),
    ...(years ? { years: years as Record<string, string> } : {}),
    ...(accounts ? { accounts: accounts as Record<string, string[]> } : {}),
  };
}

export function readExportBookmark(raw: unknown): ExportBookmark {
  if (!isObject(raw) || !isObject(raw.years)) return { years: {} };
  const years: Record<string, YearExport> = {};
  for (const [id, y] of Object.entries(raw.years)) {
    // last_row drives a loop of deletes: only a whole, non-negative number is trusted.
    if (!isObject(y) || !Number.isSafeInteger(y.last_row) || (y.last_row as number) < 0) continue;
    years[id] = {
      export_id: typeof y.export_id === 'number' ? y.export_id : null,
      exported_at: isInstant(y.exported_at) ? y.exported_at : null,
      period_start: String(y.period_start ?? ''),
      period_end: String(y.period_end ?? ''),
      status: String(y.status ?? ''),
      rows: typeof y.rows === 'number' ? y.rows : 0,
      last_row: y.last_row as number,
    };
  }
  return { years };
}

/**
 * Warnings about a state that this tap did not write (another tap's, an edited one): bookmarks of
 * streams it does not have are kept as they are and not used; a bookmark of one of its streams in a
 * shape it does not know is not used either, so that stream is read in full. Neither stops the run:
 * reading more is always safe, and the next STATE carries bookmarks of the right shape.
 */
export function foreignBookmarks(
  state: TapState,
  /** Every stream of the tap. */
  all: readonly string[],
  /** The streams of this run, whose bookmarks are read. */
  selected: ReadonlyArray<{ name: string; kind: string }>,
): string[] {
  const known = new Map(selected.map((s) => [s.name, s.kind]));
  const notes: string[] = [];
  const unknown = Object.keys(state.bookmarks).filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    notes.push(
      `state: bookmarks of streams tap-pennylane does not have (${unknown.join(', ')}) are kept as they are and not used; was the state written by another tap?`,
    );
  }
  for (const [name, kind] of known) {
    const raw = state.bookmarks[name];
    if (raw === undefined) continue;
    const problem =
      kind === 'changelog'
        ? (() => {
            const b = readChangelogBookmark(raw);
            return typeof b === 'string' ? b : undefined;
          })()
        : kind === 'export'
          ? isObject(raw) && isObject(raw.years)
            ? droppedYears(raw.years)
            : 'no "years" object'
          : readFullTableBookmark(raw) === undefined
            ? 'no numeric "version"'
            : undefined;
    if (problem) {
      notes.push(
        `state: the bookmark of ${name} is not one tap-pennylane writes (${problem}): ${name} is read in full this run`,
      );
    }
  }
  return notes;
}

/** The export years a bookmark holds that readExportBookmark cannot use, said for a warning. */
function droppedYears(years: Record<string, unknown>): string | undefined {
  const usable = readExportBookmark({ years }).years;
  const dropped = Object.keys(years).filter((id) => !(id in usable));
  if (dropped.length === 0) return undefined;
  return `fiscal year(s) ${dropped.join(', ')} without a whole "last_row"; rows of their previous export beyond the new one's last line cannot be deleted`;
}
