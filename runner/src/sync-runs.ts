import type pg from 'pg';

/**
 * The run history in the target database, next to the data, so a Power BI report can show when the
 * data was last refreshed and whether the last run failed (the seed's `sync_state`, with history).
 */
export type RunOutcome = 'running' | 'succeeded' | 'failed';
export type StreamRows = Record<string, { inserted: number; updated: number; deleted: number }>;

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const table = (schema: string) => `${quoteIdent(schema)}.sync_runs`;

/**
 * Creates the schema and the table when missing. Checked first, because CREATE … IF NOT EXISTS still
 * needs the CREATE privilege: a role that only owns an existing schema must be able to run syncs.
 */
export async function ensureSyncRunsTable(
  client: pg.Client,
  schema: string,
  company?: string,
): Promise<void> {
  const found = await client.query<{ schema: boolean; table: string | null; company: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, to_regclass($2) AS table,
       EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = $1 AND table_name = 'sync_runs' AND column_name = 'company') AS company`,
    [schema, table(schema)],
  );
  if (!found.rows[0]?.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  if (found.rows[0]?.table) {
    // A table from before the companies file gains the column the first time a company runs into it.
    if (company !== undefined && !found.rows[0].company) {
      await client.query(`ALTER TABLE ${table(schema)} ADD COLUMN IF NOT EXISTS company text`);
    }
    return;
  }
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${table(schema)} (
      id bigserial PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
      streams text[],
      rows jsonb,
      outcome text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed')),
      error text,
      host text NOT NULL,
      pid integer NOT NULL,
      company text
    )`);
  await client.query(
    `COMMENT ON TABLE ${table(schema)} IS 'One row per pennylane-sync run: mode, streams, rows per stream, outcome (company: its name in the companies file)'`,
  );
}

/**
 * Rows still `running` belong to runs that died without finishing (killed, machine stopped): the
 * caller holds the run lock, so none of them is alive.
 */
export async function closeAbandonedRuns(client: pg.Client, schema: string): Promise<number> {
  const res = await client.query(
    `UPDATE ${table(schema)} SET outcome = 'failed', finished_at = now(),
       error = 'interrupted: the process stopped before finishing (killed or crashed); the next run resumed from the saved state'
     WHERE outcome = 'running'`,
  );
  return res.rowCount ?? 0;
}

export async function insertRun(
  client: pg.Client,
  schema: string,
  run: {
    mode: 'full' | 'incremental';
    streams: string[] | null;
    host: string;
    pid: number;
    company?: string;
  },
): Promise<number> {
  const res =
    run.company === undefined
      ? await client.query<{ id: string }>(
          `INSERT INTO ${table(schema)} (mode, streams, outcome, host, pid) VALUES ($1, $2, 'running', $3, $4) RETURNING id`,
          [run.mode, run.streams, run.host, run.pid],
        )
      : await client.query<{ id: string }>(
          `INSERT INTO ${table(schema)} (mode, streams, outcome, host, pid, company) VALUES ($1, $2, 'running', $3, $4, $5) RETURNING id`,
          [run.mode, run.streams, run.host, run.pid, run.company],
        );
  return Number(res.rows[0]!.id);
}

export async function finishRun(
  client: pg.Client,
  schema: string,
  id: number,
  end: {
    outcome: 'succeeded' | 'failed';
    rows: StreamRows | null;
    streams: string[] | null;
    error: string | null;
  },
): Promise<void> {
  await client.query(
    `UPDATE ${table(schema)} SET finished_at = now(), outcome = $2, rows = $3, streams = COALESCE($4, streams), error = $5
     WHERE id = $1`,
    [id, end.outcome, end.rows === null ? null : JSON.stringify(end.rows), end.streams, end.error],
  );
}

export type RunningRow = { id: number; started_at: Date; mode: string; host: string; pid: number };

export async function latestRunningRun(client: pg.Client, schema: string): Promise<RunningRow | undefined> {
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table(schema)]);
  if (!exists.rows[0]?.t) return undefined;
  const res = await client.query<RunningRow>(
    `SELECT id::int AS id, started_at, mode, host, pid FROM ${table(schema)}
     WHERE outcome = 'running' ORDER BY started_at DESC LIMIT 1`,
  );
  return res.rows[0];
}
