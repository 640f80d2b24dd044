import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { applyReporting, type ReportingResult } from '../../reporting/src/apply.js';
import { type Logger, redact } from '../../singer/src/log.js';
import { readLines } from '../../singer/src/reader.js';
import { parseCatalog, selectOnly } from './catalog-selection.js';
import { errorLine, LastLines, parseTargetSummary, type TargetSummary } from './child-output.js';
import { type Program, programCommand } from './programs.js';
import { acquireRunLock, applicationName, releaseRunLock } from './run-lock.js';
import { readStateFile, writeStateFile } from './state-file.js';
import {
  closeAbandonedRuns,
  ensureSyncRunsTable,
  finishRun,
  insertRun,
  type StreamRows,
} from './sync-runs.js';

export type SyncMode = 'full' | 'incremental';

export type SyncRequest = {
  mode: SyncMode;
  /** Only these streams (validated against the tap's catalog); all selected streams when absent. */
  streams?: string[];
  /** Save the tap's NDJSON here (gzipped when the name ends in .gz) for `target-postgres --input`. */
  recordFile?: string;
};

export type SyncContext = {
  /** The target database, as the target will reach it (the runner holds the lock and writes sync_runs there). */
  connection: pg.ClientConfig;
  schema: string;
  stateFile: string;
  /** Environment of both programs: their TAP_PENNYLANE_* / TARGET_POSTGRES_* settings, secrets included. */
  childEnv: NodeJS.ProcessEnv;
  log: Logger;
  /** Each stderr line of both programs (progress, warnings); default: passed through to stderr. */
  childLog?: (line: string) => void;
  /** Aborting stops both programs with SIGTERM; the state file keeps the last committed point. */
  signal?: AbortSignal;
  /** Called after each state is saved (tests use it to check the data is committed at that point). */
  onStateSaved?: (value: unknown) => void | Promise<void>;
  /**
   * Called once the run is recorded in sync_runs, before the programs start, with the run's signal
   * (aborted on a stop or a lost lock). Tests use it to cut in at that point.
   */
  onRunRecorded?: (runId: number, signal: AbortSignal) => void | Promise<void>;
  /** How long a program gets to stop after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /**
   * Rebuild the reporting views (reporting/sql) in this schema once the run has succeeded, in one
   * transaction, still under the run lock. Absent: no reporting (PENNYLANE_REPORTING=false).
   */
  reportingSchema?: string;
};

export type SyncResult = {
  runId: number;
  mode: SyncMode;
  outcome: 'succeeded' | 'failed';
  streams: string[] | null;
  rows: StreamRows | null;
  seconds: number;
  statesSaved: number;
  error?: string;
  aborted: boolean;
  /** The reporting layer rebuilt after the run, when asked and the run succeeded. */
  reporting?: ReportingResult;
  /** Why the reporting layer was not rebuilt (the synced data is committed all the same). */
  reportingError?: string;
};

type Exit = { code: number | null; signal: NodeJS.Signals | null };

const exitOf = (child: ChildProcess): Promise<Exit> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : (once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>).then(([code, signal]) => ({
        code,
        signal,
      }));

const describeExit = (program: Program, exit: Exit): string =>
  exit.signal ? `${program} was stopped by ${exit.signal}` : `${program} exited with code ${exit.code}`;

/**
 * One sync: tap-pennylane | target-postgres, joined by a pipe with back-pressure (a slow target slows
 * the tap instead of filling memory). Every state the target prints, which it prints only once the
 * data before it is committed, replaces the state file atomically: an interrupted run resumes from
 * the last committed point and the state file is never ahead of the data.
 * Throws RunLockHeldError, before starting anything, when another run holds the lock.
 */
export async function runSync(request: SyncRequest, ctx: SyncContext): Promise<SyncResult> {
  const started = new Date();
  const client = new pg.Client({
    ...ctx.connection,
    application_name: applicationName(started),
    keepAlive: true,
  });
  // Without its session the lock is gone and another run could start: stop this one rather than race.
  const lockLost = new AbortController();
  client.on('error', (err) => {
    ctx.log.error(`lost the connection that holds the run lock: ${err.message}`);
    lockLost.abort(`lost the connection holding the run lock (${err.message})`);
  });
  await client.connect();
  try {
    await acquireRunLock(client, ctx.schema);
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  let runId = 0;
  try {
    await ensureSyncRunsTable(client, ctx.schema);
    const abandoned = await closeAbandonedRuns(client, ctx.schema);
    if (abandoned > 0) ctx.log.warn(`marked ${abandoned} interrupted earlier run(s) as failed in sync_runs`);
    runId = await insertRun(client, ctx.schema, {
      mode: request.mode,
      streams: request.streams ?? null,
      host: hostname(),
      pid: process.pid,
    });
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, lockLost.signal]) : lockLost.signal;
    await ctx.onRunRecorded?.(runId, signal);
    const result = await runPrograms(request, { ...ctx, signal }, started, runId);
    await finishRun(client, ctx.schema, runId, {
      outcome: result.outcome,
      rows: result.rows,
      streams: result.streams,
      error: result.error ?? null,
    }).catch((err: Error) =>
      ctx.log.warn(`could not record the end of run #${runId} in sync_runs: ${err.message}`),
    );
    if (result.outcome === 'succeeded' && ctx.reportingSchema !== undefined) {
      try {
        result.reporting = await applyReporting(client, {
          sourceSchema: ctx.schema,
          reportingSchema: ctx.reportingSchema,
          warn: (line) => ctx.log.warn(line),
        });
      } catch (err) {
        result.reportingError = redact((err as Error).message);
      }
    }
    return result;
  } catch (err) {
    // A query cut by the lost lock session fails with the server's words; the cause is the lost lock.
    const message = redact(
      lockLost.signal.aborted && !(err as Error).message.includes(String(lockLost.signal.reason))
        ? `stopped before finishing: ${lockLost.signal.reason} (${(err as Error).message})`
        : (err as Error).message,
    );
    if (runId > 0) {
      await finishRun(client, ctx.schema, runId, {
        outcome: 'failed',
        rows: null,
        streams: null,
        error: message,
      }).catch(() => {});
    }
    return {
      runId,
      mode: request.mode,
      outcome: 'failed',
      streams: request.streams ?? null,
      rows: null,
      seconds: (Date.now() - started.getTime()) / 1000,
      statesSaved: 0,
      error: message,
      aborted: ctx.signal?.aborted ?? false,
    };
  } finally {
    await releaseRunLock(client, ctx.schema).catch(() => {});
    await client.end().catch(() => {});
  }
}

async function runPrograms(
  request: SyncRequest,
  ctx: SyncContext,
  started: Date,
  runId: number,
): Promise<SyncResult> {
  const log = ctx.log;
  const abortReason = () =>
    typeof ctx.signal?.reason === 'string' ? ctx.signal.reason : 'a stop was requested (SIGINT/SIGTERM)';
  const childLog = ctx.childLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tempDir = mkdtempSync(join(tmpdir(), 'pennylane-sync-'));
  try {
    const tapEnv: NodeJS.ProcessEnv = {
      ...ctx.childEnv,
      // The mode decides, whatever .env says: a full run ignores bookmarks (the tap keeps closed-year exports).
      TAP_PENNYLANE_FULL_REFRESH: request.mode === 'full' ? 'true' : 'false',
    };
    const tapArgs: string[] = [];
    if (readStateFile(ctx.stateFile) !== undefined) tapArgs.push('--state', ctx.stateFile);
    else log.info(`no state file at ${ctx.stateFile}: this is a first run, every stream is read in full`);
    if (request.streams && request.streams.length > 0) {
      const catalog = selectOnly(await discover(tapEnv), request.streams);
      const catalogFile = join(tempDir, 'catalog.json');
      writeFileSync(catalogFile, JSON.stringify(catalog));
      tapArgs.push('--catalog', catalogFile);
    }
    if (ctx.signal?.aborted)
      throw new Error(`stopped before finishing: ${abortReason()}; the programs had not started`);

    log.info(
      `run #${runId}: ${request.mode} sync${request.streams ? ` of ${request.streams.join(', ')}` : ''} into schema "${ctx.schema}"`,
    );
    const tap = start('tap-pennylane', tapArgs, tapEnv, 'ignore');
    // The target writes where the runner keeps its lock and history, whatever the caller's env says.
    const target = start(
      'target-postgres',
      [],
      { ...ctx.childEnv, TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: ctx.schema },
      'pipe',
    );
    const tapStdout = tap.stdout as Readable;
    const targetStdin = target.stdin as Writable;
    targetStdin.on('error', () => {}); // EPIPE when the target dies: its exit is what we report

    const stoppedByUs = new Set<ChildProcess>();
    const grace = ctx.killGraceMs ?? 10_000;
    function stop(child: ChildProcess, signal: NodeJS.Signals) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stoppedByUs.add(child);
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), grace);
      timer.unref();
      child.once('exit', () => clearTimeout(timer));
    }
    function stopAll(signal: NodeJS.Signals) {
      stop(tap, signal);
      stop(target, signal);
    }

    let recordDone: Promise<void> = Promise.resolve();
    let recordError: Error | undefined;
    if (request.recordFile) {
      mkdirSync(dirname(request.recordFile), { recursive: true });
      const file = createWriteStream(request.recordFile);
      const sink: Writable = request.recordFile.endsWith('.gz') ? createGzip() : file;
      if (sink !== file) sink.pipe(file);
      recordDone = new Promise<void>((resolve) => {
        const fail = (err: Error) => {
          recordError ??= err;
          stopAll('SIGTERM');
          resolve();
        };
        file.on('error', fail);
        sink.on('error', fail);
        file.on('close', () => resolve());
      });
      tapStdout.pipe(sink);
    }
    tapStdout.pipe(targetStdin);

    const tapLines = new LastLines();
    const targetLines = new LastLines();
    let summary: TargetSummary | undefined;
    const tapStderr = pump(tap.stderr as Readable, (line) => {
      tapLines.push(line);
      childLog(redact(line));
    });
    const targetStderr = pump(target.stderr as Readable, (line) => {
      targetLines.push(line);
      summary = parseTargetSummary(line) ?? summary;
      childLog(redact(line));
    });
    let statesSaved = 0;
    const states = (async () => {
      for await (const { text, line } of readLines(target.stdout as Readable)) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          log.warn(`target-postgres stdout line ${line} is not a JSON state value; ignored`);
          continue;
        }
        try {
          writeStateFile(ctx.stateFile, value);
        } catch (err) {
          throw new Error(`cannot save the state to ${ctx.stateFile}: ${(err as Error).message}`);
        }
        statesSaved++;
        await ctx.onStateSaved?.(value);
      }
    })();

    const onAbort = () => {
      log.warn(`run #${runId}: stopping (${abortReason()}); the state file keeps the last committed point`);
      stopAll('SIGTERM');
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });

    // Whoever fails first is the run's error. A failed tap lets the target commit what it already
    // received (its stdin simply ends), so progress is kept; a failed target stops the tap.
    let failure: string | undefined;
    const tapExit = exitOf(tap).then(async (exit) => {
      await tapStderr;
      if ((exit.code !== 0 || exit.signal) && !stoppedByUs.has(tap)) {
        failure ??= errorLine('tap-pennylane', tapLines.lines) ?? describeExit('tap-pennylane', exit);
      }
      return exit;
    });
    const targetExit = exitOf(target).then(async (exit) => {
      await targetStderr;
      if (!stoppedByUs.has(target)) {
        if (exit.code !== 0 || exit.signal) {
          failure ??=
            errorLine('target-postgres', targetLines.lines) ?? describeExit('target-postgres', exit);
        } else if (tap.exitCode === null && tap.signalCode === null) {
          failure ??= 'target-postgres ended before tap-pennylane finished';
        }
      }
      stop(tap, 'SIGTERM');
      return exit;
    });
    const [tapResult, targetResult] = await Promise.all([
      tapExit,
      targetExit,
      states.catch((err: Error) => {
        failure ??= err.message;
        stopAll('SIGTERM');
      }),
      recordDone,
    ]);
    ctx.signal?.removeEventListener('abort', onAbort);

    const aborted = ctx.signal?.aborted ?? false;
    if (recordError) failure ??= `cannot write the recording ${request.recordFile}: ${recordError.message}`;
    if (aborted) failure = `stopped before finishing: ${abortReason()}${failure ? ` (${failure})` : ''}`;
    if (!failure && (tapResult.code !== 0 || targetResult.code !== 0)) {
      failure = describeExit(
        tapResult.code !== 0 ? 'tap-pennylane' : 'target-postgres',
        tapResult.code !== 0 ? tapResult : targetResult,
      );
    }
    const rows = summary?.streams ?? null;
    return {
      runId,
      mode: request.mode,
      outcome: failure ? 'failed' : 'succeeded',
      streams: request.streams ?? (rows ? Object.keys(rows) : null),
      rows,
      seconds: (Date.now() - started.getTime()) / 1000,
      statesSaved,
      ...(failure ? { error: redact(failure) } : {}),
      aborted,
    };
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

function start(
  program: Program,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin: 'pipe' | 'ignore',
): ChildProcess {
  const cmd = programCommand(program);
  return spawn(cmd.command, [...cmd.args, ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
}

async function pump(input: Readable, onLine: (line: string) => void): Promise<void> {
  for await (const { text } of readLines(input)) onLine(text);
}

/** `tap-pennylane --discover`: the catalog `--stream` selects from. */
async function discover(env: NodeJS.ProcessEnv): Promise<ReturnType<typeof parseCatalog>> {
  const tap = start('tap-pennylane', ['--discover'], env, 'ignore');
  const chunks: Buffer[] = [];
  const lines = new LastLines();
  tap.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const stderr = pump(tap.stderr as Readable, (l) => lines.push(l));
  const [code, signal] = (await once(tap, 'close')) as [number | null, NodeJS.Signals | null];
  const exit = { code, signal };
  await stderr;
  if (exit.code !== 0) {
    throw new Error(
      `tap-pennylane --discover failed: ${redact(errorLine('tap-pennylane', lines.lines) ?? describeExit('tap-pennylane', exit))}`,
    );
  }
  return parseCatalog(Buffer.concat(chunks).toString('utf8'));
}
