/**
 * `npm run bench:tap [-- --scale 10] [--size large|small] [--tsx] [--no-load]`
 *
 * 1. Full sync: the `large` sandbox enforcing the rate limit scaled up (`--scale` × 25 requests per 5 s),
 *    tap-pennylane (the CLI, with the same budget) | target-postgres into an embedded PostgreSQL. The
 *    baseline is the floor the budget allows: the minimum number of API requests this data needs
 *    (computed from the sandbox's own record counts) ÷ the budget's requests per second. Prints the
 *    tap's wall time ÷ that floor (target ≤ 1.1) and requests made vs the minimum.
 * 2. Incremental: 100 changes spread over the 7 changelog streams, then tap | target at the REAL
 *    budget (25 per 5 s, the sandbox enforcing it too), end to end into PostgreSQL (target ≤ 5 s).
 *    Prints requests made vs the minimum for those changes.
 * 3. Memory: the tap's peak RSS (VmHWM, sampled from /proc every 20 ms) for the whole full sync of 1.;
 *    each stream alone on the same company (skipped with --no-per-stream), against the baseline of the
 *    tap's fixed footprint (the smallest stream alone: node, the modules, the HTTP client); and the
 *    whole full sync of the `small` company, so the large ÷ small ratio shows memory is flat in company
 *    size (target: ≤ 200 MB peak, ratio near 1).
 * The programs run compiled (as their `bin` does), or from source through tsx with --tsx. The full sync
 * goes into a file, so the ratio measures the tap, not the target; the file is then loaded by the
 * target (its time printed apart) so the incremental run meets full tables.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { CHANGELOG_RESOURCES, LIST_RESOURCES, RATE_LIMIT } from '../pennylane/src/api.js';
import { startSandbox } from '../sandbox/src/index.js';
import type { Sandbox } from '../sandbox/src/types.js';
import type { SingerCatalog } from '../singer/src/catalog.js';
import { packageRoot } from '../singer/src/paths.js';
import { discoverCatalog } from '../tap-pennylane/src/catalog/discover.js';
import { isSettled, yearsInScope } from '../tap-pennylane/src/sync/fiscal-years.js';
import { spawnScript } from '../test/support/cli.js';
import { startThrowawayPostgres } from '../test/support/embedded-postgres.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const SCALE = Number(option('scale', '10'));
const SIZE = option('size', 'large') as 'large' | 'small';
const USE_TSX = argv.includes('--tsx');
const NO_LOAD = argv.includes('--no-load');
const PER_STREAM = !argv.includes('--no-per-stream');
const say = (s: string) => process.stderr.write(`bench-tap: ${s}\n`);
const FISCAL_YEARS_BACK = 2;

type Run = {
  seconds: number;
  /** The tap's peak resident memory (MB), from /proc (undefined where there is no /proc). */
  rssMb?: number | undefined;
  tapCode: number | null;
  targetCode: number | null;
  tapErr: string;
  targetErr: string;
  state: unknown;
};

type Program = 'tap-pennylane' | 'target-postgres';
let compiledDir: string | undefined;

/**
 * How the programs start: compiled (tsc into .data/bench-tap-build), as `bin` runs them from dist/, so
 * the end-to-end time is not tsx's compile time; from source with --tsx.
 */
function compile(): void {
  if (USE_TSX) return;
  // One folder per run: two benchmarks started side by side must not recompile each other's programs.
  compiledDir = join(packageRoot, '.data', `bench-tap-build-${process.pid}`);
  say(`compiling the programs (tsc -p tsconfig.build.json --outDir ${compiledDir})…`);
  const tsc = join(packageRoot, 'node_modules/typescript/bin/tsc');
  spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', compiledDir], {
    cwd: packageRoot,
    stdio: 'ignore',
  });
}

function start(program: Program, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  if (!compiledDir) return spawnScript(`${program}/src/cli.ts`, args, { env });
  const cli = join(compiledDir, program, 'src/cli.js');
  if (!existsSync(cli)) throw new Error(`compilation produced no ${cli}; run with --tsx`);
  return spawn(process.execPath, [cli, ...args], { cwd: packageRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Follows a process's peak resident memory: VmHWM (the kernel's high-water mark, so a peak between two
 * samples is not missed) read from /proc every 20 ms; `stop()` returns it in MB, undefined without /proc.
 */
function peakRss(pid: number | undefined): { stop(): number | undefined } {
  let peakKb: number | undefined;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb ?? 0, Number(m[1]));
    } catch {
      // exited between two samples, or no /proc
    }
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      return peakKb === undefined ? undefined : peakKb / 1024;
    },
  };
}

/** The tap alone, its output into a file: times it from its start to its exit, and follows its memory. */
async function tapToFile(tapArgs: string[], env: NodeJS.ProcessEnv, file: string): Promise<Run> {
  const t0 = performance.now();
  const tap = start('tap-pennylane', tapArgs, env);
  const rss = peakRss(tap.pid);
  const out = createWriteStream(file);
  const written = finished(out);
  tap.stdout!.pipe(out);
  let tapErr = '';
  tap.stderr!.setEncoding('utf8').on('data', (d: string) => {
    tapErr = (tapErr + d).slice(-200_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  });
  const tapCode = await new Promise<number | null>((resolve) => tap.on('close', (code) => resolve(code)));
  // The last sample is at most 20 ms before the exit (the process is gone from /proc once reaped).
  const rssMb = rss.stop();
  const seconds = (performance.now() - t0) / 1000;
  await written;
  return { seconds, rssMb, tapCode, targetCode: 0, tapErr, targetErr: '', state: undefined };
}

/** The value of the last STATE message of a file of Singer messages (read from its end). */
function lastState(file: string): unknown {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const length = Math.min(size, 4_000_000);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const line = buffer
      .toString('utf8')
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{"type":"STATE"'));
    if (!line) throw new Error(`no STATE at the end of ${file}`);
    return (JSON.parse(line) as { value: unknown }).value;
  } finally {
    closeSync(fd);
  }
}

/** Loads a file of Singer messages with target-postgres; returns its last state and the time taken. */
async function loadFile(file: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; state: unknown }> {
  const t0 = performance.now();
  const target = start('target-postgres', ['--input', file], env);
  target.stdin!.end();
  let stdout = '';
  let stderr = '';
  target.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout = (stdout + d).slice(-1_000_000);
  });
  target.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-100_000);
  });
  const code = await new Promise<number | null>((resolve) => target.on('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`target-postgres failed: ${stderr.slice(-3000)}`);
  const lines = stdout.trim().split('\n').filter(Boolean);
  return { seconds: (performance.now() - t0) / 1000, state: JSON.parse(lines.at(-1)!) };
}

/** tap | target, both spawned from source; times the tap from its start to its exit. */
async function pipe(tapArgs: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const t0 = performance.now();
  const tap = start('tap-pennylane', tapArgs, env);
  const target = start('target-postgres', [], env);
  tap.stdout!.pipe(target.stdin!);
  let tapErr = '';
  let targetErr = '';
  let targetOut = '';
  tap.stderr!.setEncoding('utf8').on('data', (d: string) => {
    tapErr += d;
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  });
  target.stderr!.setEncoding('utf8').on('data', (d: string) => {
    targetErr += d;
  });
  target.stdout!.setEncoding('utf8').on('data', (d: string) => {
    targetOut = (targetOut + d).slice(-1_000_000);
  });
  let tapSeconds = 0;
  const tapDone = new Promise<number | null>((resolve) =>
    tap.on('close', (code) => {
      tapSeconds = (performance.now() - t0) / 1000;
      resolve(code);
    }),
  );
  const targetDone = new Promise<number | null>((resolve) => target.on('close', (code) => resolve(code)));
  const [tapCode, targetCode] = await Promise.all([tapDone, targetDone]);
  const endToEnd = (performance.now() - t0) / 1000;
  const lines = targetOut.trim().split('\n').filter(Boolean);
  return {
    seconds: Math.max(tapSeconds, endToEnd),
    tapCode,
    targetCode,
    tapErr,
    targetErr,
    state: lines.length ? JSON.parse(lines.at(-1)!) : undefined,
  };
}

const mb = (v: number | undefined): string => (v === undefined ? '? MB' : `${v.toFixed(0)} MB`);

const pages = (n: number, limit: number) => Math.max(1, Math.ceil(n / limit));

/** API requests counted by the sandbox (export file downloads are not API requests). */
const apiRequests = (sb: Sandbox) =>
  Object.entries(sb.control.counters().byPath)
    .filter(([path]) => !path.startsWith('/_files'))
    .reduce((n, [, c]) => n + c, 0);

async function trialBalanceRows(sb: Sandbox, year: { start: string; finish: string }): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const url = new URL(`${sb.baseUrl}/trial_balance`);
    url.searchParams.set('period_start', year.start);
    url.searchParams.set('period_end', year.finish);
    url.searchParams.set('limit', '1000');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { authorization: `Bearer ${sb.token}` } });
    const body = (await res.json()) as { items: unknown[]; has_more: boolean; next_cursor: string | null };
    n += body.items.length;
    cursor = body.has_more ? body.next_cursor : null;
  } while (cursor);
  return n;
}

/** The fewest API requests a full sync of this data can make (exports: one creation and one poll each). */
async function fullSyncMinimum(sb: Sandbox): Promise<number> {
  let min = 1; // /me
  for (const [name, r] of Object.entries(LIST_RESOURCES)) {
    if (name === 'trial_balance') continue;
    min += pages(sb.control.records(name as never).length, r.maxLimit);
  }
  const years = yearsInScope(sb.control.records('fiscal_years') as never, FISCAL_YEARS_BACK, undefined);
  for (const y of years) min += pages(await trialBalanceRows(sb, y), 1000) + 2 * 2;
  // Invoice lines: per side, the invoices listed again (100 a page), the highest id (the progress
  // estimate), and one lines request per invoice (none has over 100 lines).
  for (const side of ['customer_invoices', 'supplier_invoices'] as const) {
    const n = sb.control.records(side).length;
    min += pages(n, 100) + 1 + n;
  }
  // categories: the groups, then one page per group.
  min += 1 + groupCount(sb);
  return min;
}

type Row = Record<string, unknown>;

const groupCount = (sb: Sandbox): number =>
  new Set(sb.control.categories().map((c) => c.category_group_id)).size;

/** 100 changes spread over the changelog streams: mostly updates, some inserts and deletes. */
function makeChanges(sb: Sandbox): { changes: number; minimum: number } {
  const c = sb.control;
  const streams = CHANGELOG_RESOURCES;
  const before = Object.fromEntries(
    streams.map((s) => [s, new Map(c.records(s).map((r: Row) => [r.id as number, r.updated_at]))]),
  );
  let changes = 0;
  streams.forEach((s, i) => {
    const quota = Math.floor(100 / streams.length) + (i < 100 % streams.length ? 1 : 0);
    // current ids: removing an invoice or a transaction also removed lines
    const ids = c.records(s).map((r: Row) => r.id as number);
    let done = 0;
    if (s !== 'ledger_entry_lines') {
      c.create(s);
      done++;
    }
    c.remove(s, ids[ids.length - 1]!);
    done++;
    const step = Math.max(1, Math.floor((ids.length - 1) / quota));
    for (let k = 0; done < quota; k++, done++) c.update(s, ids[k * step]!, {});
    changes += done;
  });
  // the minimum for these changes: the changelog page of each stream, the changed records that
  // still exist refetched 100 per request, the entries of the changed lines likewise
  let minimum = 0;
  const entries = new Set<number>();
  for (const s of streams) {
    const live = c.records(s).filter((r: Row) => before[s]!.get(r.id as number) !== r.updated_at);
    minimum += 1 + Math.ceil(live.length / 100);
    if (s === 'ledger_entry_lines') for (const r of live) entries.add((r.ledger_entry as { id: number }).id);
  }
  minimum += Math.ceil(entries.size / 100);
  // Invoice lines: the invoices stream's events (no changelog page of their own), then one lines
  // request per changed invoice that still exists (a deleted one's lines are deleted from the state).
  for (const s of ['customer_invoices', 'supplier_invoices'] as const) {
    minimum += c.records(s).filter((r: Row) => before[s]!.get(r.id as number) !== r.updated_at).length;
  }
  return { changes, minimum };
}

/**
 * Requests an incremental run needs besides the changes: /me, the small tables, the new ledger
 * accounts (one request), the trial balances of the open years (settled ones were read by the full sync).
 */
async function incrementalBase(sb: Sandbox): Promise<number> {
  let n = 1 + 1 + 1 + groupCount(sb);
  for (const name of ['fiscal_years', 'journals', 'bank_accounts', 'category_groups'] as const) {
    n += pages(sb.control.records(name).length, LIST_RESOURCES[name].maxLimit);
  }
  const years = yearsInScope(sb.control.records('fiscal_years') as never, FISCAL_YEARS_BACK, undefined);
  for (const y of years) if (!isSettled(y.status)) n += pages(await trialBalanceRows(sb, y), 1000);
  return n;
}

compile();
const pgServer = await startThrowawayPostgres();
const dir = mkdtempSync(join(tmpdir(), 'bench-tap-'));
say(`starting the ${SIZE} sandbox…`);
const sb = await startSandbox({
  size: SIZE,
  rateLimit: { requests: RATE_LIMIT.requests * SCALE, windowMs: RATE_LIMIT.windowMs },
});
try {
  const configFile = join(dir, 'tap.json');
  const writeConfig = (requests: number) =>
    writeFileSync(
      configFile,
      JSON.stringify({
        api_token: sb.token,
        base_url: sb.baseUrl,
        rate_limit_requests: requests,
        rate_limit_window_seconds: RATE_LIMIT.windowMs / 1000,
        fiscal_years_back: FISCAL_YEARS_BACK,
        export_poll_interval_seconds: 1,
      }),
    );
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(TAP_PENNYLANE_|PENNYLANE_|TARGET_POSTGRES_)/.test(k)),
    ),
    TARGET_POSTGRES_DATABASE_URL: pgServer.url,
    TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: 'pennylane',
  };

  // 1. Full sync at the scaled budget.
  writeConfig(RATE_LIMIT.requests * SCALE);
  const minimum = await fullSyncMinimum(sb);
  // a fresh window: the requests above must not count against the run
  await new Promise((r) => setTimeout(r, RATE_LIMIT.windowMs + 200));
  sb.control.resetCounters();
  say(
    `full sync at ${RATE_LIMIT.requests * SCALE} requests per ${RATE_LIMIT.windowMs / 1000} s, into a file…`,
  );
  const output = join(dir, 'full.ndjson');
  const full = await tapToFile(['--config', configFile], env, output);
  if (full.tapCode !== 0) throw new Error(`full sync failed:\n${full.tapErr.slice(-3000)}`);
  const made = apiRequests(sb);
  const rate = (RATE_LIMIT.requests * SCALE) / (RATE_LIMIT.windowMs / 1000);
  const floor = minimum / rate;
  const summary = full.tapErr.trim().split('\n').at(-1);
  say(summary ?? '');
  for (const line of full.tapErr.split('\n').filter((l) => /_invoice_lines: (ok|full pass complete)/.test(l)))
    say(line.replace(/^.*?tap-pennylane[^:]*: /, ''));
  const ratio = full.seconds / floor;
  say(
    `full sync: ${full.seconds.toFixed(1)} s, floor ${floor.toFixed(1)} s (${minimum} requests ÷ ${rate} per s): ratio ${ratio.toFixed(3)} (target ≤ 1.1); requests made ${made} vs minimum ${minimum}; tap peak RSS ${mb(full.rssMb)}`,
  );

  // The data into PostgreSQL (not timed against the tap: it is the target's own benchmark). With
  // --no-load the incremental run starts from the tap's last STATE and meets empty tables instead.
  let fullState: unknown;
  if (NO_LOAD) {
    fullState = lastState(output);
    say('--no-load: the incremental run writes into empty tables');
  } else {
    const load = await loadFile(output, env);
    fullState = load.state;
    say(
      `loaded ${(statSync(output).size / 1e6).toFixed(0)} MB of messages into PostgreSQL in ${load.seconds.toFixed(1)} s`,
    );
  }
  rmSync(output);

  // 2. Incremental at the real budget, end to end into PostgreSQL.
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(fullState));
  const base = await incrementalBase(sb);
  const { changes, minimum: changeMinimum } = makeChanges(sb);
  sb.control.setRateLimit({ ...RATE_LIMIT });
  writeConfig(RATE_LIMIT.requests);
  // a fresh window: the requests above must not count against the run
  await new Promise((r) => setTimeout(r, RATE_LIMIT.windowMs + 200));
  sb.control.resetCounters();
  const inc = await pipe(['--config', configFile, '--state', stateFile], env);
  if (inc.tapCode !== 0 || inc.targetCode !== 0) {
    throw new Error(`incremental run failed:\n${inc.tapErr.slice(-3000)}\n${inc.targetErr.slice(-3000)}`);
  }
  say(inc.tapErr.trim().split('\n').at(-1) ?? '');
  const incMade = apiRequests(sb);
  say(
    `incremental: ${changes} changes, ${inc.seconds.toFixed(2)} s end to end into PostgreSQL (target ≤ 5 s); requests made ${incMade} vs minimum ${base + changeMinimum} (${changeMinimum} for the changes, ${base} for /me, the small tables, the new ledger accounts and the open years' trial balances)`,
  );
  // 3. Memory: each stream alone (the large company, the scaled budget), then the small company.
  sb.control.setRateLimit({ requests: RATE_LIMIT.requests * SCALE, windowMs: RATE_LIMIT.windowMs });
  writeConfig(RATE_LIMIT.requests * SCALE);
  const perStream: Record<string, number | undefined> = {};
  if (PER_STREAM) {
    const catalog = discoverCatalog();
    for (const entry of catalog.streams) {
      const name = entry.tap_stream_id;
      const file = join(dir, `catalog-${name}.json`);
      writeFileSync(file, JSON.stringify({ streams: [entry] } satisfies SingerCatalog));
      const run = await tapToFile(['--config', configFile, '--catalog', file], env, join(dir, 'one.ndjson'));
      if (run.tapCode !== 0) throw new Error(`${name} alone failed:\n${run.tapErr.slice(-3000)}`);
      perStream[name] = run.rssMb;
      say(`  ${name} alone: peak RSS ${mb(run.rssMb)}`);
      rmSync(join(dir, 'one.ndjson'));
    }
    const footprint = Math.min(...Object.values(perStream).filter((v): v is number => v !== undefined));
    say(`peak RSS of each stream alone (large company); baseline: the tap's footprint, ${mb(footprint)}:`);
    for (const [name, rss] of Object.entries(perStream)) {
      say(
        `  ${name.padEnd(20)} ${mb(rss).padStart(7)}  (+${mb(rss === undefined ? undefined : rss - footprint)})`,
      );
    }
  }
  say('full sync of the small company (memory must not grow with the company)…');
  const small = await startSandbox({
    size: 'small',
    rateLimit: { requests: RATE_LIMIT.requests * SCALE, windowMs: RATE_LIMIT.windowMs },
  });
  let smallRss: number | undefined;
  try {
    const smallConfig = join(dir, 'tap-small.json');
    writeFileSync(
      smallConfig,
      JSON.stringify({
        ...JSON.parse(readFileSync(configFile, 'utf8')),
        api_token: small.token,
        base_url: small.baseUrl,
      }),
    );
    const run = await tapToFile(['--config', smallConfig], env, join(dir, 'small.ndjson'));
    if (run.tapCode !== 0) throw new Error(`small full sync failed:\n${run.tapErr.slice(-3000)}`);
    smallRss = run.rssMb;
  } finally {
    await small.close();
  }
  const sizeRatio = full.rssMb !== undefined && smallRss ? full.rssMb / smallRss : undefined;
  say(
    `full sync peak RSS: large company ${mb(full.rssMb)} (target ≤ 200 MB), small company ${mb(smallRss)}: ratio ${sizeRatio?.toFixed(2) ?? '?'} (flat: near 1)`,
  );

  process.stdout.write(
    `${JSON.stringify({ full: { seconds: full.seconds, floor, ratio, requests: made, minimum, rssMb: full.rssMb }, incremental: { changes, seconds: inc.seconds, requests: incMade, minimum: base + changeMinimum }, memory: { fullLargeMb: full.rssMb, fullSmallMb: smallRss, sizeRatio, perStreamMb: perStream } })}\n`,
  );
} finally {
  await sb.close();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
  if (compiledDir) rmSync(compiledDir, { recursive: true, force: true });
}
