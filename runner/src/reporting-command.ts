/**
 * `npm run reporting` (bin: `pennylane-sync reporting`): builds or rebuilds the reporting views
 * (reporting/sql) from the synced tables, with the same settings as `npm run sync` (.env, the
 * configured database or the embedded one), without syncing. No API token needed.
 * Exit codes: 0 built, 1 failed (nothing changed), 2 bad configuration, 3 a sync is running.
 */
import pg from 'pg';
import { applyReporting } from '../../reporting/src/apply.js';
import { formatReporting } from '../../reporting/src/summary.js';
import { createLogger, redact } from '../../singer/src/log.js';
import { runnerArgs } from './cli-args.js';
import { loadDotEnv, loadRunnerConfig } from './config.js';
import { acquireRunLock, applicationName, RunLockHeldError, releaseRunLock } from './run-lock.js';
import { openTargetDatabase, type TargetDatabase } from './target-database.js';

const log = createLogger('pennylane-reporting');

export async function reportingMain(): Promise<number> {
  const argv = await runnerArgs(
    'pennylane-reporting',
    '$0\n\nBuild the reporting views (schema $PENNYLANE_REPORTING_SCHEMA, default "reporting") from the synced tables.',
  ).parseAsync();
  loadDotEnv(argv.dotenv);
  const config = loadRunnerConfig(process.env);
  const schema = config.reportingTarget;
  let db: TargetDatabase | undefined;
  try {
    db = await openTargetDatabase(config, log);
    log.info(`database ${db.describe}: views in schema "${schema}" from the tables of "${config.schema}"`);
    const client = new pg.Client({ ...db.connection, application_name: applicationName(new Date()) });
    await client.connect();
    try {
      // Not while a sync writes: it rebuilds the layer itself when it ends.
      await acquireRunLock(client, config.schema);
      try {
        const result = await applyReporting(client, {
          sourceSchema: config.schema,
          reportingSchema: schema,
          warn: (line) => log.warn(line),
        });
        process.stderr.write(`${formatReporting(schema, result)}\n`);
        return 0;
      } catch (err) {
        process.stderr.write(`${formatReporting(schema, undefined, redact((err as Error).message))}\n`);
        return 1;
      } finally {
        await releaseRunLock(client, config.schema).catch(() => {});
      }
    } finally {
      await client.end().catch(() => {});
    }
  } catch (err) {
    if (err instanceof RunLockHeldError) {
      process.stderr.write(
        `pennylane-reporting: ${redact(err.message)} (the sync rebuilds the views when it ends)\n`,
      );
      return 3;
    }
    throw err;
  } finally {
    await db?.close().catch((err: Error) => log.warn(`could not stop the local PostgreSQL: ${err.message}`));
  }
}
