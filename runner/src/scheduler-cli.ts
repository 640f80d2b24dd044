/**
 * `npm start`: the always-on service. Keeps the local database up (for Power BI), runs an
 * incremental sync every 2 hours and a full reload at 03:00 Europe/Paris (both from .env), one at a
 * time, until SIGINT/SIGTERM, which stops the run in flight cleanly and then the database.
 */

import { formatReporting } from '../../reporting/src/summary.js';
import { createLogger } from '../../singer/src/log.js';
import { runMain, runnerArgs } from './cli-args.js';
import { loadDotEnv, loadRunnerConfig, RUNNER_ENV, requireToken } from './config.js';
import { RunLockHeldError } from './run-lock.js';
import { validateSchedule } from './schedule.js';
import { Scheduler } from './scheduler.js';
import { readStateFile } from './state-file.js';
import { formatSummary } from './summary.js';
import { runSync } from './sync.js';
import { embeddedBanner, openTargetDatabase } from './target-database.js';

const log = createLogger('pennylane-scheduler');

async function main(): Promise<number> {
  const argv = await runnerArgs(
    'pennylane-scheduler',
    '$0\n\nRuns the syncs on a schedule (settings: .env) until Ctrl-C.',
  ).parseAsync();
  loadDotEnv(argv.dotenv);
  requireToken(process.env);
  const config = loadRunnerConfig(process.env);
  validateSchedule(config.schedule, {
    incremental: RUNNER_ENV.incrementalCron,
    full: RUNNER_ENV.fullCron,
    timeZone: RUNNER_ENV.timeZone,
  });

  const db = await openTargetDatabase(config, log);
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

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(1);
        return;
      }
      stopping = true;
      log.info(`${signal} received: stopping (the run in flight, if any, is stopped cleanly first)`);
      scheduler
        .stop()
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
