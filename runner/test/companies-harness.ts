import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompaniesSandbox, startCompaniesSandbox } from '../../sandbox/src/index.js';
import type { SandboxControl } from '../../sandbox/src/types.js';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs, type RunResult } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { cleanEnv, collect, FAST_TAP, TEST_SIZE } from './harness.js';

/**
 * A firm's portfolio end to end: three sandbox companies of different sizes and seeds on one port,
 * one companies file (an inline token, a token named by a variable, an explicit schema), the CLIs
 * run as a user runs them, one real PostgreSQL database.
 */
export const COMPANIES = [
  { name: 'acme', token: 'tok-acme-1f2e3d', seed: 7, size: TEST_SIZE },
  { name: 'beta', token: 'tok-beta-9a8b7c', seed: 8, size: { ...TEST_SIZE, customers: 9, transactions: 20 } },
  { name: 'gamma', token: 'tok-gamma-5e6f7a', seed: 9, size: { ...TEST_SIZE, customerInvoices: 12 } },
] as const;

export const SCHEMAS = [
  ['acme', 'pennylane_acme'],
  ['beta', 'pennylane_beta'],
  ['gamma', 'compta_gamma'],
] as const;

export type CompaniesHarness = {
  sandbox: CompaniesSandbox;
  db: TestDatabase;
  dir: string;
  file: string;
  env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  control: (name: string) => SandboxControl;
  spawnCli: (script: string, args: string[], extra?: NodeJS.ProcessEnv) => ReturnType<typeof spawn>;
  run: (args?: string[], extra?: NodeJS.ProcessEnv) => Promise<RunResult>;
  close: () => Promise<void>;
};

export async function startCompaniesHarness(): Promise<CompaniesHarness> {
  const sandbox = await startCompaniesSandbox(
    COMPANIES.map((c) => ({ ...c, rateLimit: false as const, exportDelayMs: 100 })),
  );
  const db = await createTestDatabase('runner');
  const dir = mkdtempSync(join(tmpdir(), 'companies-test-'));
  const file = join(dir, 'companies.json');
  writeFileSync(
    file,
    JSON.stringify({
      companies: [
        { name: 'acme', api_token: COMPANIES[0].token, base_url: sandbox.baseUrl },
        { name: 'beta', api_token_env: 'BETA_TOKEN', base_url: sandbox.baseUrl },
        { name: 'gamma', api_token: COMPANIES[2].token, base_url: sandbox.baseUrl, schema: 'compta_gamma' },
      ],
    }),
  );
  chmodSync(file, 0o600);
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...cleanEnv(),
    ...FAST_TAP,
    TARGET_POSTGRES_DATABASE_URL: db.url,
    TARGET_POSTGRES_SSL_MODE: 'disable',
    PENNYLANE_COMPANIES_FILE: file,
    PENNYLANE_SYNC_STATE_DIR: join(dir, 'state'),
    BETA_TOKEN: COMPANIES[1].token,
    LOG_LEVEL: 'warn',
    ...extra,
  });
  const spawnCli = (script: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawn(process.execPath, [...nodeArgs(script), '--dotenv', join(dir, 'no.env'), ...args], {
      cwd: packageRoot,
      env: env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return {
    sandbox,
    db,
    dir,
    file,
    env,
    control: (name) => sandbox.companies.find((c) => c.name === name)!.control,
    spawnCli,
    run: (args = [], extra = {}) => collect(spawnCli('runner/src/sync-cli.ts', args, extra)),
    close: async () => {
      await sandbox.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The summary line of one company. */
export const lineOf = (res: RunResult, name: string): string =>
  res.stderr.split('\n').find((l) => l.startsWith(`pennylane-sync [${name}]: `)) ?? '';

export async function ids(db: TestDatabase, schema: string, table: string): Promise<number[]> {
  const res = await db.client.query<{ id: string }>(`SELECT id FROM ${schema}.${table} ORDER BY id`);
  return res.rows.map((r) => Number(r.id));
}

export const apiIds = (control: SandboxControl, resource: 'customers' | 'suppliers' | 'customer_invoices') =>
  control
    .records(resource)
    .map((r) => Number(r.id))
    .sort((a, b) => a - b);
