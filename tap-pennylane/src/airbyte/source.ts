/**
 * tap-pennylane as an Airbyte source: `spec`, `check --config F`, `discover --config F`,
 * `read --config F --catalog F [--state F]`. `read` runs the Singer engine (runTap) unchanged and maps
 * what it emits (airbyte/src/source-mapping.ts); stdout carries Airbyte messages only, logs go to stderr.
 */
import type { Writable } from 'node:stream';
import {
  AirbyteOutput,
  parseVerbArgs,
  readJsonFile,
  reportFailure,
} from '../../../airbyte/src/cli-support.js';
import { parseConfiguredCatalog } from '../../../airbyte/src/configured-catalog.js';
import {
  connectionStatusMessage,
  errorTraceMessage,
  streamStatusMessage,
} from '../../../airbyte/src/messages.js';
import {
  CdcCursor,
  recordToAirbyte,
  type SentStates,
  selectionFromConfigured,
  stateFromAirbyte,
  stateToAirbyte,
  toAirbyteStream,
  withoutBookmarks,
} from '../../../airbyte/src/source-mapping.js';
import { connectorSpecification } from '../../../airbyte/src/spec.js';
import { createLogger, redact } from '../../../singer/src/log.js';
import { discoverCatalog } from '../catalog/discover.js';
import { selectStreams } from '../catalog/select.js';
import { loadTapConfig, TAP_INFO, type TapConfig } from '../config.js';
import { PennylaneClient } from '../http/client.js';
import { streamByName } from '../streams/definitions.js';
import { missingScopes } from '../sync/scopes.js';
import { formatSummary, runTap } from '../tap.js';
import { failureTypeOf } from './failure-type.js';

const PROGRAM = 'tap-pennylane';
export const SOURCE_VERBS = ['spec', 'check', 'discover', 'read'] as const;

/** Whether argv starts with one of the Airbyte verbs (the CLI dispatches here then). */
export const isSourceVerb = (arg: string | undefined): boolean =>
  (SOURCE_VERBS as readonly string[]).includes(arg ?? '');

/**
 * The Airbyte traits of a stream: changelog and export streams have a bookmark (incremental) and emit
 * deletes; the full-table ones are listed in full every time.
 */
export function streamTraits(name: string) {
  const kind = streamByName(name)?.kind;
  const incremental = kind === 'changelog' || kind === 'export' || kind === 'child_changelog';
  return { incremental, deletes: incremental };
}

export const airbyteCatalog = () => ({
  streams: discoverCatalog().streams.map((entry) => toAirbyteStream(entry, streamTraits(entry.stream))),
});

/** `/me` with the token, then the scopes every stream needs: FAILED names each missing one. */
async function checkSource(config: TapConfig): Promise<string | undefined> {
  const client = new PennylaneClient({
    baseUrl: config.baseUrl,
    token: config.apiToken,
    timeoutMs: config.requestTimeoutSeconds * 1000,
    rateLimit: { requests: config.rateLimitRequests, windowMs: config.rateLimitWindowSeconds * 1000 },
    log: createLogger(PROGRAM),
    retry: { maxAttempts: 2 },
  });
  try {
    const me = await client.getJson<{ scopes?: unknown }>('/me');
    const granted = Array.isArray(me.scopes)
      ? me.scopes.filter((s): s is string => typeof s === 'string')
      : [];
    const missing = missingScopes(granted, selectStreams(discoverCatalog()));
    if (missing.length === 0) return undefined;
    return `the API token lacks ${missing.length} scope(s): ${missing.join(', ')}; grant them to the token in Pennylane (Settings › Connectivity › Developers)`;
  } finally {
    await client.close();
  }
}

async function read(
  out: AirbyteOutput,
  args: { config?: string; catalog?: string; state?: string },
): Promise<number> {
  const log = createLogger(PROGRAM);
  const config = loadTapConfig(args.config);
  const configured = parseConfiguredCatalog(readJsonFile(args.catalog!, 'catalog'), args.catalog!);
  const selection = selectionFromConfigured(discoverCatalog(), configured);
  for (const name of selection.unknown)
    log.warn(`configured stream "${name}" is not a tap-pennylane stream: skipped (run discover again)`);
  const given = args.state ? stateFromAirbyte(readJsonFile(args.state, 'state'), args.state) : undefined;
  const state = withoutBookmarks(given, selection.fullRefresh);
  // Bookmarks the platform already holds are not sent back unless they move.
  const sent: SentStates = new Map(
    Object.entries((given?.bookmarks as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
      k,
      JSON.stringify(v),
    ]),
  );
  const configuredNames = new Set(configured.streams.map((s) => s.stream.name));
  const cursor = new CdcCursor();
  const withCursor = new Set([...configuredNames].filter((name) => streamTraits(name).incremental));
  const summary = await runTap({
    config,
    catalog: selection.catalog,
    state,
    log,
    emit: async (m) => {
      if (m.type === 'RECORD') {
        const now = Date.now();
        await out.send(recordToAirbyte(m, now, withCursor.has(m.stream) ? cursor.next(now) : undefined));
      } else if (m.type === 'STATE')
        for (const s of stateToAirbyte(m.value, sent, configuredNames)) await out.send(s);
      // SCHEMA: the platform has the catalog; ACTIVATE_VERSION: the destination's sync mode replaces it.
    },
    events: {
      streamStarted: (name) => void out.send(streamStatusMessage(name, 'STARTED')),
      streamCompleted: (name) => void out.send(streamStatusMessage(name, 'COMPLETE')),
      streamFailed: (name, error) => {
        void out.send(streamStatusMessage(name, 'INCOMPLETE'));
        void out.send(
          errorTraceMessage(redact(error.message.replace(/\s*\n\s*/g, ' ')), failureTypeOf(error), {
            stream: name,
            internal: error.name,
          }),
        );
      },
    },
  });
  await out.close();
  process.stderr.write(`${formatSummary(summary)}\n`);
  if (summary.ok) return 0;
  process.stderr.write(`${PROGRAM}: error: ${redact(summary.error ?? 'a stream failed')}\n`);
  return 1;
}

/** Runs one Airbyte verb; returns the exit code. Failures end with a TRACE ERROR, never a stack trace. */
export async function runAirbyteSource(argv: string[], stdout: Writable = process.stdout): Promise<number> {
  const out = new AirbyteOutput(stdout);
  try {
    const args = await parseVerbArgs(PROGRAM, argv, {
      spec: { required: [] },
      check: { required: ['config'] },
      discover: { required: ['config'] },
      read: { required: ['config', 'catalog'], optional: ['state'] },
    });
    switch (args.verb) {
      case 'spec':
        await out.send({
          type: 'SPEC',
          spec: connectorSpecification(TAP_INFO, { supportsIncremental: true }),
        });
        break;
      case 'check': {
        let problem: string | undefined;
        try {
          problem = await checkSource(loadTapConfig(args.config));
        } catch (err) {
          problem = (err as Error).message;
        }
        await out.send(connectionStatusMessage(problem === undefined, problem && redact(problem)));
        break;
      }
      case 'discover':
        // The catalog does not depend on the account; the config is still validated, as the platform expects.
        loadTapConfig(args.config);
        await out.send({ type: 'CATALOG', catalog: airbyteCatalog() });
        break;
      case 'read':
        return await read(out, args);
    }
    await out.close();
    return 0;
  } catch (err) {
    return reportFailure(out, PROGRAM, err, failureTypeOf(err));
  }
}
