/**
 * `npm run bench:companies [-- --companies 50] [--parallel 2,4,8] [--no-incremental] [--compiled]`
 *
 * A firm's portfolio against the sandbox at Pennylane's REAL per-token budget (25 requests / 5 s, the
 * sandbox enforcing it for each token): N small companies (sizes cycling 100/50/25/75 % of a small
 * base), `npm run sync` with a companies file into a throwaway PostgreSQL, for each --parallel value:
 * 1. Full run: wall time vs the ideal = the slowest company's rate floor (its requests ÷ 5 per s)
 *    × ⌈N ÷ parallel⌉, i.e. what the budget alone would allow with that many pipes at once; and the
 *    peak memory of the whole process tree (runner + every tap and target), sampled from /proc.
 * 2. Incremental round (the last --parallel value): 5 changes per company, then `npm run sync`
 *    again; wall time (goal ≤ 30 s for 50 companies).
 * `npm run sync` runs the programs through tsx (compiling on every start); --compiled runs the
 * `pennylane-sync` bin from dist/ (`npm run build` first), as an installed package does.
 * Figures go to stderr and, as one JSON line, to stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RATE_LIMIT } from '../pennylane/src/api.js';
import { startCompaniesSandbox } from '../sandbox/src/index.js';
import { portfolio, writeCompaniesFile } from '../sandbox/src/portfolio.js';
import type { SandboxCounts } from '../sandbox/src/types.js';
import { packageRoot } from '../singer/src/paths.js';
import { nodeArgs } from '../test/support/cli.js';
import { startThrowawayPostgres } from '../test/support/embedded-postgres.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const N = Number(option('companies', '50'));
const PARALLEL = option('parallel', '4').split(',').map(Number);
const INCREMENTAL = !argv.includes('--no-incremental');
/** The compiled `pennylane-sync` bin (after `npm run build`): tap and target start without tsx. */
const COMPILED = argv.includes('--compiled');
const say = (s: string) => process.stderr.write(`bench-companies: ${s}\n`);

/** "Small" here is a small client of a firm: a few hundred objects, two fiscal years. */
const BASE: SandboxCounts = {
  customers: 30,
  suppliers: 15,
  products: 10,
  customerInvoices: 60,
  supplierInvoices: 40,
  transactions: 80,
  bankAccounts: 1,
  fiscalYears: 2,
};

/** Every pid below `root` (children, grandchildren…), from /proc. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {}
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

const rssKb = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

/** `npm run sync` as a user runs it; the peak of the summed RSS of its process tree, every 100 ms. */
async function runSync(
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakMb: number; code: number | null; tail: string }> {
  const started = Date.now();
  const script = COMPILED
    ? [join(packageRoot, 'dist', 'runner', 'src', 'sync-cli.js')]
    : nodeArgs('runner/src/sync-cli.ts');
  const child = spawn(process.execPath, [...script, '--dotenv', '/nonexistent.env'], {
    cwd: packageRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid)
      peak = Math.max(
        peak,
        tree(child.pid).reduce((sum, pid) => sum + rssKb(pid), 0),
      );
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(timer);
  return {
    seconds: (Date.now() - started) / 1000,
    peakMb: peak / 1024,
    code,
    tail: stderr.trim().split('\n').slice(-3).join('\n'),
  };
}

async function main(): Promise<void> {
  const companies = portfolio(N, BASE, 100);
  const db = await startThrowawayPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'bench-companies-'));
  const results: Record<string, unknown>[] = [];
  try {
    for (const parallel of PARALLEL) {
      // A fresh sandbox per round: every company's budget starts full, every run is a first run.
      const sandbox = await startCompaniesSandbox(
        companies.map((c) => ({ ...c, rateLimit: { ...RATE_LIMIT } })),
      );
      const file = join(dir, `companies-${parallel}.json`);
      writeCompaniesFile(file, sandbox.baseUrl, companies);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      for (const c of companies) await client.query(`DROP SCHEMA IF EXISTS pennylane_${c.name} CASCADE`);
      await client.query('DROP SCHEMA IF EXISTS reporting CASCADE');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        PENNYLANE_COMPANIES_FILE: file,
        PENNYLANE_SYNC_STATE_DIR: join(dir, `state-${parallel}`),
        PENNYLANE_SYNC_PARALLEL: String(parallel),
        TARGET_POSTGRES_DATABASE_URL: db.url,
        TARGET_POSTGRES_SSL_MODE: 'disable',
        TAP_PENNYLANE_EXPORT_POLL_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      };
      say(`${N} companies, --parallel ${parallel}: full run…`);
      const full = await runSync(env);
      const requests = sandbox.companies.map((c) => c.control.counters().total);
      const floor = Math.max(...requests) / (RATE_LIMIT.requests / (RATE_LIMIT.windowMs / 1000));
      const ideal = floor * Math.ceil(N / parallel);
      say(
        `  full: ${full.seconds.toFixed(1)} s (exit ${full.code}), ideal ${ideal.toFixed(1)} s ` +
          `(slowest company ${Math.max(...requests)} requests = ${floor.toFixed(1)} s at 5/s, × ⌈${N}/${parallel}⌉), ` +
          `ratio ${(full.seconds / ideal).toFixed(2)}, peak RSS of the process tree ${full.peakMb.toFixed(0)} MB`,
      );
      if (full.code !== 0) say(`  last lines: ${full.tail}`);
      const row: Record<string, unknown> = {
        companies: N,
        parallel,
        fullSeconds: full.seconds,
        idealSeconds: ideal,
        ratio: full.seconds / ideal,
        peakMb: Math.round(full.peakMb),
        maxRequests: Math.max(...requests),
        exit: full.code,
      };
      if (INCREMENTAL && parallel === PARALLEL.at(-1)) {
        for (const c of sandbox.companies) {
          const k = c.control;
          k.advanceClock(60_000);
          k.create('customers', { name: 'Nouveau client' });
          const supplier = k.records('suppliers')[0]!;
          k.update('suppliers', Number(supplier.id), { name: 'Fournisseur renommé' });
          const product = k.records('products')[0]!;
          k.update('products', Number(product.id), { label: 'Nouveau prix' });
          k.remove('customer_invoices', Number(k.records('customer_invoices')[0]!.id));
          k.create('transactions', {});
          k.advanceClock(60_000);
        }
        say(`  incremental round (5 changes per company)…`);
        const inc = await runSync(env);
        say(
          `  incremental: ${inc.seconds.toFixed(1)} s (exit ${inc.code}; goal ≤ 30 s), peak RSS ${inc.peakMb.toFixed(0)} MB`,
        );
        if (inc.code !== 0) say(`  last lines: ${inc.tail}`);
        Object.assign(row, {
          incrementalSeconds: inc.seconds,
          incrementalPeakMb: Math.round(inc.peakMb),
          incrementalExit: inc.code,
        });
      }
      results.push(row);
      await client.end();
      await sandbox.close();
    }
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench-companies: error: ${err.message}\n`);
  process.exit(1);
});
