import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../singer/src/paths.js';

/**
 * How to start one of our programs from a test: from source through tsx when the tests run from
 * source, so no build step is needed between an edit and a test run.
 */
export function nodeArgs(scriptFromRoot: string): string[] {
  return ['--import', 'tsx', join(packageRoot, scriptFromRoot)];
}

export function spawnScript(
  scriptFromRoot: string,
  args: string[],
  options: SpawnOptions = {},
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs(scriptFromRoot), ...args], {
    cwd: packageRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
  });
}

export type RunResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};

/** Runs a script to completion, feeding `input` on stdin, and collects its output. */
export async function runScript(
  scriptFromRoot: string,
  args: string[],
  input?: string | Buffer,
  options: SpawnOptions = {},
): Promise<RunResult> {
  const child = spawnScript(scriptFromRoot, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin?.on('error', () => {});
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
