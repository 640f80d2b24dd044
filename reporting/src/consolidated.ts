import { createHash } from 'node:crypto';
import type pg from 'pg';
import { loadViewFiles, quoteIdent } from './view-files.js';

/** A company as the consolidated views see it: its slug, its synced schema, its own views' schema. */
export type CompanySchemas = { name: string; schema: string; reportingSchema: string };

export type ConsolidatedResult = { built: string[]; skipped: string[]; seconds: number };

/** Each company's reporting views go to `<schema>_reporting`, next to its synced tables. */
export const companyReportingSchema = (schema: string): string => `${schema}_reporting`;

/** The runs of every company in one place: sync_runs is not a reporting view but a firm wants it too. */
const SYNC_RUNS_COLUMNS =
  'id, started_at, finished_at, mode, streams, rows, outcome, error, host, pid' as const;

/**
 * The union, per view, of every company's view, with a leading `company` column (the slug). Pure: the
 * caller knows which companies have the view.
 */
export function unionSql(target: string, view: string, parts: { company: string; from: string }[]): string {
  const selects = parts.map((p) => `SELECT ${literal(p.company)}::text AS company, * FROM ${p.from}`);
  return `CREATE OR REPLACE VIEW ${quoteIdent(target)}.${quoteIdent(view)} AS\n${selects.join('\nUNION ALL\n')}`;
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Rebuilds the consolidated views in `target` over `companies`, in ONE transaction (a reader never
 * sees half of it), under a transaction lock on the target schema so two runs ending together queue
 * instead of failing. Called at the end of every multi-company run: a company added or removed from the
 * file is added to or removed from every view. A view no company has yet is skipped.
 */
export async function applyConsolidated(
  client: pg.Client,
  companies: CompanySchemas[],
  target: string,
  warn: (line: string) => void = () => {},
): Promise<ConsolidatedResult> {
  const started = Date.now();
  const names = [...loadViewFiles().views.map((v) => v.name), 'sync_runs'];
  const digest = createHash('sha256').update(`pennylane-consolidated:${target}`).digest();
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [
      digest.readInt32BE(0),
      digest.readInt32BE(4),
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target)}`);
    const built: string[] = [];
    const skipped: string[] = [];
    for (const view of names) {
      const parts: { company: string; from: string }[] = [];
      for (const c of companies) {
        const from =
          view === 'sync_runs'
            ? `(SELECT ${SYNC_RUNS_COLUMNS} FROM ${quoteIdent(c.schema)}.sync_runs) r`
            : `${quoteIdent(c.reportingSchema)}.${quoteIdent(view)}`;
        const rel = view === 'sync_runs' ? `${quoteIdent(c.schema)}.sync_runs` : from;
        const found = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [rel]);
        if (found.rows[0]?.t) parts.push({ company: c.name, from });
      }
      if (parts.length === 0) {
        skipped.push(view);
        warn(
          `reporting: skipped ${target}.${view}: no company has it yet (not synced, or its streams not selected)`,
        );
        continue;
      }
      await replaceView(client, target, view, unionSql(target, view, parts), new Set(names));
      built.push(view);
    }
    await client.query('COMMIT');
    return { built, skipped, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * CREATE OR REPLACE, or — when the columns changed (the single-company layer was here before, or a
 * company's views gained a column) — drop and create. Views of ours that depend on it go with it and
 * are rebuilt later in the order; a user's view stops everything and is named.
 */
async function replaceView(
  client: pg.Client,
  target: string,
  view: string,
  sql: string,
  ours: Set<string>,
): Promise<void> {
  await client.query('SAVEPOINT consolidated_view');
  try {
    await client.query(sql);
    await client.query('RELEASE SAVEPOINT consolidated_view');
    return;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT consolidated_view');
  }
  const qualified = `${quoteIdent(target)}.${quoteIdent(view)}`;
  const deps = await client.query<{ schema: string; name: string }>(
    `SELECT DISTINCT n.nspname AS schema, c.relname AS name
     FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
     JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid`,
    [qualified],
  );
  const theirs = deps.rows.filter((d) => !(d.schema === target && ours.has(d.name)));
  if (theirs.length > 0) {
    throw new Error(
      `${qualified} gains a leading "company" column or changes its columns, and your view ${theirs[0]!.schema}.${theirs[0]!.name} ` +
        'depends on it: save its definition, drop it, run the sync again, then create it again; nothing was changed',
    );
  }
  await client.query(`DROP VIEW IF EXISTS ${qualified} CASCADE`);
  await client.query(sql);
}
