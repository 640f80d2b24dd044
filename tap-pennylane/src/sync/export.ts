import type { Readable } from 'node:stream';
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EXPORT_RESOURCES } from '../../../pennylane/src/api.js';
import { AglFormatError, readAglXlsx } from '../exports/agl-reader.js';
import { FecFormatError, fecRecord, readFec } from '../exports/fec-reader.js';
import { ExportUrlExpiredError, InvalidResponseError, NetworkError, ServerError } from '../http/errors.js';
import type { ExportStream } from '../streams/definition.js';
import { iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import { type FiscalYear, isSettled } from './fiscal-years.js';
import { type ExportBookmark, readExportBookmark, type YearExport } from './state.js';

type ExportJob = {
  id: number;
  status: 'pending' | 'ready' | 'error' | string;
  file_url?: string | null;
  created_at?: string;
};

/** One parsed row: its number in the file (line or worksheet row) and its values. */
type FileRow = { number: number; values: Record<string, unknown> };

export class ExportFailedError extends Error {
  override name = 'ExportFailedError';
}

/**
 * Whether a fiscal year needs a new export this run. Settled (closed, frozen) years are exported once:
 * again only when they were still open at their last export, or when reexport_closed_years asks.
 * Open years are exported again once their last export is older than export_max_age_hours (or on
 * full_refresh), so an incremental run every two hours does not wait on export jobs.
 */
export function exportDue(
  year: FiscalYear,
  last: YearExport | undefined,
  opts: { now: number; maxAgeHours: number; fullRefresh: boolean; reexportClosed: boolean },
): boolean {
  if (!last || last.exported_at === null) return true;
  if (last.period_start !== year.start || last.period_end !== year.finish) return true;
  if (isSettled(year.status)) return !isSettled(last.status) || opts.reexportClosed;
  if (opts.fullRefresh) return true;
  return opts.now - Date.parse(last.exported_at) >= opts.maxAgeHours * 3_600_000;
}

/**
 * FEC and analytical ledger: one export job per fiscal year in scope. After the run the table holds
 * exactly the latest export of each year in scope: rows are keyed by (fiscal_year_id, row number) and
 * every number the previous export had but the new one lacks gets a delete, as do all rows of a year
 * that left the scope.
 */
export async function syncExport(ctx: SyncContext, w: StreamWriter, def: ExportStream): Promise<void> {
  const bookmark: ExportBookmark = readExportBookmark(ctx.state.get(def.name));
  const numberField = def.key.find((k) => k !== 'fiscal_year_id') ?? 'row_number';
  const years = await ctx.fiscalYearsInScope();
  const inScope = new Set(years.map((y) => String(y.id)));
  const save = async () => {
    ctx.state.set(def.name, bookmark);
    await ctx.out.emitState();
  };

  const deletedAt = iso(ctx.now());
  for (const [id, last] of Object.entries(bookmark.years)) {
    if (inScope.has(id)) continue;
    for (let n = 1; n <= last.last_row; n++) {
      await w.tombstone({ fiscal_year_id: Number(id), [numberField]: n }, deletedAt);
    }
    delete bookmark.years[id];
    ctx.log.info(`${def.name}: fiscal year ${id} left the scope, its ${last.rows} rows are deleted`);
  }
  await save();

  const opts = {
    now: ctx.now(),
    maxAgeHours: ctx.config.exportMaxAgeHours,
    fullRefresh: ctx.config.fullRefresh,
    reexportClosed: ctx.config.reexportClosedYears,
  };
  const due = years.filter((y) => exportDue(y, bookmark.years[String(y.id)], opts));
  const skipped = years.length - due.length;
  if (skipped > 0) ctx.log.info(`${def.name}: ${skipped} fiscal year(s) exported recently enough, kept`);

  // Export jobs of different years run side by side: most of their time is spent waiting for Pennylane.
  const results = await Promise.allSettled(
    due.map(async (year) => {
      const key = String(year.id);
      const { error, ...outcome } = await exportYear(ctx, w, def, year, numberField, bookmark.years[key]);
      bookmark.years[key] = outcome;
      await save();
      if (error) throw error;
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length > 0) throw failures[0];
}

/** Rows parsed between two turns of the event loop. */
const YIELD_EVERY_ROWS = 500;

/** Reads of one ready file when the download breaks off (a reset, the server closing the connection). */
const READ_ATTEMPTS = 3;

async function exportYear(
  ctx: SyncContext,
  w: StreamWriter,
  def: ExportStream,
  year: FiscalYear,
  numberField: string,
  last: YearExport | undefined,
): Promise<YearExport & { error?: Error }> {
  const oldLast = last?.last_row ?? 0;
  const where = `${def.name}: fiscal year ${year.id}`;
  let emittedMax = 0;

  /** Emits the file's rows, and deletes for the numbers the previous export had and this one lacks. */
  const emitFile = async (input: Readable, fixed: Record<string, unknown>) => {
    let rows = 0;
    let previous = 0;
    const deletedAt = iso(ctx.now());
    for await (const row of fileRows(def, input)) {
      // Numbers the old export had between two rows of the new one (blank lines) are gone too.
      for (let n = previous + 1; n < row.number && n <= oldLast; n++) {
        await w.tombstone({ fiscal_year_id: year.id, [numberField]: n }, deletedAt);
      }
      await w.record({ ...row.values, ...fixed, [numberField]: row.number });
      previous = row.number;
      emittedMax = Math.max(emittedMax, row.number);
      // Parsing runs on microtasks: let timers and sockets in now and then, so the other streams'
      // requests go out on time while a big file is read.
      if (++rows % YIELD_EVERY_ROWS === 0) await yieldToEventLoop();
    }
    for (let n = previous + 1; n <= oldLast; n++) {
      await w.tombstone({ fiscal_year_id: year.id, [numberField]: n }, deletedAt);
    }
    return { rows, lastRow: previous };
  };

  try {
    let job: ExportJob | undefined;
    let exportedAt = 0;
    let created = 0;
    let reads = 0;
    for (;;) {
      if (!job) {
        exportedAt = ctx.now();
        job = await createAndWait(ctx, def, year);
        created++;
        reads = 0;
      }
      try {
        reads++;
        const input = await ctx.client.download(job.file_url!, { stream: def.name });
        const fixed = {
          fiscal_year_id: year.id,
          export_id: job.id,
          exported_at: job.created_at ?? iso(exportedAt),
        };
        const { rows, lastRow } = await emitFile(input, fixed);
        ctx.log.info(`${where} (${year.start}..${year.finish}): ${rows} rows`);
        return {
          export_id: job.id,
          exported_at: iso(exportedAt),
          period_start: year.start,
          period_end: year.finish,
          status: year.status,
          rows,
          last_row: lastRow,
        };
      } catch (err) {
        if (err instanceof ExportUrlExpiredError && created < 2) {
          ctx.log.warn(`${where}: the file URL expired before download, exporting again`);
          job = undefined;
          continue;
        }
        // A file that reads wrong is wrong: only a broken transfer is worth reading again. Rows are
        // keyed by their number, so the rows emitted before the break are simply emitted again.
        const broken = !(
          err instanceof FecFormatError ||
          err instanceof AglFormatError ||
          err instanceof ExportUrlExpiredError
        );
        if (err instanceof FecFormatError || err instanceof AglFormatError) {
          throw new ExportFailedError(
            `${where} (${year.start}..${year.finish}): export ${job.id}, file ${filePath(job.file_url!)}: ${err.message} — the file Pennylane served is at fault: rerun later (the year is exported again), and report it to Pennylane if it persists`,
            { cause: err },
          );
        }
        if (!broken || reads >= READ_ATTEMPTS) throw err;
        ctx.log.warn(`${where}: the download broke off (${(err as Error).message}), reading the file again`);
      }
    }
  } catch (err) {
    const error =
      err instanceof ExportFailedError
        ? err
        : new ExportFailedError(`${where} (${year.start}..${year.finish}): ${(err as Error).message}`, {
            cause: err,
          });
    // Rows of a half-read file may be in the table: remember the highest number so that the next
    // export deletes whatever this one left beyond its own rows. The year is exported again next run.
    return {
      export_id: last?.export_id ?? null,
      exported_at: null,
      period_start: year.start,
      period_end: year.finish,
      status: last?.status ?? year.status,
      rows: last?.rows ?? 0,
      last_row: Math.max(oldLast, emittedMax),
      error,
    };
  }
}

/** A file URL for messages: its path only (a presigned URL's query carries its signature). */
const filePath = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unreadable URL)';
  }
};

/** POST the job, then poll it (each poll is one request of the shared budget) until ready or error. */
async function createAndWait(ctx: SyncContext, def: ExportStream, year: FiscalYear): Promise<ExportJob> {
  const path = EXPORT_RESOURCES[def.export].path;
  const body = {
    period_start: year.start,
    period_end: year.finish,
    ...(def.export === 'analytical_general_ledgers' ? { mode: 'in_line' } : {}),
  };
  const where = `${def.name}: fiscal year ${year.id} (${year.start}..${year.finish})`;
  let job = checkJob(await createJob(ctx, def, path, body, where), `POST ${path}`, where);
  const deadline = Date.now() + ctx.config.exportPollTimeoutSeconds * 1000;
  const interval = ctx.config.exportPollIntervalSeconds * 1000;
  while (job.status === 'pending') {
    if (Date.now() + interval > deadline) {
      throw new ExportFailedError(
        `${where}: export ${job.id} still pending after ${ctx.config.exportPollTimeoutSeconds} s; raise export_poll_timeout_seconds or retry later`,
      );
    }
    await sleep(interval);
    const poll = `${path}/${job.id}`;
    job = checkJob(
      await ctx.client.getJson<unknown>(poll, undefined, { stream: def.name }),
      `GET ${poll}`,
      where,
    );
  }
  if (job.status === 'error') {
    throw new ExportFailedError(
      `${where}: Pennylane reports export ${job.id} in error; retry later, or try the export in Pennylane's UI to see why`,
    );
  }
  if (job.status !== 'ready' || typeof job.file_url !== 'string' || job.file_url === '') {
    throw new ExportFailedError(
      `${where}: export ${job.id} has status ${JSON.stringify(job.status)} and no file_url; retry later`,
    );
  }
  return job;
}

/**
 * An export job as the API documents it (`id`, `status`), or one line naming the request and the API:
 * an HTML page or another shape would otherwise read as "export undefined has status undefined".
 */
function checkJob(answer: unknown, request: string, where: string): ExportJob {
  const job = answer as Partial<ExportJob> | null;
  if (job && typeof job === 'object' && typeof job.id === 'number' && typeof job.status === 'string')
    return job as ExportJob;
  const got =
    job && typeof job === 'object' && !Array.isArray(job)
      ? `fields: ${Object.keys(job).slice(0, 8).join(', ') || 'none'}`
      : JSON.stringify(answer)?.slice(0, 40);
  throw new ExportFailedError(
    `${where}: ${request}: the answer is not an export job with an id and a status (${got}) — the API answered with an unexpected shape; rerun later, and report it to Pennylane if it persists`,
  );
}

/** Attempts at creating one export job when the answer was lost (5xx, reset, unreadable body). */
const CREATE_ATTEMPTS = 3;

/**
 * The client never repeats a POST that may have reached the server. Here repeating is harmless: an
 * export job only reads, so a lost answer costs at worst one unused job on Pennylane's side.
 */
async function createJob(
  ctx: SyncContext,
  def: ExportStream,
  path: string,
  body: unknown,
  where: string,
): Promise<ExportJob> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.client.postJson<ExportJob>(path, body, { stream: def.name });
    } catch (err) {
      const lost =
        err instanceof ServerError || err instanceof NetworkError || err instanceof InvalidResponseError;
      if (!lost || attempt >= CREATE_ATTEMPTS) throw err;
      ctx.log.warn(`${where}: creating the export failed (${(err as Error).message}), creating it again`);
      await sleep(250 * attempt);
    }
  }
}

/** The file's rows in neutral form, empty values as null (the schemas' dates and decimals are nullable). */
async function* fileRows(def: ExportStream, input: Readable): AsyncGenerator<FileRow> {
  if (def.export === 'fecs') {
    for await (const { line, row } of readFec(input)) yield { number: line, values: fecRecord(row) };
  } else {
    for await (const { row, values } of readAglXlsx(input)) yield { number: row, values };
  }
}
