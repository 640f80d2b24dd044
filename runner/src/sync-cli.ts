#!/usr/bin/env node
/**
 * `npm run sync -- [--full] [--stream NAME ...] [--record FILE]` (bin `pennylane-sync`): one sync,
 * or, with a companies file (`--companies FILE` or PENNYLANE_COMPANIES_FILE), one per company
 * (`--company NAME` picks some, `--parallel N` at once, one summary line each, exit 1 if any failed),
 * then the reporting views rebuilt (`pennylane-sync reporting` rebuilds only them, as `npm run reporting`),
 * tap-pennylane | target-postgres, into the configured database or the embedded one.
 * Exit codes: 0 succeeded, 1 failed, 2 bad usage or configuration, 3 another run holds the lock,
 * 130/143 stopped by SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import { formatReporting } from '../../reporting/src/summary.js';
import { createLogger, redact } from '../../singer/src/log.js';
import { ConfigError } from '../../singer/src/settings.js';
import { STREAMS } from '../../tap-pennylane/src/streams/definitions.js';
import { unknownStreams } from './catalog-selection.js';
import { runMain, runnerArgs } from './cli-args.js';
import { type Company, loadCompaniesFile, pickCompanies } from './companies.js';
import { consolidatedLine, failed, runCompanies, totalsLine } from './companies-sync.js';
import { loadDotEnv, loadRunnerConfig, RUNNER_ENV, type RunnerConfig, requireToken } from './config.js';
import { reportingMain } from './reporting-command.js';
import { RunLockHeldError } from './run-lock.js';
import { formatSummary } from './summary.js';
import { runSync, type SyncRequest } from './sync.js';
import { embeddedBanner, openTargetDatabase, type TargetDatabase } from './target-database.js';

const log = createLogger('pennylane-sync');
const STREAM_NAMES = STREAMS.map((s) => s.name);

async function main(): Promise<number> {
  const argv = await runnerArgs(
    'pennylane-sync',
    '$0 [--full] [--stream NAME ...] [--record FILE]\n\nSync Pennylane into PostgreSQL (settings: .env).',
  )
    .option('full', {
      type: 'boolean',
      default: false,
      describe: 'Ignore bookmarks and read every stream in full',
    })
    .option('stream', { type: 'string', array: true, describe: 'Only these streams (repeatable)' })
    .option('record', { type: 'string', describe: "Save the tap's output (NDJSON, .gz allowed) for replay" })
    .option('state-file', {
      type: 'string',
      describe: 'State file (default $PENNYLANE_SYNC_STATE_FILE or state/state.json)',
    })
    .option('companies', {
      type: 'string',
      describe: 'Companies file: sync every company in it (default $PENNYLANE_COMPANIES_FILE)',
    })
    .option('company', {
      type: 'string',
      array: true,
      describe: 'With a companies file: only these companies (repeatable)',
    })
    .option('parallel', {
      type: 'string',
      describe: 'With a companies file: companies synced at once (default $PENNYLANE_SYNC_PARALLEL or 4)',
    })
    .parseAsync();

  const streams = argv.stream
    ?.flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  // A typo fails here, before a database starts or a run is recorded.
  const unknown = streams && unknownStreams(streams, STREAM_NAMES);
  if (unknown) throw new ConfigError(unknown);
  loadDotEnv(argv.dotenv);
  if (argv['state-file']) process.env.PENNYLANE_SYNC_STATE_FILE = argv['state-file'];
  if (argv.companies) process.env[RUNNER_ENV.companiesFile] = argv.companies;
  if (argv.parallel !== undefined) process.env[RUNNER_ENV.parallel] = argv.parallel;
  const config = loadRunnerConfig(process.env);
  if (config.companiesFile === undefined) {
    if (argv.company || argv.parallel !== undefined) {
      throw new ConfigError(
        '--company and --parallel need a companies file (--companies FILE or PENNYLANE_COMPANIES_FILE)',
      );
    }
    requireToken(process.env);
  } else if (argv['state-file']) {
    throw new ConfigError(
      '--state-file is for one company: with a companies file each company has <PENNYLANE_SYNC_STATE_DIR>/<name>.json',
    );
  }
  // A bad companies file fails here, before a database starts.
  let picked: { all: Company[]; companies: Company[] } | undefined;
  if (config.companiesFile !== undefined) {
    const all = loadCompaniesFile(config.companiesFile, process.env, [config.reportingTarget]);
    picked = { all, companies: pickCompanies(all, argv.company) };
  }

  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let db: TargetDatabase | undefined;
  try {
    db = await openTargetDatabase(config, log);
    if (config.companiesFile !== undefined) {
      return await syncCompanies(config, db, picked!.all, {
        mode: argv.full ? 'full' : 'incremental',
        ...(streams && streams.length > 0 ? { streams } : {}),
        ...(argv.record ? { recordFile: resolve(argv.record) } : {}),
        companies: picked!.companies,
        signal: controller.signal,
        signalled: () => signalled,
      });
    }
    if (db.embedded?.created) process.stderr.write(`${embeddedBanner(db.embedded, config.schema, true)}\n`);
    log.info(`target database ${db.describe}, schema "${config.schema}"`);
    const result = await runSync(
      {
        mode: argv.full ? 'full' : 'incremental',
        ...(streams && streams.length > 0 ? { streams } : {}),
        ...(argv.record ? { recordFile: resolve(argv.record) } : {}),
      },
      {
        connection: db.connection,
        schema: config.schema,
        stateFile: config.stateFile,
        childEnv: db.childEnv,
        log,
        signal: controller.signal,
        ...(config.reportingSchema !== null ? { reportingSchema: config.reportingSchema } : {}),
      },
    );
    // The run's summary stays the last line; the reporting layer's line comes just before it.
    const reporting = result.outcome === 'succeeded' && config.reportingSchema !== null;
    if (reporting) {
      process.stderr.write(
        `${formatReporting(config.reportingSchema!, result.reporting, result.reportingError)}\n`,
      );
    }
    process.stderr.write(`${formatSummary(result, config.stateFile)}\n`);
    if (signalled) return signalled === 'SIGINT' ? 130 : 143;
    if (result.outcome !== 'succeeded') return 1;
    return reporting && result.reportingError !== undefined ? 1 : 0;
  } catch (err) {
    if (err instanceof RunLockHeldError) {
      process.stderr.write(`pennylane-sync: ${redact(err.message)}\n`);
      return 3;
    }
    throw err;
  } finally {
    await db?.close().catch((err: Error) => log.warn(`could not stop the local PostgreSQL: ${err.message}`));
  }
}

/** The multi-company run: one line per company as each ends, the consolidated views, a totals line. */
async function syncCompanies(
  config: RunnerConfig,
  db: TargetDatabase,
  all: Company[],
  opts: SyncRequest & {
    companies: Company[];
    signal: AbortSignal;
    signalled: () => NodeJS.Signals | undefined;
  },
): Promise<number> {
  const { companies, signal, signalled, ...request } = opts;
  if (db.embedded?.created) {
    process.stderr.write(`${embeddedBanner(db.embedded, companies.map((c) => c.schema).join(', '), true)}\n`);
  }
  log.info(
    `target database ${db.describe}: ${companies.length} of ${all.length} compan${all.length === 1 ? 'y' : 'ies'}, ` +
      `${Math.min(config.parallel, companies.length)} at once`,
  );
  const started = Date.now();
  const res = await runCompanies(companies, request, {
    connection: db.connection,
    childEnv: db.childEnv,
    stateDir: config.stateDir,
    parallel: config.parallel,
    reportingSchema: config.reportingSchema,
    allCompanies: all,
    signal,
    onLine: (line) => process.stderr.write(`${line}\n`),
  });
  const line = config.reportingSchema !== null && consolidatedLine(config.reportingSchema, res);
  if (line) process.stderr.write(`${line}\n`);
  process.stderr.write(`${totalsLine(res.outcomes, (Date.now() - started) / 1000)}\n`);
  const stop = signalled();
  if (stop) return stop === 'SIGINT' ? 130 : 143;
  if (res.outcomes.some((o) => o.result !== undefined && failed(o)) || res.consolidatedError) return 1;
  return res.outcomes.some((o) => o.locked !== undefined) ? 3 : 0;
}

if (process.argv[2] === 'reporting') {
  process.argv.splice(2, 1);
  runMain('pennylane-reporting', reportingMain);
} else {
  runMain('pennylane-sync', main);
}
