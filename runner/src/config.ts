import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientConfig } from 'pg';
import { registerSecret } from '../../singer/src/log.js';
import { ConfigError, loadConfig } from '../../singer/src/settings.js';
import { TARGET_INFO, toTargetConfig } from '../../target-postgres/src/config.js';
import type { Schedule } from './schedule.js';

/**
 * The runner's configuration, all from environment variables (the `.env` file is loaded into them
 * first). The programs it starts read their own TAP_PENNYLANE_* / TARGET_POSTGRES_* variables from the
 * same environment, so there is one place to configure everything and no config file with secrets.
 */
export const RUNNER_ENV = {
  stateFile: 'PENNYLANE_SYNC_STATE_FILE',
  dataDir: 'PENNYLANE_SYNC_DATA_DIR',
  dbPort: 'PENNYLANE_SYNC_DB_PORT',
  incrementalCron: 'PENNYLANE_SYNC_INCREMENTAL_CRON',
  fullCron: 'PENNYLANE_SYNC_FULL_CRON',
  timeZone: 'PENNYLANE_SYNC_TIMEZONE',
  reporting: 'PENNYLANE_REPORTING',
  reportingSchema: 'PENNYLANE_REPORTING_SCHEMA',
} as const;

export const DEFAULTS = {
  stateFile: 'state/state.json',
  dataDir: '.data',
  dbPort: 5433,
  schema: 'pennylane',
  incrementalCron: '0 */2 * * *',
  fullCron: '0 3 * * *',
  timeZone: 'Europe/Paris',
  reportingSchema: 'reporting',
} as const;

/** Where the data goes: a server the user configured, or the embedded one the runner starts. */
export type DatabaseChoice =
  | { kind: 'configured'; connection: ClientConfig; describe: string }
  | { kind: 'embedded'; dataDir: string; port: number };

export type RunnerConfig = {
  stateFile: string;
  schema: string;
  database: DatabaseChoice;
  schedule: Schedule;
  /** The reporting layer (reporting/sql) rebuilt after each successful sync; null when turned off. */
  reportingSchema: string | null;
  /** Where `npm run reporting` writes the views, even when the automatic rebuild is off. */
  reportingTarget: string;
  /** The environment both programs get (the process's, plus what the runner derives). */
  childEnv: NodeJS.ProcessEnv;
};

/**
 * Loads `file` (default `.env` in the current folder) into process.env. Variables already set in the
 * environment win, so `FOO=1 npm run sync` overrides the file for one run.
 */
export function loadDotEnv(file = '.env'): string | undefined {
  const path = resolve(file);
  if (!existsSync(path)) return undefined;
  try {
    process.loadEnvFile(path);
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}; each line must be NAME=value`);
  }
  return path;
}

const set = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
};

/** A server is configured when any of these is set; otherwise the embedded one is used. */
export const SERVER_VARIABLES = [
  'TARGET_POSTGRES_DATABASE_URL',
  'TARGET_POSTGRES_HOST',
  'DATABASE_URL',
] as const;

function describeConnection(c: ClientConfig): string {
  if (c.connectionString) {
    try {
      const u = new URL(c.connectionString);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'the configured database';
    }
  }
  return `${c.host ?? 'localhost'}:${c.port ?? 5432}/${c.database ?? c.user ?? ''}`;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}="${raw}" must be true or false`);
}

function portNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(`${name}="${raw}" must be a TCP port number (1-65535)`);
  }
  return n;
}

/** Fails before anything starts when no token is set, with what a first-time user needs to do. */
export function requireToken(env: NodeJS.ProcessEnv): void {
  if (set(env, 'PENNYLANE_API_TOKEN') || set(env, 'TAP_PENNYLANE_API_TOKEN')) return;
  throw new ConfigError(
    'PENNYLANE_API_TOKEN is not set: copy .env.example to .env and put your Pennylane API token in it ' +
      '(Pennylane › Paramètres › Connectivité › Développeurs), or run `npm run demo` to try without one',
  );
}

/**
 * target-postgres alone keeps nested objects as jsonb (Meltano's default, right for a generic target);
 * the product flattens them, because Power BI users want `customer__id` or `ledger_account__number`
 * as plain columns. Depth 2 reaches the deepest objects of the tap's schemas
 * (`pro_account_expense__employee__id`). A user's own setting wins.
 */
export const PRODUCT_FLATTENING = {
  TARGET_POSTGRES_FLATTENING_ENABLED: 'true',
  TARGET_POSTGRES_FLATTENING_MAX_DEPTH: '2',
} as const;

/** The environment with the product's target-postgres defaults (flattening) where the user set nothing. */
export function withProductDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (set(env, 'TARGET_POSTGRES_FLATTENING_ENABLED') !== undefined) return { ...env };
  return {
    ...env,
    TARGET_POSTGRES_FLATTENING_ENABLED: PRODUCT_FLATTENING.TARGET_POSTGRES_FLATTENING_ENABLED,
    TARGET_POSTGRES_FLATTENING_MAX_DEPTH:
      set(env, 'TARGET_POSTGRES_FLATTENING_MAX_DEPTH') ??
      PRODUCT_FLATTENING.TARGET_POSTGRES_FLATTENING_MAX_DEPTH,
  };
}

export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const childEnv: NodeJS.ProcessEnv = withProductDefaults(env);
  // The seed's users know the `pennylane` schema; the target alone would default to `public`.
  const schema =
    set(env, 'TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA') ??
    set(env, 'MELTANO_EXTRACT__LOAD_SCHEMA') ??
    DEFAULTS.schema;
  childEnv.TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA = schema;
  registerSecret(set(env, 'PENNYLANE_API_TOKEN'));
  registerSecret(set(env, 'TAP_PENNYLANE_API_TOKEN'));

  let database: DatabaseChoice;
  if (SERVER_VARIABLES.some((name) => set(env, name) !== undefined)) {
    if (!set(env, 'TARGET_POSTGRES_DATABASE_URL') && !set(env, 'TARGET_POSTGRES_HOST')) {
      childEnv.TARGET_POSTGRES_DATABASE_URL = set(env, 'DATABASE_URL');
    }
    // The runner connects (lock, sync_runs) exactly as the target will: same settings, same code.
    const target = toTargetConfig(loadConfig(TARGET_INFO, undefined, childEnv));
    registerSecret(typeof target.connection.password === 'string' ? target.connection.password : undefined);
    if (target.connection.connectionString) {
      const password = new URL(target.connection.connectionString).password;
      registerSecret(password ? decodeURIComponent(password) : undefined);
      registerSecret(target.connection.connectionString);
    }
    database = {
      kind: 'configured',
      connection: { ...target.connection, application_name: 'pennylane-sync' },
      describe: describeConnection(target.connection),
    };
  } else {
    database = {
      kind: 'embedded',
      dataDir: resolve(set(env, RUNNER_ENV.dataDir) ?? DEFAULTS.dataDir),
      port: portNumber(env, RUNNER_ENV.dbPort, DEFAULTS.dbPort),
    };
  }

  const reportingTarget = set(env, RUNNER_ENV.reportingSchema) ?? DEFAULTS.reportingSchema;
  if (reportingTarget === schema) {
    throw new ConfigError(
      `${RUNNER_ENV.reportingSchema}="${reportingTarget}" is the schema the sync writes to: the views need a schema of their own`,
    );
  }
  return {
    stateFile: resolve(set(env, RUNNER_ENV.stateFile) ?? DEFAULTS.stateFile),
    reportingSchema: flag(env, RUNNER_ENV.reporting, true) ? reportingTarget : null,
    reportingTarget,
    schema,
    database,
    schedule: {
      incremental: set(env, RUNNER_ENV.incrementalCron) ?? DEFAULTS.incrementalCron,
      full: set(env, RUNNER_ENV.fullCron) ?? DEFAULTS.fullCron,
      timeZone: set(env, RUNNER_ENV.timeZone) ?? DEFAULTS.timeZone,
    },
    childEnv,
  };
}
