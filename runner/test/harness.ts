import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { startSandbox } from '../../sandbox/src/index.js';
import type { Sandbox, SandboxOptions } from '../../sandbox/src/types.js';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs, type RunResult } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';

/**
 * What the runner's end-to-end tests share: a sandbox (the fake Pennylane, in-process, small and
 * without rate limit, exports ready after 100 ms), a real PostgreSQL database per test file, a state file in a temp folder, and
 * the sync CLI run as a user runs it, configured through the environment only.
 */
export const TEST_SIZE = {
  customers: 15,
  suppliers: 8,
  products: 6,
  customerInvoices: 30,
  supplierInvoices: 20,
  transactions: 40,
  bankAccounts: 1,
  fiscalYears: 2,
} as const;

/**
 * The sandbox runs without a rate limit; the tap must not pace itself to Pennylane's 25 requests per
 * 5 s either (a first run makes ~31 requests, so it would wait ~4 s), and polls exports often.
 */
export const FAST_TAP = {
  TAP_PENNYLANE_RATE_LIMIT_REQUESTS: '1000',
  TAP_PENNYLANE_EXPORT_POLL_INTERVAL_SECONDS: '0.1',
} as const;

export type Harness = {
  sandbox: Sandbox;
  db: TestDatabase;
  dir: string;
  stateFile: string;
  env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  close: () => Promise<void>;
};

/** The environment without anything from the developer's own setup (.env, a real token, a real database). */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(TAP_PENNYLANE_|TARGET_POSTGRES_|PENNYLANE_|MELTANO_|DATABASE_URL$)/.test(k),
    ),
  );
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({
    size: TEST_SIZE,
    seed: 7,
    rateLimit: false,
    exportDelayMs: 100,
    ...options,
  });
  const db = await createTestDatabase('runner');
  const dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  const stateFile = join(dir, 'state', 'state.json');
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...cleanEnv(),
    PENNYLANE_API_TOKEN: sandbox.token,
    TAP_PENNYLANE_BASE_URL: sandbox.baseUrl,
    ...FAST_TAP,
    TARGET_POSTGRES_DATABASE_URL: db.url,
    TARGET_POSTGRES_SSL_MODE: 'disable',
    PENNYLANE_SYNC_STATE_FILE: stateFile,
    LOG_LEVEL: 'warn',
    ...extra,
  });
  return {
    sandbox,
    db,
    dir,
    stateFile,
    env,
    close: async () => {
      await sandbox.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `npm run sync -- args`, with no .env file (so a developer's own settings never leak in). */
export function spawnSync(h: Harness, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(
    process.execPath,
    [...nodeArgs('runner/src/sync-cli.ts'), '--dotenv', join(h.dir, 'no.env'), ...args],
    { cwd: packageRoot, env: h.env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
}

export async function runSyncCli(
  h: Harness,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return collect(spawnSync(h, args, extraEnv));
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';

const METADATA = [
  '_sdc_extracted_at',
  '_sdc_received_at',
  '_sdc_batched_at',
  '_sdc_deleted_at',
  '_sdc_sequence',
  '_sdc_table_version',
];

/**
 * Every data table of a schema (not sync_runs), rows as JSON without the _sdc_ columns (nor `ignore`),
 * sorted, so two loads of the same data compare equal.
 */
export async function snapshot(
  client: pg.Client,
  schema = 'pennylane',
  ignore: string[] = [],
): Promise<Record<string, unknown[]>> {
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'sync_runs' ORDER BY 1`,
    [schema],
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    const res = await client.query<{ rows: unknown[] | null }>(
      `SELECT jsonb_agg(x ORDER BY x::text) AS rows
       FROM (SELECT to_jsonb(t) - $1::text[] AS x FROM "${schema}"."${name}" t) s`,
      [[...METADATA, ...ignore]],
    );
    out[name] = res.rows[0]?.rows ?? [];
  }
  return out;
}

export async function counts(client: pg.Client, schema = 'pennylane'): Promise<Record<string, number>> {
  const snap = await snapshot(client, schema);
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, v.length]));
}

export type SyncRunRow = {
  id: number;
  mode: string;
  streams: string[] | null;
  rows: Record<string, { inserted: number; updated: number; deleted: number }> | null;
  outcome: string;
  error: string | null;
  host: string;
  pid: number;
  started_at: Date;
  finished_at: Date | null;
};

export async function syncRuns(client: pg.Client, schema = 'pennylane'): Promise<SyncRunRow[]> {
  const res = await client.query<SyncRunRow>(
    `SELECT id::int AS id, mode, streams, rows, outcome, error, host, pid, started_at, finished_at
     FROM "${schema}".sync_runs ORDER BY id`,
  );
  return res.rows;
}

/** Resolves once every process of a group (the runner and the programs it started) has exited. */
export async function groupGone(pgid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`processes of group ${pgid} still running after ${timeoutMs} ms`);
}
