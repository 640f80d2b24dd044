/**
 * `npm test`: starts a throwaway PostgreSQL (unless TEST_DATABASE_URL points at one), then runs every
 * *.test.ts file with Node's own test runner, and stops the server whatever happens.
 * Extra arguments are passed on, e.g. `npm run test:only -- target-postgres/test/types.test.ts`.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startThrowawayPostgres } from '../test/support/embedded-postgres.js';

const explicit = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const SKIP = new Set(['node_modules', 'dist', '.data', '.git', 'state']);
function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return findTests(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}
const files = explicit.length > 0 ? explicit : findTests('.').sort();

let server: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  server = await startThrowawayPostgres();
  env.TEST_DATABASE_URL = server.url;
  process.stderr.write(`run-tests: started a throwaway PostgreSQL for this run\n`);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=180000', ...flags, ...files],
  { stdio: 'inherit', env },
);
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await server?.stop();
process.exit(code);
