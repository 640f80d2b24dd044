/**
 * target-postgres as an Airbyte destination: `spec`, `check --config F`, `write --config F --catalog F`
 * (Airbyte messages on stdin). `write` feeds the same engine as the Singer CLI (runTarget), so loading,
 * typing, upserts and the state-after-commit rule are the Singer path's.
 */
import type { Readable, Writable } from 'node:stream';
import pg from 'pg';
import {
  AirbyteOutput,
  AirbyteUsageError,
  parseVerbArgs,
  readJsonFile,
  reportFailure,
} from '../../../airbyte/src/cli-support.js';
import { AirbyteCatalogError, parseConfiguredCatalog } from '../../../airbyte/src/configured-catalog.js';
import { SUPPORTED_DESTINATION_SYNC_MODES } from '../../../airbyte/src/destination-mapping.js';
import { airbyteToSinger, isCarriedState } from '../../../airbyte/src/destination-stream.js';
import { connectionStatusMessage } from '../../../airbyte/src/messages.js';
import { connectorSpecification } from '../../../airbyte/src/spec.js';
import { createLogger, redact, registerSecret } from '../../../singer/src/log.js';
import { readLines } from '../../../singer/src/reader.js';
import { ConfigError, loadConfig, secretValues } from '../../../singer/src/settings.js';
import { TARGET_INFO, type TargetConfig, toTargetConfig } from '../config.js';
import { quoteIdent } from '../identifiers.js';
import { runTarget } from '../target.js';

const PROGRAM = 'target-postgres';
export const DESTINATION_VERBS = ['spec', 'check', 'write'] as const;

/** Whether argv starts with one of the Airbyte verbs (the CLI dispatches here then). */
export const isDestinationVerb = (arg: string | undefined): boolean =>
  (DESTINATION_VERBS as readonly string[]).includes(arg ?? '');

/** Loads `--config` (env TARGET_POSTGRES_* still override it) and hides its secrets from every log line. */
function loadDestinationConfig(file: string | undefined): TargetConfig {
  const raw = loadConfig(TARGET_INFO, file);
  for (const s of secretValues(TARGET_INFO, raw)) registerSecret(s);
  if (typeof raw.database_url === 'string') {
    try {
      const password = new URL(raw.database_url).password;
      registerSecret(password);
      registerSecret(decodeURIComponent(password));
    } catch {
      // not a URL: toTargetConfig says so
    }
  }
  return toTargetConfig(raw);
}

/**
 * Connects, then proves the role can create the target schema and a table in it (created and dropped
 * in a transaction that is rolled back): the first sync would fail on the same privilege.
 */
async function checkDestination(config: TargetConfig): Promise<string | undefined> {
  const client = new pg.Client(config.connection);
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    return `cannot connect to PostgreSQL: ${(err as Error).message}; check host, port, user, password and database`;
  }
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(config.schema)}`);
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${quoteIdent(config.schema)}."_airbyte_check" (id integer)`);
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return `cannot use schema "${config.schema}": ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const failureTypeOf = (err: unknown) =>
  err instanceof ConfigError || err instanceof AirbyteCatalogError || err instanceof AirbyteUsageError
    ? 'config_error'
    : 'system_error';

/** Runs one Airbyte verb; returns the exit code. stdout carries Airbyte messages only. */
export async function runAirbyteDestination(
  argv: string[],
  io: { stdin: Readable; stdout: Writable } = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  const out = new AirbyteOutput(io.stdout);
  try {
    const args = await parseVerbArgs(PROGRAM, argv, {
      spec: { required: [] },
      check: { required: ['config'] },
      write: { required: ['config', 'catalog'] },
    });
    if (args.verb === 'spec') {
      await out.send({
        type: 'SPEC',
        spec: connectorSpecification(TARGET_INFO, { destinationSyncModes: SUPPORTED_DESTINATION_SYNC_MODES }),
      });
    } else if (args.verb === 'check') {
      let problem: string | undefined;
      try {
        problem = await checkDestination(loadDestinationConfig(args.config));
      } catch (err) {
        problem = (err as Error).message;
      }
      await out.send(connectionStatusMessage(problem === undefined, problem && redact(problem)));
    } else {
      const config = loadDestinationConfig(args.config);
      const catalog = parseConfiguredCatalog(readJsonFile(args.catalog!, 'catalog'), args.catalog!);
      const log = createLogger(PROGRAM);
      const summary = await runTarget({
        // Overwrite streams are versioned: ACTIVATE_VERSION must run whatever the Singer setting says.
        config: { ...config, activateVersion: true },
        messages: airbyteToSinger(readLines(io.stdin), catalog, { source: 'stdin', log }),
        emitState: async (value) => {
          if (isCarriedState(value)) await out.sendLine(value.line);
        },
        log,
      });
      process.stderr.write(
        `${PROGRAM}: summary ${JSON.stringify({ streams: summary.streams, seconds: summary.seconds })}\n`,
      );
    }
    await out.close();
    return 0;
  } catch (err) {
    return reportFailure(out, PROGRAM, err, failureTypeOf(err));
  }
}
