/**
 * `npm run bench:target [-- --rows N] [--repeat R] [--tsx] [--write-docs]`
 *
 * Loads N invoice-shaped records (~28 columns: singer.decimal amounts, dates, timestamps, booleans,
 * nullable fields, a nested object) through the real target-postgres CLI, and in the same run loads the
 * same rows with a raw COPY of pre-encoded text into an identical table: the physical limit of this
 * machine. Then the upsert: the same N keys with changed values through the target, against a raw COPY
 * into a staging table followed by INSERT … ON CONFLICT. Prints rows/s, the ratios and the target's peak
 * RSS at N/4 and N (memory must stay flat). Inputs are written to temp files first: only loads are timed.
 * Each load runs R times (default 3), target and raw alternating, into fresh tables; medians are reported,
 * so that one slow moment of a shared machine does not decide the ratio.
 *
 * The target runs compiled (tsc into .data/bench-build, as `bin` runs it from dist/) unless --tsx.
 * PostgreSQL: BENCH_DATABASE_URL, or a throwaway embedded server (test/support/embedded-postgres.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { packageRoot } from '../singer/src/paths.js';
import { startThrowawayPostgres } from '../test/support/embedded-postgres.js';
import { writeDocSection } from './bench-docs.js';
import { copyLines, STREAM, singerLines, writeLines } from './bench-target-data.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
};
const N = option('rows', 1_000_000);
const SMALL = Math.max(1, Math.floor(N / 4));
const REPEAT = option('repeat', 3);
const USE_TSX = flag('tsx');
const WRITE_DOCS = flag('write-docs');
const say = (s: string) => process.stderr.write(`bench-target: ${s}\n`);

// ---------------------------------------------------------------------------------------------------
// Measuring

/** Wall time, peak RSS and the target process's own CPU time (user + sys; PostgreSQL's is not in it). */
type TargetResult = { seconds: number; rssMb: number; cpuSeconds: number };

function targetCommand(): { command: string; args: string[]; mode: string } {
  if (USE_TSX) {
    return {
      command: process.execPath,
      args: ['--import', 'tsx', join(packageRoot, 'target-postgres/src/cli.ts')],
      mode: 'from source through tsx',
    };
  }
  const outDir = join(packageRoot, '.data', 'bench-build');
  say(`compiling the target (tsc -p tsconfig.build.json --outDir .data/bench-build)`);
  // A fresh output folder: a failed compilation must not leave an older build to be timed.
  rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: packageRoot, encoding: 'utf8' },
  );
  // Type errors elsewhere in the tree still emit JavaScript; say so rather than hide it.
  if (tsc.status !== 0) say(`tsc reported errors (JavaScript emitted anyway):\n${tsc.stdout.slice(0, 2000)}`);
  const cli = join(outDir, 'target-postgres/src/cli.js');
  if (!existsSync(cli)) throw new Error(`compilation produced no ${cli}; run with --tsx`);
  return { command: process.execPath, args: [cli], mode: 'compiled JS (tsc), node' };
}

/** Runs the CLI on a file, timing it; peak RSS (VmHWM) and CPU time are sampled from /proc every 20 ms. */
async function runCli(
  cmd: { command: string; args: string[] },
  config: string,
  input: string,
): Promise<TargetResult> {
  const started = process.hrtime.bigint();
  const child = spawn(cmd.command, [...cmd.args, '--config', config, '--input', input], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let peakKb = 0;
  let cpuTicks = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Math.max(cpuTicks, Number(fields[11]) + Number(fields[12])); // utime + stime
    } catch {
      // exited between two samples
    }
  };
  const timer = setInterval(sample, 20);
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`target exited ${code}:\n${stderr}`);
  return { seconds, rssMb: peakKb / 1024, cpuSeconds: cpuTicks / 100 };
}

/**
 * CPU seconds PostgreSQL has used so far (the postmaster, its live children, and the children it has
 * reaped), read from /proc; undefined when the server is not a local process we can see.
 */
function postgresCpu(postmaster: number | undefined): number | undefined {
  if (!postmaster) return undefined;
  const fields = (pid: number | string) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  try {
    const own = fields(postmaster);
    // utime, stime, cutime, cstime = fields 14-17, i.e. indexes 11-14 after the command name
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = fields(entry);
        if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone meanwhile
      }
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** Runs `fn` and returns its result with the PostgreSQL CPU seconds it cost. */
async function withPgCpu<T>(
  postmaster: number | undefined,
  fn: () => Promise<T>,
): Promise<[T, number | undefined]> {
  const before = postgresCpu(postmaster);
  const result = await fn();
  const after = postgresCpu(postmaster);
  return [result, before !== undefined && after !== undefined ? after - before : undefined];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function copyInto(client: pg.Client, sql: string, file: string): Promise<void> {
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(sql)));
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

// ---------------------------------------------------------------------------------------------------

const loadAtStart = loadavg()[0]!;
const dir = mkdtempSync(join(tmpdir(), 'bench-target-'));
let server: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
let adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) {
  say('starting a throwaway embedded PostgreSQL (set BENCH_DATABASE_URL to use another server)');
  server = await startThrowawayPostgres();
  adminUrl = server.url;
}
const dbName = `bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const client = new pg.Client({ connectionString: dbUrl.toString() });
await client.connect();

try {
  const cmd = targetCommand();
  // the postmaster is the parent of our backend, when the server runs on this machine
  const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  let postmaster: number | undefined;
  try {
    const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
    postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    postmaster = undefined; // a remote server: no CPU figures
  }
  const pgVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
    .rows[0]!.v;
  const config = (schema: string) => {
    const file = join(dir, `${schema}.json`);
    writeFileSync(file, JSON.stringify({ database_url: dbUrl.toString(), default_target_schema: schema }), {
      mode: 0o600,
    });
    return file;
  };

  say(
    `generating ${N.toLocaleString('en')} records (and ${SMALL.toLocaleString('en')} for the small run) as Singer NDJSON`,
  );
  const singerSmall = join(dir, 'small.ndjson');
  const singerInsert = join(dir, 'insert.ndjson');
  const singerUpsert = join(dir, 'upsert.ndjson');
  await writeLines(singerSmall, singerLines(SMALL, 0));
  await writeLines(singerInsert, singerLines(N, 0));
  await writeLines(singerUpsert, singerLines(N, 1));
  const mb = (f: string) => statSync(f).size / 1e6;

  say(`target: insert of ${SMALL.toLocaleString('en')} rows (memory reference)`);
  await client.query('CHECKPOINT');
  const small = await runCli(cmd, config('bench_small'), singerSmall);

  const upsertChanged = async (table: string): Promise<number> =>
    (
      await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE status = 'paid' AND remaining_amount_with_tax = 0`,
      )
    ).rows[0]!.n;
  const copyInsert = join(dir, 'insert.copy');
  const copyUpsert = join(dir, 'upsert.copy');
  let columns: string[] = [];
  type Repetition = {
    tInsert: TargetResult;
    pgTInsert: number | undefined;
    rInsert: number;
    pgRInsert: number | undefined;
    tUpsert: TargetResult;
    pgTUpsert: number | undefined;
    rUpsert: number;
    pgRUpsert: number | undefined;
  };
  const reps: Repetition[] = [];
  // Target and raw COPY alternate within each repetition, so drift in the machine's speed hits both.
  for (let r = 0; r < REPEAT; r++) {
    const round = `(${r + 1}/${REPEAT})`;
    const tSchema = `bench_target_${r}`;
    const target = `${q(tSchema)}.${q(STREAM)}`;
    say(`target: insert of ${N.toLocaleString('en')} rows ${round}`);
    await client.query('CHECKPOINT');
    const [tInsert, pgTInsert] = await withPgCpu(postmaster, () =>
      runCli(cmd, config(tSchema), singerInsert),
    );
    const loaded = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${target}`)).rows[0]!.n;
    if (loaded !== N) throw new Error(`the target loaded ${loaded} rows, expected ${N}`);
    if (r === 0) {
      columns = (
        await client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
          [tSchema, STREAM],
        )
      ).rows.map((row) => row.column_name);
      say('raw COPY baseline: pre-encoding the same rows');
      await writeLines(copyInsert, copyLines(N, 0, columns));
      await writeLines(copyUpsert, copyLines(N, 1, columns));
    }
    const list = columns.map(q).join(', ');
    const rSchema = `bench_raw_${r}`;
    const raw = `${q(rSchema)}.${q(STREAM)}`;
    await client.query(`CREATE SCHEMA ${q(rSchema)}`);
    await client.query(`CREATE TABLE ${raw} (LIKE ${target} INCLUDING ALL)`);
    say(`raw COPY: insert of ${N.toLocaleString('en')} rows ${round}`);
    await client.query('CHECKPOINT');
    const [rInsert, pgRInsert] = await withPgCpu(postmaster, () =>
      timed(() => copyInto(client, `COPY ${raw} (${list}) FROM STDIN`, copyInsert)),
    );

    say(`target: upsert of the same ${N.toLocaleString('en')} keys with changed values ${round}`);
    await client.query('CHECKPOINT');
    const [tUpsert, pgTUpsert] = await withPgCpu(postmaster, () =>
      runCli(cmd, config(tSchema), singerUpsert),
    );
    const changed = await upsertChanged(target);
    if (changed !== N)
      throw new Error(`after the upsert ${changed} rows carry the new values, expected ${N}`);

    say(`raw baseline: COPY into a staging table + INSERT … ON CONFLICT DO UPDATE ${round}`);
    await client.query('CHECKPOINT');
    const updates = columns
      .filter((c) => c !== 'id')
      .map((c) => `${q(c)} = EXCLUDED.${q(c)}`)
      .join(', ');
    const [rUpsert, pgRUpsert] = await withPgCpu(postmaster, () =>
      timed(async () => {
        await client.query('BEGIN');
        await client.query(`CREATE TEMP TABLE stage (LIKE ${raw} INCLUDING DEFAULTS) ON COMMIT DROP`);
        await copyInto(client, `COPY stage (${list}) FROM STDIN`, copyUpsert);
        await client.query(
          `INSERT INTO ${raw} (${list}) SELECT ${list} FROM stage ON CONFLICT (id) DO UPDATE SET ${updates}`,
        );
        await client.query('COMMIT');
      }),
    );
    if ((await upsertChanged(raw)) !== N) throw new Error('the raw upsert did not change every row');
    reps.push({ tInsert, pgTInsert, rInsert, pgRInsert, tUpsert, pgTUpsert, rUpsert, pgRUpsert });
    // Each repetition loads into fresh tables: the disk holds one pair at a time.
    await client.query(`DROP SCHEMA ${q(tSchema)}, ${q(rSchema)} CASCADE`);
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const medianOf = (pick: (r: Repetition) => number | undefined): number | undefined =>
    reps.every((r) => pick(r) !== undefined) ? median(reps.map((r) => pick(r)!)) : undefined;
  const targetMedian = (pick: (r: Repetition) => TargetResult): TargetResult => ({
    seconds: median(reps.map((r) => pick(r).seconds)),
    rssMb: Math.max(...reps.map((r) => pick(r).rssMb)),
    cpuSeconds: median(reps.map((r) => pick(r).cpuSeconds)),
  });
  const tInsert = targetMedian((r) => r.tInsert);
  const tUpsert = targetMedian((r) => r.tUpsert);
  const rInsert = medianOf((r) => r.rInsert)!;
  const rUpsert = medianOf((r) => r.rUpsert)!;
  const pgTInsert = medianOf((r) => r.pgTInsert);
  const pgRInsert = medianOf((r) => r.pgRInsert);
  const pgTUpsert = medianOf((r) => r.pgTUpsert);
  const pgRUpsert = medianOf((r) => r.pgRUpsert);
  const spread = (pick: (r: Repetition) => number) =>
    reps.map((r) => Math.round(N / pick(r)).toLocaleString('en')).join(', ');

  // ------------------------------------------------------------------------------------------------
  const rate = (s: number, n = N) => n / s;
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  const insertRatio = rate(tInsert.seconds) / rate(rInsert);
  const upsertRatio = rate(tUpsert.seconds) / rate(rUpsert);
  const peak = Math.max(tInsert.rssMb, tUpsert.rssMb);
  const flat = peak <= small.rssMb * 1.25 + 10;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}, PostgreSQL ${pgVersion}${server ? ' (embedded, fsync off)' : ''}`;
  const lines = [
    `| load (${N.toLocaleString('en')} rows, ${columns.length} columns; median of ${REPEAT}) | target rows/s | raw COPY rows/s | ratio | target peak RSS | target CPU |`,
    '|---|---:|---:|---:|---:|---:|',
    `| insert into an empty table | ${fmt(rate(tInsert.seconds))} | ${fmt(rate(rInsert))} | ${insertRatio.toFixed(2)} | ${tInsert.rssMb.toFixed(0)} MB | ${tInsert.cpuSeconds.toFixed(1)} s |`,
    `| upsert of the same keys, changed values | ${fmt(rate(tUpsert.seconds))} | ${fmt(rate(rUpsert))} (COPY to staging + INSERT … ON CONFLICT) | ${upsertRatio.toFixed(2)} | ${tUpsert.rssMb.toFixed(0)} MB | ${tUpsert.cpuSeconds.toFixed(1)} s |`,
    `| insert of N/4 = ${SMALL.toLocaleString('en')} rows (memory reference) | ${fmt(rate(small.seconds, SMALL))} | | | ${small.rssMb.toFixed(0)} MB | ${small.cpuSeconds.toFixed(1)} s |`,
  ];
  /**
   * Load-independent comparison: CPU seconds per phase. The raw COPY is one PostgreSQL backend, so on an
   * idle machine its rate is N / its CPU; the target's rate is at best N / max(node CPU, PostgreSQL CPU)
   * when the two overlap on separate cores, at worst N / (node + PostgreSQL CPU).
   */
  const cpuLines = (): string[] => {
    const phase = (name: string, t: TargetResult, pgT: number | undefined, pgR: number | undefined) => {
      if (pgT === undefined || pgR === undefined)
        return `${name}: PostgreSQL CPU not measurable (remote server)`;
      const best = pgR / Math.max(t.cpuSeconds, pgT);
      const worst = pgR / (t.cpuSeconds + pgT);
      return `${name} CPU: target ${t.cpuSeconds.toFixed(1)} s node + ${pgT.toFixed(1)} s PostgreSQL, raw ${pgR.toFixed(1)} s PostgreSQL → idle-machine ratio between ${worst.toFixed(2)} and ${best.toFixed(2)}`;
    };
    return [phase('insert', tInsert, pgTInsert, pgRInsert), phase('upsert', tUpsert, pgTUpsert, pgRUpsert)];
  };
  const checks = [
    `insert ratio ${insertRatio.toFixed(2)} (target ≥ 0.70): ${verdict(insertRatio >= 0.7)}`,
    `upsert ratio ${upsertRatio.toFixed(2)} (target ≥ 0.70): ${verdict(upsertRatio >= 0.7)}`,
    `peak RSS ${peak.toFixed(0)} MB (target ≤ 250 MB): ${verdict(peak <= 250)}`,
    `RSS flat as N grows: ${small.rssMb.toFixed(0)} MB at ${SMALL.toLocaleString('en')} rows, ${peak.toFixed(0)} MB at ${N.toLocaleString('en')}: ${verdict(flat)}`,

    `each repetition (rows/s): target insert ${spread((r) => r.tInsert.seconds)}; raw COPY ${spread((r) => r.rInsert)}; target upsert ${spread((r) => r.tUpsert.seconds)}; raw upsert ${spread((r) => r.rUpsert)}`,
    ...cpuLines(),
    `the target's own CPU per row: ${((tInsert.cpuSeconds / N) * 1e6).toFixed(1)} µs (insert), ${((tUpsert.cpuSeconds / N) * 1e6).toFixed(1)} µs (upsert); one core cannot load faster than ${fmt(N / tInsert.cpuSeconds)} rows/s, whatever the load on the machine`,
  ];
  const context = [
    `target run as ${cmd.mode}, input from --input FILE (NDJSON ${mb(singerInsert).toFixed(0)} MB for ${N.toLocaleString('en')} records), default config (batch_size_rows 100000, validate_records true, add_record_metadata true)`,
    `machine: ${machine}; load average (1 min) ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (other work on the machine slows both sides)`,
  ];
  console.log(
    ['', ...lines, '', ...checks.map((c) => `- ${c}`), '', ...context.map((c) => `- ${c}`)].join('\n'),
  );

  if (WRITE_DOCS) {
    const doc = [
      '## Loading: target-postgres against a raw COPY',
      '',
      `Measured with \`npm run bench:target${N === 1_000_000 ? '' : ` -- --rows ${N}`}\` on ${new Date().toISOString().slice(0, 10)}.`,
      'The benchmark generates invoice-shaped records (decimal strings with format singer.decimal, dates,',
      'timestamps with microseconds and offsets, booleans, nullable fields, a nested customer object), writes',
      'them to a temporary NDJSON file, and times the real CLI loading it. In the same run it loads the same rows',
      "with a raw `COPY` of pre-encoded text into an identical table (created `LIKE` the target's, metadata",
      'columns included): the physical limit of the machine. The upsert sends the same keys with changed values;',
      'its baseline is a raw `COPY` into a staging table followed by `INSERT … ON CONFLICT DO UPDATE`.',

      `Each load runs ${REPEAT} times, target and raw COPY alternating, into fresh tables; the table gives the medians`,
      '(peak RSS: the highest). Both sides share the machine: when other work loads it (see the load average below),',
      'or the virtual machine is slowed by its neighbours, both slow down and the wall-clock ratio moves around; the',
      'CPU lines (from /proc, independent of the load) bound the ratio on an idle machine.',
      '',
      ...lines,
      '',
      ...checks.map((c) => `- ${c}`),
      ...context.map((c) => `- ${c}`),
      '',
      'Run it yourself: `npm run bench:target` (1,000,000 rows; `-- --rows N` and `--repeat R` to change, `-- --tsx` to run the',
      'target from source, `BENCH_DATABASE_URL=postgres://…` to use your own server instead of a throwaway one).',
      '',
    ].join('\n');
    writeDocSection('bench:target', doc);
    say('wrote docs/manual/target-benchmarks.md');
  }
} finally {
  await client.end();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  await admin.end();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
