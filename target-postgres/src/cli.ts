#!/usr/bin/env node
import { realpathSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { aboutJson, aboutMarkdown } from '../../singer/src/about.js';
import { createLogger, redact, registerSecret } from '../../singer/src/log.js';
import { packageVersion } from '../../singer/src/paths.js';
import { openInput, readSingerMessageChunks } from '../../singer/src/reader.js';
import { loadConfig, secretValues } from '../../singer/src/settings.js';
import { NdjsonWriter } from '../../singer/src/writer.js';
import { isDestinationVerb, runAirbyteDestination } from './airbyte/destination.js';
import { TARGET_INFO, toTargetConfig } from './config.js';
import { runTarget } from './target.js';

const PREFIX = 'target-postgres';

/** Hides the password of a connection URL as well as the URL itself. */
function registerSecrets(raw: Record<string, unknown>): void {
  for (const s of secretValues(TARGET_INFO, raw)) registerSecret(s);
  const url = raw.database_url;
  if (typeof url === 'string') {
    try {
      registerSecret(decodeURIComponent(new URL(url).password));
      registerSecret(new URL(url).password);
    } catch {
      // not a URL: toTargetConfig says so
    }
  }
}

/**
 * The Singer CLI: `--config FILE` (optional), `--input FILE` (stdin by default, .gz accepted), `--about`,
 * `--version`, `--help`. Returns the exit code; the Airbyte verbs (spec|check|write) can dispatch before it.
 */
export async function runSingerCli(argv: string[]): Promise<number> {
  const args = await yargs(argv)
    .scriptName(PREFIX)
    .usage(
      '$0 [--config FILE] [--input FILE]\n\nLoads a Singer message stream (stdin or --input) into PostgreSQL.',
    )
    .epilog('Airbyte protocol: $0 spec | check --config F | write --config F --catalog F (messages on stdin)')
    .option('config', {
      type: 'string',
      describe: 'JSON config file (env vars TARGET_POSTGRES_<KEY> override it)',
    })
    .option('input', {
      type: 'string',
      describe: 'Read messages from this NDJSON file (.gz too) instead of stdin',
    })
    .option('about', { type: 'boolean', describe: 'Print what this target supports and its settings' })
    .option('format', {
      choices: ['json', 'markdown'] as const,
      default: 'json' as const,
      describe: 'Format of --about',
    })
    .version(packageVersion)
    .help()
    .strict()
    .parseAsync();

  if (args.about) {
    process.stdout.write(
      `${args.format === 'markdown' ? aboutMarkdown(TARGET_INFO) : aboutJson(TARGET_INFO)}\n`,
    );
    return 0;
  }
  const log = createLogger(PREFIX);
  const raw = loadConfig(TARGET_INFO, args.config);
  registerSecrets(raw);
  const config = toTargetConfig(raw);
  if (args.input && args.input !== '-') {
    try {
      statSync(args.input);
    } catch (err) {
      throw new Error(
        `cannot read --input ${args.input} (${(err as NodeJS.ErrnoException).code ?? err}): give the path of a saved Singer NDJSON file (.gz accepted), or omit --input to read stdin`,
      );
    }
  }
  const { stream, source } = openInput(args.input);
  // A read error surfaces through the message loop; this only keeps it from being an uncaught event.
  stream.on('error', () => {});
  const out = new NdjsonWriter(process.stdout);
  const summary = await runTarget({
    config,
    messages: readSingerMessageChunks(stream, source, { losslessNumbers: true, byteStrings: true }),
    emitState: (value) => out.write(value),
    log,
  });
  await out.close();
  process.stderr.write(
    `${PREFIX}: summary ${JSON.stringify({ streams: summary.streams, seconds: summary.seconds })}\n`,
  );
  return 0;
}

/** One line, whatever the error: the last stderr line is what orchestrators show. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // One line of text: newlines become spaces, other control characters (a NUL in a property name) escapes.
  const line = redact(message)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${PREFIX}: error: ${line}`;
}

/** Exit statuses of a stop by signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * SIGTERM or SIGINT (an orchestrator stopping the run, Ctrl-C) ends the run at once with one error line:
 * the process exits, its connections close, and PostgreSQL rolls back every open batch; a STATE is only
 * ever printed after its records were committed, so nothing is half-applied past the last one printed.
 */
function exitOnSignal(): void {
  for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.once(signal, () => {
      process.stderr.write(
        `${errorLine(`stopped by ${signal}: the batches being loaded were rolled back and everything up to the last printed STATE is committed: re-run to resume from it`)}\n`,
      );
      process.exit(SIGNAL_EXIT[signal]);
    });
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  exitOnSignal();
  try {
    process.exitCode = isDestinationVerb(argv[0])
      ? await runAirbyteDestination(argv)
      : await runSingerCli(argv);
  } catch (err) {
    if (process.env.LOG_LEVEL?.toLowerCase() === 'debug' && err instanceof Error && err.stack) {
      process.stderr.write(`${redact(err.stack)}\n`);
    }
    process.stderr.write(`${errorLine(err)}\n`);
    process.exitCode = 1;
  }
  // Open sockets or timers must not keep a failed run alive.
  if (process.exitCode === 1) setTimeout(() => process.exit(1), 100).unref();
}

const invoked = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (import.meta.url === invoked) await main();
