import type {
  ChildResourceName,
  ExportKind,
  ListResourceName,
  ScopeRequirement,
} from '../../../pennylane/src/api.js';

/**
 * A stream is a definition object: adding a stream means adding one entry to `definitions.ts` and one
 * schema file in `tap-pennylane/schemas/<name>.json`, not editing branches elsewhere. The sync engine
 * picks its strategy from `kind`.
 */
type Common = {
  /** Stream name = table name = schema file name. */
  name: string;
  /** Key properties (table-key-properties). */
  key: string[];
  /** Scopes the token needs for this stream (checked against `/me` before syncing). */
  scopes: ScopeRequirement[];
  description: string;
};

/** Listed in full the first time, then followed through `/changelogs/<resource>`. */
export type ChangelogStream = Common & {
  kind: 'changelog';
  resource: ListResourceName;
};

/** Listed in full inside an ACTIVATE_VERSION on every full run. */
export type FullTableStream = Common & {
  kind: 'full_table';
  resource: ListResourceName;
  /**
   * On incremental runs, refetch only the records whose ids the named changelog stream's events point
   * to (ledger_entries via the ledger_entry_lines events) instead of listing everything.
   */
  refreshFrom?: { stream: string; idField: string };
  /**
   * On incremental runs, read only the ids above the highest one seen (ledger_accounts: a chart of
   * accounts mostly grows), and list in full once the last full listing is older than
   * full_listing_max_age_hours.
   */
  newIdsBetweenFullListings?: boolean;
};

/** One export job per fiscal year in scope; rows parsed from the downloaded file. */
export type ExportStream = Common & {
  kind: 'export';
  export: ExportKind;
};

/** One list per fiscal year in scope (trial_balance): period parameters, no id. */
export type PerFiscalYearStream = Common & {
  kind: 'per_fiscal_year';
  resource: ListResourceName;
};

/** Listed per parent (the categories of each group) inside one ACTIVATE_VERSION on every run. */
export type ChildTableStream = Common & {
  kind: 'child_table';
  child: ChildResourceName;
};

/**
 * The lines of every invoice: one request per invoice. A full pass (resumable, with progress) first; then
 * only the invoices the parent's changelog names are read again, vanished lines deleted. See
 * docs/decisions/tap-sync.md.
 */
export type ChildChangelogStream = Common & {
  kind: 'child_changelog';
  child: ChildResourceName;
};

export type StreamDefinition =
  | ChangelogStream
  | FullTableStream
  | ExportStream
  | PerFiscalYearStream
  | ChildTableStream
  | ChildChangelogStream;

/** Singer replication method a kind is forced to (forced-replication-method). */
export const replicationMethod = (def: StreamDefinition): 'INCREMENTAL' | 'FULL_TABLE' =>
  def.kind === 'changelog' || def.kind === 'export' || def.kind === 'child_changelog'
    ? 'INCREMENTAL'
    : 'FULL_TABLE';
