#!/usr/bin/env node
/**
 * `npm run sync -- [--full] [--stream NAME ...] [--record FILE]` (bin `pennylane-sync`): one sync,
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
import { loadDotEnv, loadRunnerConfig, requireToken } from './config.js';
import { reportingMain } from './reporting-command.js';
import { RunLockHeldError } from './run-lock.js';
import { formatSummary } from './summary.js';
import { runSync } from './sync.js';
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
  requireToken(process.env);
  const config = loadRunnerConfig(process.env);

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

if (process.argv[2] === 'reporting') {
  process.argv.splice(2, 1);
  runMain('pennylane-reporting', reportingMain);
} else {
  runMain('pennylane-sync', main);
}
