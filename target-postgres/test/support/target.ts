/**
 * Black-box helpers: every test drives the real `target-postgres` CLI as a child process against a real
 * PostgreSQL database, and reads the result back with SQL. Nothing here knows the engine's internals.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { type RunResult, runScript, spawnScript } from '../../../test/support/cli.js';

export const CLI = 'target-postgres/src/cli.ts';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** The text of `target-postgres/test/fixtures/<name>.singer`. */
export const fixture = (name: string): string => readFileSync(join(FIXTURES, `${name}.singer`), 'utf8');

/** A Singer stream as NDJSON text, one message per line. */
export const ndjson = (messages: readonly unknown[]): string =>
  messages.map((m) => `${JSON.stringify(m)}\n`).join('');

/** A fresh schema name per test, so the tests of one file can share a database. */
export const freshSchema = (prefix = 's'): string => `${prefix}_${randomBytes(4).toString('hex')}`;

/** A scratch directory removed at process exit. */
const scratch = mkdtempSync(join(tmpdir(), 'tpg-blackbox-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
export const scratchPath = (name: string): string =>
  join(scratch, `${randomBytes(4).toString('hex')}-${name}`);

/**
 * Writes the config to a temp file (the password lives in database_url inside it, never on argv).
 * `schema` becomes default_target_schema.
 */
export function writeConfig(url: string, schema: string, extra: Record<string, unknown> = {}): string {
  const file = scratchPath('config.json');
  writeFileSync(file, JSON.stringify({ database_url: url, default_target_schema: schema, ...extra }), {
    mode: 0o600,
  });
  return file;
}

/** The environment for the child, without any TARGET_POSTGRES_* or Meltano override of ours. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('TARGET_POSTGRES_') || k === 'MELTANO_EXTRACT__LOAD_SCHEMA') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export type TargetRun = RunResult & {
  /** stdout lines parsed as JSON (the emitted state values). */
  states: unknown[];
  /** The last stderr line (the error line when the run failed). */
  lastError: string;
};

export const parseStdout = (stdout: string): unknown[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);

export const lastStderrLine = (stderr: string): string => {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
};

/** Runs the target to completion on `input` (stdin) with the given config file and extra args. */
export async function runTarget(
  configFile: string,
  input: string | Buffer | undefined,
  args: string[] = [],
  options: SpawnOptions = {},
): Promise<TargetRun> {
  const result = await runScript(CLI, ['--config', configFile, ...args], input ?? '', {
    env: cleanEnv(),
    ...options,
  });
  let states: unknown[] = [];
  try {
    states = parseStdout(result.stdout);
  } catch {
    states = [];
  }
  return { ...result, states, lastError: lastStderrLine(result.stderr) };
}

/** Spawns the target and leaves stdin open for the caller to feed. */
export function spawnTarget(configFile: string, args: string[] = []): ChildProcess {
  return spawnScript(CLI, ['--config', configFile, ...args], { env: cleanEnv() });
}

/** Asserts-friendly summary of a failed or succeeded run, for assertion messages. */
export const explain = (run: RunResult): string =>
  `exit ${run.code} signal ${run.signal}\n--- stdout ---\n${run.stdout}\n--- stderr (tail) ---\n${run.stderr
    .split('\n')
    .slice(-15)
    .join('\n')}`;

/** Quotes an identifier for PostgreSQL, whatever it contains. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const table = (schema: string, name: string): string => `${ident(schema)}.${ident(name)}`;

/** Rows of a query. */
export async function rows<T = Record<string, unknown>>(
  client: pg.Client | pg.Pool,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (await client.query(sql, params)).rows as T[];
}

/** Column name → PostgreSQL type (information_schema data_type) of a table. */
export async function columnTypes(
  client: pg.Client,
  schema: string,
  tableName: string,
): Promise<Record<string, string>> {
  const r = await rows<{ column_name: string; data_type: string }>(
    client,
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, tableName],
  );
  return Object.fromEntries(r.map((c) => [c.column_name, c.data_type]));
}

/** The tables of a schema. */
export async function tablesOf(client: pg.Client, schema: string): Promise<string[]> {
  const r = await rows<{ table_name: string }>(
    client,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
      ORDER BY table_name`,
    [schema],
  );
  return r.map((t) => t.table_name);
}

/** The primary-key columns of a table, in key order. */
export async function primaryKey(client: pg.Client, schema: string, tableName: string): Promise<string[]> {
  const r = await rows<{ attname: string }>(
    client,
    `SELECT a.attname FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE i.indisprimary AND n.nspname = $1 AND c.relname = $2 ORDER BY k.ord`,
    [schema, tableName],
  );
  return r.map((x) => x.attname);
}

/**
 * A table's user columns (no `_sdc_*` metadata, whose timestamps differ between runs), ordered by `orderBy`,
 * as JSON text per row: the form to compare two loads with.
 */
export async function userRows(
  client: pg.Client,
  schema: string,
  tableName: string,
  orderBy: string,
): Promise<Record<string, unknown>[]> {
  const cols = Object.keys(await columnTypes(client, schema, tableName)).filter(
    (c) => !c.startsWith('_sdc_') || c === '_sdc_deleted_at' || c === '_sdc_table_version',
  );
  const list = cols.map((c) => `${ident(c)}::text AS ${ident(c)}`).join(', ');
  return rows(client, `SELECT ${list} FROM ${table(schema, tableName)} ORDER BY ${orderBy}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type Summary = {
  streams: Record<string, { inserted: number; updated: number; deleted: number }>;
  seconds: number;
};

/** The `target-postgres: summary {...}` line of a successful run, parsed. */
export function summaryOf(stderr: string): Summary {
  const marker = 'target-postgres: summary ';
  const line = stderr.split('\n').find((l) => l.includes(marker));
  if (!line) throw new Error(`no summary line on stderr:\n${stderr.split('\n').slice(-10).join('\n')}`);
  return JSON.parse(line.slice(line.indexOf(marker) + marker.length)) as Summary;
}

/** Builders for Singer messages, to write small streams inline. */
export const schemaMsg = (
  stream: string,
  properties: Record<string, unknown>,
  keyProperties: string[] = ['id'],
): Record<string, unknown> => ({
  type: 'SCHEMA',
  stream,
  schema: { type: 'object', properties },
  key_properties: keyProperties,
});
export const recordMsg = (
  stream: string,
  record: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({ type: 'RECORD', stream, record, ...extra });
export const stateMsg = (value: unknown): Record<string, unknown> => ({ type: 'STATE', value });
export const activateMsg = (stream: string, version: number): Record<string, unknown> => ({
  type: 'ACTIVATE_VERSION',
  stream,
  version,
});

export type LiveTarget = {
  child: ChildProcess;
  /** Writes text to the target's stdin, waiting for drain when its pipe is full. */
  write: (text: string) => Promise<void>;
  /** Ends stdin and waits for the process to exit. */
  finish: () => Promise<RunResult>;
  /** Resolves once the process has exited (after a kill, say). */
  exited: Promise<RunResult>;
  stdout: () => string;
  stderr: () => string;
  /** Called with each complete stdout line as soon as it arrives. */
  onLine: (listener: (line: string) => void) => void;
};

/** Spawns the target with stdin open, so a test can feed it at its own pace and watch its stdout. */
export function startTarget(configFile: string, args: string[] = []): LiveTarget {
  const child = spawnTarget(configFile, args);
  let out = '';
  let err = '';
  let partial = '';
  const listeners: ((line: string) => void)[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    partial += d;
    let nl = partial.indexOf('\n');
    while (nl !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      for (const l of listeners) l(line);
      nl = partial.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdin?.on('error', () => {});
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    write: async (text) => {
      if (child.exitCode !== null || child.signalCode !== null || !child.stdin?.writable) return;
      if (!child.stdin.write(text)) {
        await Promise.race([new Promise((r) => child.stdin?.once('drain', r)), exited]);
      }
    },
    finish: async () => {
      child.stdin?.end();
      return exited;
    },
    exited,
    stdout: () => out,
    stderr: () => err,
    onLine: (listener) => listeners.push(listener),
  };
}

/**
 * Resolves with `value` after `ms`, without keeping the process alive: for the losing side of a
 * Promise.race (a plain sleep would hold the test file open until it fires).
 */
export const timeout = <T>(ms: number, value: T): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
