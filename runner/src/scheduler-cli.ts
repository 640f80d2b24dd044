/**
 * `npm start`: the always-on service. Keeps the local database up (for Power BI), runs an
 * incremental sync every 2 hours and a full reload at 03:00 Europe/Paris (both from .env), one at a
 * time, until SIGINT/SIGTERM, which stops the run in flight cleanly and then the database.
 */

import { formatReporting } from '../../reporting/src/summary.js';
import { createLogger } from '../../singer/src/log.js';
import { runMain, runnerArgs } from './cli-args.js';
import { type Company, companyStateFile, loadCompaniesFile } from './companies.js';
import {
  type CompaniesContext,
  companyLine,
  consolidatedLine,
  failed,
  rebuildConsolidated,
  runCompany,
} from './companies-sync.js';
import { loadDotEnv, loadRunnerConfig, RUNNER_ENV, type RunnerConfig, requireToken } from './config.js';
import { Slots } from './pool.js';
import { RunLockHeldError } from './run-lock.js';
import { validateSchedule } from './schedule.js';
import { Scheduler } from './scheduler.js';
import { readStateFile } from './state-file.js';
import { formatSummary } from './summary.js';
import { runSync } from './sync.js';
import { embeddedBanner, openTargetDatabase, type TargetDatabase } from './target-database.js';

const log = createLogger('pennylane-scheduler');

async function main(): Promise<number> {
  const argv = await runnerArgs(
    'pennylane-scheduler',
    '$0\n\nRuns the syncs on a schedule (settings: .env) until Ctrl-C.',
  )
    .option('companies', {
      type: 'string',
      describe: 'Companies file: run every company on the schedule (default $PENNYLANE_COMPANIES_FILE)',
    })
    .option('parallel', {
      type: 'string',
      describe: 'With a companies file: companies synced at once (default $PENNYLANE_SYNC_PARALLEL or 4)',
    })
    .parseAsync();
  loadDotEnv(argv.dotenv);
  if (argv.companies) process.env[RUNNER_ENV.companiesFile] = argv.companies;
  if (argv.parallel !== undefined) process.env[RUNNER_ENV.parallel] = argv.parallel;
  const config = loadRunnerConfig(process.env);
  const companies =
    config.companiesFile === undefined
      ? undefined
      : loadCompaniesFile(config.companiesFile, process.env, [config.reportingTarget]);
  if (!companies) requireToken(process.env);
  validateSchedule(config.schedule, {
    incremental: RUNNER_ENV.incrementalCron,
    full: RUNNER_ENV.fullCron,
    timeZone: RUNNER_ENV.timeZone,
  });

  const db = await openTargetDatabase(config, log);
  if (companies) return scheduleCompanies(config, db, companies);
  if (db.embedded)
    process.stderr.write(`${embeddedBanner(db.embedded, config.schema, db.embedded.created)}\n`);
  log.info(`target database ${db.describe}, schema "${config.schema}"`);

  const scheduler = new Scheduler({
    schedule: config.schedule,
    log,
    run: async (mode, signal) => {
      try {
        const result = await runSync(
          { mode },
          {
            connection: db.connection,
            schema: config.schema,
            stateFile: config.stateFile,
            childEnv: db.childEnv,
            log,
            signal,
            ...(config.reportingSchema !== null ? { reportingSchema: config.reportingSchema } : {}),
          },
        );
        log.info(formatSummary(result, config.stateFile));
        if (result.outcome === 'succeeded' && config.reportingSchema !== null) {
          const line = formatReporting(config.reportingSchema, result.reporting, result.reportingError);
          if (result.reportingError === undefined) log.info(line);
          else log.error(line);
        }
        return result.outcome;
      } catch (err) {
        if (err instanceof RunLockHeldError) {
          log.warn(err.message);
          return 'locked';
        }
        throw err;
      }
    },
  });

  const { incremental, full, timeZone } = config.schedule;
  log.info(`schedule (${timeZone}): incremental "${incremental}", full reload "${full}"`);
  // Never synced yet: load everything now rather than leave Power BI empty until the first slot.
  const firstRun = readStateFile(config.stateFile) === undefined;
  scheduler.start(firstRun ? 'full' : undefined);
  if (!firstRun) scheduler.logNext();

  return untilSignal([scheduler], db);
}

/**
 * Every company on the schedule: one Scheduler per company (a slot is skipped for a company whose run
 * is still in flight, and only for it), sharing `parallel` run slots; after each company's successful
 * run the consolidated views are rebuilt over every company of the file.
 */
function scheduleCompanies(config: RunnerConfig, db: TargetDatabase, companies: Company[]): Promise<number> {
  if (db.embedded) {
    process.stderr.write(
      `${embeddedBanner(db.embedded, companies.map((c) => c.schema).join(', '), db.embedded.created)}\n`,
    );
  }
  const slots = new Slots(config.parallel);
  const ctx: CompaniesContext = {
    connection: db.connection,
    childEnv: db.childEnv,
    stateDir: config.stateDir,
    parallel: config.parallel,
    reportingSchema: config.reportingSchema,
    allCompanies: companies,
    component: 'pennylane-scheduler',
  };
  const schedulers = companies.map((company) => {
    const companyLog = createLogger(`pennylane-scheduler [${company.name}]`);
    const scheduler = new Scheduler({
      schedule: config.schedule,
      log: companyLog,
      run: (mode, signal) =>
        slots.use(async () => {
          if (signal.aborted) return 'failed';
          const outcome = await runCompany(company, { mode }, { ...ctx, signal });
          const line = companyLine(outcome);
          if (failed(outcome)) companyLog.error(line);
          else companyLog.info(line);
          if (outcome.result?.outcome === 'succeeded' && !signal.aborted) {
            const line =
              config.reportingSchema &&
              consolidatedLine(config.reportingSchema, await rebuildConsolidated(ctx));
            if (line) log.info(line);
          }
          return outcome.locked !== undefined
            ? 'locked'
            : outcome.result?.outcome === 'succeeded'
              ? 'succeeded'
              : 'failed';
        }),
    });
    // Never synced yet: load it now rather than leave it empty until the first slot.
    const firstRun = readStateFile(companyStateFile(config.stateDir, company)) === undefined;
    scheduler.start(firstRun ? 'full' : undefined);
    return scheduler;
  });
  const { incremental, full, timeZone } = config.schedule;
  log.info(
    `${companies.length} companies, ${Math.min(config.parallel, companies.length)} at once; schedule (${timeZone}): incremental "${incremental}", full reload "${full}"`,
  );
  schedulers[0]?.logNext();
  return untilSignal(schedulers, db);
}

/** Runs until SIGINT/SIGTERM, then stops every run in flight cleanly, then the database. */
function untilSignal(schedulers: Scheduler[], db: TargetDatabase): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(1);
        return;
      }
      stopping = true;
      log.info(`${signal} received: stopping (the runs in flight, if any, are stopped cleanly first)`);
      Promise.all(schedulers.map((s) => s.stop()))
        .then(() => db.close())
        .then(
          () => {
            log.info(
              `stopped (${signal})${db.embedded?.startedHere ? '; the local PostgreSQL is stopped' : ''}`,
            );
            resolve(0);
          },
          (err: Error) => {
            log.error(`while stopping: ${err.message}`);
            resolve(1);
          },
        );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

runMain('pennylane-scheduler', main);
