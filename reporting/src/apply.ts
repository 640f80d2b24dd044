import type pg from 'pg';
import { loadViewFiles, quoteIdent, type SetupFile, type ViewFile, withSchemas } from './view-files.js';

export type ReportingOptions = {
  /** Schema of the synced tables (TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA, default pennylane). */
  sourceSchema: string;
  /** Schema the views are written to (PENNYLANE_REPORTING_SCHEMA, default reporting). */
  reportingSchema: string;
  /** One line per skipped view (and anything else worth a line). */
  warn?: (line: string) => void;
  /** The files to apply; default the ones in reporting/sql. */
  files?: { setup: SetupFile[]; views: ViewFile[] };
};

export type Skipped = { view: string; reason: string };
export type ReportingResult = { built: string[]; skipped: Skipped[]; seconds: number };

/** A change PostgreSQL cannot make while a user's view depends on ours: nothing was changed. */
export class ReportingConflictError extends Error {
  override name = 'ReportingConflictError';
}

/** The synced tables are not in the layout the views read (the runner's flattening): nothing was changed. */
export class ReportingLayoutError extends Error {
  override name = 'ReportingLayoutError';
}

const LAYOUT_HINT =
  'the views read the tables as the runner loads them (flattened columns such as ledger_account__number: ' +
  "TARGET_POSTGRES_FLATTENING_ENABLED=true, TARGET_POSTGRES_FLATTENING_MAX_DEPTH=2, the runner's default); " +
  'remove those settings from .env if you changed them, and run `npm run sync -- --full` into a fresh schema';

/**
 * Builds (or rebuilds) the reporting layer in ONE transaction, so a reader never sees half of it:
 * the index file first, then each view in dependency order with CREATE OR REPLACE VIEW (which keeps
 * users' views built on ours when we only add columns). A view whose synced table does not exist is
 * skipped with a reason, and so are the views built on it. A change PostgreSQL can only make by
 * dropping a view that a user's view depends on rolls everything back and names that view.
 */
export async function applyReporting(client: pg.Client, options: ReportingOptions): Promise<ReportingResult> {
  const started = Date.now();
  const { sourceSchema: source, reportingSchema: target } = options;
  const files = options.files ?? loadViewFiles();
  const warn = options.warn ?? (() => {});
  const sql = (text: string) => withSchemas(text, source, target);

  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target)}`);
    const tables = await existingTables(client, source);
    if (tables.size === 0) {
      warn(
        `reporting: schema "${source}" holds no synced table yet: run \`npm run sync\` first (each view is skipped)`,
      );
    }
    checkLayout(tables, source);
    for (const f of files.setup) await client.query(sql(f.sql));

    const built: string[] = [];
    const skipped: Skipped[] = [];
    const skippedNames = new Set<string>();
    const ours = new Set(files.views.map((v) => v.name));
    for (const view of files.views) {
      const missing = view.tables.filter((t) => !tables.has(t));
      const missingViews = view.views.filter((v) => skippedNames.has(v));
      if (missing.length > 0 || missingViews.length > 0) {
        const reason =
          missing.length > 0
            ? `its source table${missing.length > 1 ? 's' : ''} ${missing.map((t) => `${source}.${t}`).join(', ')} ` +
              `${missing.length > 1 ? 'do' : 'does'} not exist (stream${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not selected or not synced yet)`
            : `it reads ${missingViews.map((v) => `${target}.${v}`).join(', ')}, skipped`;
        skipped.push({ view: view.name, reason });
        skippedNames.add(view.name);
        warn(`reporting: skipped ${target}.${view.name}: ${reason}; the other views are built`);
        continue;
      }
      await createView(client, view, sql(view.sql), source, target, ours);
      built.push(view.name);
    }
    await client.query('COMMIT');
    return { built, skipped, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

type Columns = Map<string, Set<string>>;

async function existingTables(client: pg.Client, schema: string): Promise<Columns> {
  const res = await client.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'`,
    [schema],
  );
  const tables: Columns = new Map();
  for (const r of res.rows) {
    const cols = tables.get(r.table_name) ?? new Set<string>();
    cols.add(r.column_name);
    tables.set(r.table_name, cols);
  }
  return tables;
}

/** The tell-tale of tables loaded without flattening: a jsonb column where the views read `x__id`. */
const FLATTENED: [table: string, column: string, nested: string][] = [
  ['ledger_entry_lines', 'ledger_account__number', 'ledger_account'],
  ['customer_invoices', 'customer__id', 'customer'],
  ['supplier_invoices', 'supplier__id', 'supplier'],
  ['transactions', 'bank_account__id', 'bank_account'],
];

export function checkLayout(tables: Columns, source: string): void {
  for (const [table, column, nested] of FLATTENED) {
    const cols = tables.get(table);
    if (cols && !cols.has(column) && cols.has(nested)) {
      throw new ReportingLayoutError(
        `${source}.${table} has a column ${nested} (jsonb) but no ${column}: ${LAYOUT_HINT}; nothing was changed`,
      );
    }
  }
}

const SQLSTATE = {
  undefinedColumn: '42703',
  invalidTableDefinition: '42P16', // cannot drop columns from view / cannot change name of view column
  datatypeMismatch: '42804', // cannot change data type of view column
  featureNotSupported: '0A000',
} as const;

async function createView(
  client: pg.Client,
  view: ViewFile,
  text: string,
  source: string,
  target: string,
  ours: Set<string>,
): Promise<void> {
  const qualified = `${quoteIdent(target)}.${quoteIdent(view.name)}`;
  await client.query('SAVEPOINT reporting_view');
  try {
    await client.query(text);
    await client.query('RELEASE SAVEPOINT reporting_view');
    return;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT reporting_view');
    const e = err as Error & { code?: string };
    if (e.code === SQLSTATE.undefinedColumn) {
      throw new ReportingLayoutError(
        `${qualified} (reporting/sql/${view.file}): ${e.message} in the tables of schema "${source}": ${LAYOUT_HINT}; nothing was changed`,
      );
    }
    const incompatible =
      e.code === SQLSTATE.invalidTableDefinition ||
      e.code === SQLSTATE.datatypeMismatch ||
      e.code === SQLSTATE.featureNotSupported;
    if (!incompatible) {
      throw new Error(`${qualified} (reporting/sql/${view.file}): ${e.message}`);
    }
  }
  // The new definition removes, renames or retypes a column: PostgreSQL only allows that by dropping
  // the view. Ours that depend on it come later in the order and are rebuilt; a user's view would be lost.
  const dependants = await dependantsOf(client, target, view.name);
  const theirs = dependants.filter((d) => !(d.schema === target && ours.has(d.name)));
  if (theirs.length > 0) {
    const names = theirs.map((d) => `${d.schema}.${d.name}`).join(', ');
    throw new ReportingConflictError(
      `${qualified} changes its columns in a way PostgreSQL cannot apply in place, and your view${theirs.length > 1 ? 's' : ''} ` +
        `${names} ${theirs.length > 1 ? 'depend' : 'depends'} on it: save ${theirs.length > 1 ? 'their' : 'its'} definition ` +
        `(SELECT pg_get_viewdef('${theirs[0]!.schema}.${theirs[0]!.name}')), drop ${theirs.length > 1 ? 'them' : 'it'}, ` +
        `run \`npm run reporting\`, then create ${theirs.length > 1 ? 'them' : 'it'} again; nothing was changed`,
    );
  }
  await client.query(`DROP VIEW ${qualified} CASCADE`);
  await client.query(text);
}

type Dependant = { schema: string; name: string };

/** Every view that depends on `schema.name`, directly or through other views. */
async function dependantsOf(client: pg.Client, schema: string, name: string): Promise<Dependant[]> {
  const res = await client.query<Dependant>(
    `WITH RECURSIVE deps(oid) AS (
       SELECT DISTINCT r.ev_class
       FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
       WHERE d.refobjid = format('%I.%I', $1::text, $2::text)::regclass AND r.ev_class <> d.refobjid
       UNION
       SELECT r.ev_class
       FROM deps JOIN pg_depend d ON d.refobjid = deps.oid JOIN pg_rewrite r ON r.oid = d.objid
       WHERE r.ev_class <> d.refobjid
     )
     SELECT n.nspname AS schema, c.relname AS name
     FROM deps JOIN pg_class c ON c.oid = deps.oid JOIN pg_namespace n ON n.oid = c.relnamespace
     ORDER BY 1, 2`,
    [schema, name],
  );
  return res.rows;
}
