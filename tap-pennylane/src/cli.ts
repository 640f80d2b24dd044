#!/usr/bin/env node
// First: V8's memory settings must be in place before the other modules load (memory.ts says why).
import './memory.js';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { aboutJson, aboutMarkdown } from '../../singer/src/about.js';
import { CatalogError, parseCatalog, type SingerCatalog } from '../../singer/src/catalog.js';
import { decodeText, parseJsonText, withoutBom } from '../../singer/src/json-text.js';
import { createLogger, redact } from '../../singer/src/log.js';
import { packageVersion } from '../../singer/src/paths.js';
import { parseStateText, StateFileError } from '../../singer/src/state-text.js';
import { NdjsonWriter } from '../../singer/src/writer.js';
import { isSourceVerb, runAirbyteSource } from './airbyte/source.js';
import { catalogJson, discoverCatalog } from './catalog/discover.js';
import { selectStreams } from './catalog/select.js';
import { loadTapConfig, TAP_INFO } from './config.js';
import { parseState, StateError } from './sync/state.js';
import { formatSummary, runTap } from './tap.js';

export class CliError extends Error {
  override name = 'CliError';
}

function readText(file: string, what: string): string {
  try {
    return decodeText(readFileSync(file));
  } catch (err) {
    throw new CliError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/**
 * `--catalog`/`--properties FILE`, or the discovered catalog (every stream selected) without one. Any JSON
 * document is read (pretty-printed, byte order mark, CRLF); a broken one is named with its line.
 */
export function loadCatalog(file: string | undefined): SingerCatalog {
  if (!file) return discoverCatalog();
  const text = withoutBom(readText(file, 'catalog'));
  if (text.trim() === '')
    throw new CliError(`catalog file ${file} is empty; regenerate it with tap-pennylane --discover`);
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new CliError(
      `catalog file ${file} is not valid JSON: ${parsed.problem}; the catalog file is at fault: repair it, or regenerate it with tap-pennylane --discover`,
    );
  }
  try {
    const catalog = parseCatalog(parsed.value, `catalog file ${file}`);
    selectStreams(catalog);
    return catalog;
  } catch (err) {
    // A stream this tap does not know: say which file holds it.
    if (err instanceof CatalogError)
      throw new CliError(err.message.replace(/^catalog:/, `catalog file ${file}:`));
    throw err;
  }
}

/**
 * `--state FILE`: the last state the target printed, in any of the forms `parseStateText` reads (one JSON
 * document, a target's whole stdout, Meltano's wrappers). Its shape is checked here so that a foreign
 * or broken state stops the run before any request, with the file's name.
 */
export function loadState(file: string | undefined, note: (line: string) => void = () => {}): unknown {
  if (!file) return undefined;
  const text = readText(file, 'state');
  try {
    const { value, notes } = parseStateText(text, file);
    for (const line of notes) note(line);
    if (value !== undefined) parseState(value, `state file ${file}`);
    return value;
  } catch (err) {
    if (err instanceof StateFileError || err instanceof StateError) throw new CliError(err.message);
    throw err;
  }
}

export type SingerArgs = {
  config?: string;
  state?: string;
  catalog?: string;
  properties?: string;
  discover?: boolean;
  about?: boolean;
  format?: string;
};

/** The Singer flags; the Airbyte verbs (spec, check, discover, read) can be added as commands next to them. */
export function singerOptions(argv: string[]) {
  return yargs(argv)
    .scriptName('tap-pennylane')
    .usage(
      '$0 --config FILE [--state FILE] [--catalog FILE]\n$0 --discover | --about [--format json|markdown]',
    )
    .epilog(
      'Airbyte protocol: $0 spec | check --config F | discover --config F | read --config F --catalog F [--state F]',
    )
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'JSON config file (env TAP_PENNYLANE_* overrides it)',
    })
    .option('state', {
      alias: 's',
      type: 'string',
      describe: 'state file: the last STATE value the target printed',
    })
    .option('catalog', {
      type: 'string',
      describe: 'catalog file selecting streams and fields (default: all)',
    })
    .option('properties', { alias: 'p', type: 'string', describe: 'legacy name of --catalog' })
    .option('discover', { alias: 'd', type: 'boolean', describe: 'print the catalog and exit' })
    .option('about', { type: 'boolean', describe: 'print the name, capabilities and settings, then exit' })
    .option('format', { type: 'string', choices: ['json', 'markdown'], describe: 'format of --about' })
    .conflicts('catalog', 'properties')
    .version(packageVersion)
    .strict()
    .help();
}

/** Runs the Singer tap with parsed flags; returns the exit code. Logs and the summary go to stderr. */
export async function runSinger(args: SingerArgs): Promise<number> {
  if (args.about) {
    process.stdout.write(`${args.format === 'markdown' ? aboutMarkdown(TAP_INFO) : aboutJson(TAP_INFO)}\n`);
    return 0;
  }
  if (args.discover) {
    process.stdout.write(catalogJson());
    return 0;
  }
  const log = createLogger('tap-pennylane');
  const config = loadTapConfig(args.config);
  const catalog = loadCatalog(args.catalog ?? args.properties);
  const state = loadState(args.state, (line) => log.info(line));
  const writer = new NdjsonWriter(process.stdout);
  const summary = await runTap({ config, catalog, state, emit: (m) => writer.write(m), log });
  await writer.close();
  process.stderr.write(`${formatSummary(summary)}\n`);
  if (!summary.ok) {
    const failed = Object.values(summary.streams).filter((s) => s.status === 'failed').length;
    throw new CliError(`${failed} stream(s) failed; first: ${summary.error}`);
  }
  return 0;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  if (isSourceVerb(argv[0])) return runAirbyteSource(argv);
  try {
    const args = (await singerOptions(argv).parseAsync()) as SingerArgs;
    return await runSinger(args);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`tap-pennylane: error: ${redact(message)}\n`);
    return 1;
  }
}

const invokedAs = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (import.meta.url === invokedAs) {
  // A closed stdout (e.g. `| head`) ends the run quietly instead of with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(1);
  });
  process.exitCode = await main();
}
