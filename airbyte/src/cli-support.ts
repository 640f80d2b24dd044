import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import yargs from 'yargs';
import { decodeText, parseJsonText, withoutBom } from '../../singer/src/json-text.js';
import { redact } from '../../singer/src/log.js';
import { NdjsonWriter } from '../../singer/src/writer.js';
import type { AirbyteMessage, FailureType } from './messages.js';
import { errorTraceMessage } from './messages.js';

export class AirbyteUsageError extends Error {
  override name = 'AirbyteUsageError';
}

/** A JSON file given to a verb (`--config`, `--catalog`, `--state`); errors name the file and the flag. */
export function readJsonFile(file: string, flag: string): unknown {
  let text: string;
  try {
    text = decodeText(readFileSync(file));
  } catch (err) {
    throw new AirbyteUsageError(
      `cannot read --${flag} file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const json = withoutBom(text);
  if (json.trim() === '') return undefined;
  // Any layout (pretty-printed, CRLF, a BOM); a fault is named by line, never quoted (config: secrets).
  const parsed = parseJsonText(json);
  if (!parsed.ok)
    throw new AirbyteUsageError(
      `--${flag} file ${file} is not valid JSON: ${parsed.problem}; the file is at fault: repair or regenerate it`,
    );
  return parsed.value;
}

export type VerbArgs = { verb: string; config?: string; catalog?: string; state?: string };
type Flag = 'config' | 'catalog' | 'state';

/**
 * The positional Airbyte verbs with their flags: `spec`, `check --config F`, `discover --config F`,
 * `read --config F --catalog F [--state F]`, `write --config F --catalog F`. `verbs` maps each verb the
 * program has to its required flags and optional ones.
 */
export async function parseVerbArgs(
  program: string,
  argv: string[],
  verbs: Record<string, { required: Flag[]; optional?: Flag[] }>,
): Promise<VerbArgs> {
  let parser = yargs(argv)
    .scriptName(program)
    .strict()
    .help()
    .version(false)
    .fail((msg, err) => {
      throw err ?? new AirbyteUsageError(`${msg} (usage: ${program} ${Object.keys(verbs).join('|')} --help)`);
    });
  for (const [verb, flags] of Object.entries(verbs)) {
    parser = parser.command(verb, `Airbyte ${verb}`, (y) => {
      let c = y;
      for (const flag of [...flags.required, ...(flags.optional ?? [])]) {
        const demandOption = flags.required.includes(flag);
        c = c.option(flag, { type: 'string', demandOption, describe: `${flag} JSON file` });
      }
      return c;
    });
  }
  const args = await parser.demandCommand(1).parseAsync();
  return {
    verb: String(args._[0]),
    ...(typeof args.config === 'string' ? { config: args.config } : {}),
    ...(typeof args.catalog === 'string' ? { catalog: args.catalog } : {}),
    ...(typeof args.state === 'string' ? { state: args.state } : {}),
  };
}

/**
 * stdout of an Airbyte verb: one message per line, in call order even when callers do not await (stream
 * status callbacks), with back-pressure for those that do.
 */
export class AirbyteOutput {
  private readonly writer: NdjsonWriter;
  private chain: Promise<void> = Promise.resolve();
  private failed: unknown;

  constructor(private readonly out: Writable = process.stdout) {
    this.writer = new NdjsonWriter(out);
  }

  send(message: AirbyteMessage): Promise<void> {
    return this.enqueue(() => this.writer.write(message));
  }

  /** A line already serialised (a STATE echoed exactly as it came). */
  sendLine(line: string): Promise<void> {
    return this.enqueue(async () => {
      if (!this.out.write(`${line}\n`)) await new Promise((r) => this.out.once('drain', r));
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((err) => {
      this.failed ??= err;
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.writer.close();
    if (this.failed) throw this.failed;
  }
}

const oneLine = (err: unknown): string =>
  redact((err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' '));

/**
 * The end of a failed verb: a TRACE ERROR on stdout (what the platform shows) and the usual one-line
 * error on stderr. Never a stack trace on stdout; the error's class name goes to internal_message.
 */
export async function reportFailure(
  out: AirbyteOutput,
  program: string,
  err: unknown,
  failureType: FailureType,
): Promise<number> {
  const message = oneLine(err);
  const internal = err instanceof Error ? err.name : undefined;
  await out.send(errorTraceMessage(message, failureType, internal ? { internal } : {}));
  await out.close().catch(() => {});
  process.stderr.write(`${program}: error: ${message}\n`);
  return 1;
}
