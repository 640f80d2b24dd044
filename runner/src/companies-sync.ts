import pg from 'pg';
import {
  applyConsolidated,
  type ConsolidatedResult,
  companyReportingSchema,
} from '../../reporting/src/consolidated.js';
import { formatReporting } from '../../reporting/src/summary.js';
import { createLogger, type Logger, redact } from '../../singer/src/log.js';
import { type Company, companyEnv, companyRecordFile, companyStateFile } from './companies.js';
import { mapPool } from './pool.js';
import { applicationName, RunLockHeldError } from './run-lock.js';
import { formatSummary } from './summary.js';
import { runSync, type SyncContext, type SyncRequest, type SyncResult } from './sync.js';

/** One company's outcome: its run, or why it did not run (another run of it holds its lock). */
export type CompanyOutcome = {
  company: Company;
  stateFile: string;
  result?: SyncResult;
  locked?: string;
};

export type CompaniesContext = Omit<
  SyncContext,
  'schema' | 'stateFile' | 'reportingSchema' | 'company' | 'log' | 'childLog'
> & {
  stateDir: string;
  parallel: number;
  /** The consolidated views' schema; null: no reporting at all (PENNYLANE_REPORTING=false). */
  reportingSchema: string | null;
  /** Every company of the file (the consolidated views cover them all, even when --company picks some). */
  allCompanies: Company[];
  /** Each stderr line of the programs, prefixed with `[name]`; default: to stderr. */
  childLog?: (line: string) => void;
  /** Each company's summary line as soon as it finishes (the scheduler logs it, the CLI prints it). */
  onLine?: (line: string) => void;
  component?: string;
  /** Where the per-company runner loggers write (default stderr); the demo filters its INFO lines. */
  logSink?: (line: string) => void;
};

/** The company's summary line: `pennylane-sync [acme]: …`, as the single-company line, tagged. */
export function companyLine(outcome: CompanyOutcome): string {
  const tag = `pennylane-sync [${outcome.company.name}]`;
  if (outcome.locked !== undefined) return `${tag}: SKIPPED: ${outcome.locked}`;
  return formatSummary(outcome.result!, outcome.stateFile).replace(/^pennylane-sync/, tag);
}

export const failed = (o: CompanyOutcome): boolean =>
  o.locked !== undefined || o.result?.outcome !== 'succeeded' || o.result.reportingError !== undefined;

/** The closing line: how many companies succeeded, which did not. */
export function totalsLine(outcomes: CompanyOutcome[], seconds: number): string {
  const bad = outcomes.filter(failed).map((o) => o.company.name);
  const ok = outcomes.length - bad.length;
  return (
    `pennylane-sync: ${outcomes.length} compan${outcomes.length === 1 ? 'y' : 'ies'} in ${seconds.toFixed(1)} s: ` +
    `${ok} succeeded, ${bad.length} failed${bad.length > 0 ? ` (${bad.join(', ')})` : ''}`
  );
}

/**
 * Syncs `companies`, at most `parallel` at once, each as a whole single-company sync (its own token,
 * schema, state file, run lock, sync_runs rows, reporting views in `<schema>_reporting`). A company
 * that fails or is locked is only its own line: the others go on. Then the consolidated views are
 * rebuilt over every company of the file.
 */
export async function runCompanies(
  companies: Company[],
  request: SyncRequest,
  ctx: CompaniesContext,
): Promise<{ outcomes: CompanyOutcome[] } & ConsolidatedOutcome> {
  const outcomes = await mapPool(companies, ctx.parallel, async (company) => {
    const outcome = await runCompany(company, request, ctx);
    ctx.onLine?.(companyLine(outcome));
    return outcome;
  });
  if (ctx.reportingSchema === null || !outcomes.some((o) => o.result?.outcome === 'succeeded')) {
    return { outcomes };
  }
  return { outcomes, ...(await rebuildConsolidated(ctx)) };
}

/** One company's whole sync; never throws: whatever goes wrong is this company's outcome. */
export async function runCompany(
  company: Company,
  request: SyncRequest,
  ctx: CompaniesContext,
): Promise<CompanyOutcome> {
  const component = ctx.component ?? 'pennylane-sync';
  const childLog = ctx.childLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stateFile = companyStateFile(ctx.stateDir, company);
  const log: Logger = createLogger(`${component} [${company.name}]`, ctx.logSink);
  const companyRequest: SyncRequest = {
    ...request,
    ...(request.recordFile ? { recordFile: companyRecordFile(request.recordFile, company) } : {}),
  };
  const { reportingSchema, stateDir: _dir, parallel: _n, allCompanies: _all, logSink: _sink, ...base } = ctx;
  const failedWith = (error: string): CompanyOutcome => ({
    company,
    stateFile,
    result: {
      runId: 0,
      mode: request.mode,
      outcome: 'failed',
      streams: request.streams ?? null,
      rows: null,
      seconds: 0,
      statesSaved: 0,
      error,
      aborted: ctx.signal?.aborted ?? false,
    },
  });
  // Stopped (SIGINT/SIGTERM) while this company waited for a slot: it is not started at all.
  if (ctx.signal?.aborted) return failedWith('not started: a stop was requested (SIGINT/SIGTERM)');
  try {
    const result = await runSync(companyRequest, {
      ...base,
      schema: company.schema,
      stateFile,
      childEnv: companyEnv(ctx.childEnv, company),
      log,
      childLog: (line) => childLog(`[${company.name}] ${line}`),
      company: company.name,
      ...(reportingSchema !== null ? { reportingSchema: companyReportingSchema(company.schema) } : {}),
    });
    return { company, stateFile, result };
  } catch (err) {
    if (err instanceof RunLockHeldError) return { company, stateFile, locked: redact(err.message) };
    // Could not even start (database unreachable…): this company's failure, not the others'.
    return failedWith(redact((err as Error).message));
  }
}

export type ConsolidatedOutcome = { consolidated?: ConsolidatedResult; consolidatedError?: string };

/** The consolidated views over every company of the file; never throws. */
export async function rebuildConsolidated(ctx: CompaniesContext): Promise<ConsolidatedOutcome> {
  if (ctx.reportingSchema === null) return {};
  const client = new pg.Client({ ...ctx.connection, application_name: applicationName(new Date()) });
  try {
    await client.connect();
    const consolidated = await applyConsolidated(
      client,
      ctx.allCompanies.map((c) => ({
        name: c.name,
        schema: c.schema,
        reportingSchema: companyReportingSchema(c.schema),
      })),
      ctx.reportingSchema,
      (line) => createLogger(ctx.component ?? 'pennylane-sync', ctx.logSink).warn(line),
    );
    return { consolidated };
  } catch (err) {
    return { consolidatedError: redact((err as Error).message) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The consolidated views' line, as the reporting layer's. */
export function consolidatedLine(schema: string, res: ConsolidatedOutcome): string | undefined {
  if (res.consolidated === undefined && res.consolidatedError === undefined) return undefined;
  const result = res.consolidated && {
    ...res.consolidated,
    skipped: res.consolidated.skipped.map((view) => ({ view, reason: 'no company has it yet' })),
  };
  return formatReporting(schema, result, res.consolidatedError).replace(
    /^reporting:/,
    'reporting (all companies):',
  );
}
