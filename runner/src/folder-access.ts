import { statSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';

/**
 * An OS account as the kernel sees the processes we start for it: its uid and its primary group only
 * (Node's spawn with `uid`/`gid` drops the supplementary groups).
 */
export type Account = { name: string; uid: number; gid: number };

export type FolderStat = { mode: number; uid: number; gid: number };

/**
 * Whether `who` may search (enter) a folder: one permission class applies (owner, else group, else
 * other), as the kernel decides; root always may. ACLs are not read: a folder opened to the account
 * by an ACL only is reported as closed, which at worst moves the data to the shared place.
 */
export function canSearch(stat: FolderStat, who: Pick<Account, 'uid' | 'gid'>): boolean {
  if (who.uid === 0) return true;
  if (stat.uid === who.uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === who.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/**
 * The first folder, from the root down to `path` itself, that `who` cannot enter (the one to fix
 * first), or undefined when every one can be entered. A folder that does not exist yet ends the walk:
 * it will be created by us, with a mode we choose.
 */
export function firstClosedFolder(
  path: string,
  who: Pick<Account, 'uid' | 'gid'>,
  stat: (folder: string) => FolderStat | undefined = statFolder,
): string | undefined {
  const chain: string[] = [];
  let current = resolve(path);
  const root = parse(current).root;
  while (true) {
    chain.unshift(current);
    if (current === root) break;
    current = dirname(current);
  }
  for (const folder of chain) {
    const s = stat(folder);
    if (!s) return undefined;
    if (!canSearch(s, who)) return folder;
  }
  return undefined;
}

function statFolder(folder: string): FolderStat | undefined {
  try {
    const s = statSync(folder);
    return { mode: s.mode, uid: s.uid, gid: s.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
