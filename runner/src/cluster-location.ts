import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Account, firstClosedFolder } from './folder-access.js';

/**
 * Where the embedded PostgreSQL keeps what the OS user `postgres` must reach when we run as root and
 * the project's own folder is closed to it (a clone in root's 0700 home, a private temporary folder):
 * `/var/lib/<program>` is where Linux services keep their state.
 */
export const SHARED_HOME = '/var/lib/pennylane-sync';

/**
 * The folder in SHARED_HOME for one data folder (a checkout's `.data`, `.data/demo`, or
 * PENNYLANE_SYNC_DATA_DIR): stable for that path, so a later `npm run sync` finds the same cluster,
 * and different for two checkouts (a hash of the resolved path), with the path's tail in the name so
 * that a person listing the folder sees whose cluster it is.
 */
export function sharedClusterHome(dataDirReal: string, home = SHARED_HOME): string {
  const hash = createHash('sha256').update(dataDirReal).digest('hex').slice(0, 12);
  const slug = dataDirReal
    .replace(/[^A-Za-z0-9_.]+/g, '-')
    .slice(-40)
    .replace(/^[-.]+|-+$/g, '');
  return join(home, `${slug || 'root'}-${hash}`);
}

export type ClusterPlace = {
  /** The cluster folder (PGDATA). */
  dir: string;
  /** True when it lives in SHARED_HOME rather than in the data folder. */
  shared: boolean;
  /** The folder that keeps the `postgres` user out of the data folder, when that is why it is shared. */
  closedFolder?: string;
};

/**
 * Where the cluster of a data folder lives. Not root: in the data folder, as always. As root: where
 * it already is (a cluster made in the data folder by an earlier version, or one made in SHARED_HOME
 * for this data folder, stays there: data is never left behind); a new one in the data folder when
 * the `postgres` user can enter it (CI, a server's /srv, /opt…: nothing changes there), else in
 * SHARED_HOME. Pure: the facts about the disk are passed in.
 */
export function chooseClusterDir(
  local: string,
  shared: string,
  facts: {
    asRoot: boolean;
    isCluster: (dir: string) => boolean;
    closedFolder: (dir: string) => string | undefined;
  },
): ClusterPlace {
  if (!facts.asRoot || facts.isCluster(local)) return { dir: local, shared: false };
  const closedFolder = facts.closedFolder(local);
  if (closedFolder) return { dir: shared, shared: true, closedFolder };
  if (facts.isCluster(shared)) return { dir: shared, shared: true };
  return { dir: local, shared: false };
}

/**
 * Creates `path` (root-owned, mode 0755 whatever the umask) and checks that `who` can enter it, with
 * one clear line naming the folder that keeps it out otherwise.
 */
export function makeReachableFolder(path: string, who: Account): void {
  let first: string | undefined;
  try {
    first = mkdirSync(path, { recursive: true, mode: 0o755 });
  } catch (err) {
    // e.g. a read-only /var/lib in a container
    throw new Error(
      `the embedded PostgreSQL runs as the OS user "${who.name}", which cannot reach the project's folder, and ${path} ` +
        `could not be created for it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ` +
        'move the project to a folder every user can enter (e.g. /srv), or configure your own server (DATABASE_URL)',
    );
  }
  if (first) {
    // Only the folders created here: an existing folder's mode is its owner's choice.
    let current = first;
    chmodSync(current, 0o755);
    for (const part of relative(first, path).split(sep).filter(Boolean)) {
      current = join(current, part);
      chmodSync(current, 0o755);
    }
  }
  const closed = firstClosedFolder(path, who);
  if (closed) {
    throw new Error(
      `the embedded PostgreSQL runs as the OS user "${who.name}", which cannot enter ${closed}: ` +
        `run \`chmod o+x ${closed}\`, or configure your own server (DATABASE_URL)`,
    );
  }
}
