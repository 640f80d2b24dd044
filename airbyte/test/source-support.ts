import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/src/index.js';
import { runAirbyteSource } from '../../tap-pennylane/src/airbyte/source.js';
import { type RunResult, runScript } from '../../test/support/cli.js';
import type { AirbyteMessage } from '../src/messages.js';
import { FIXTURES, parseAirbyteOutput } from './protocol.js';

export const SOURCE_FIXTURES = join(FIXTURES, 'source');

/** A small company: every stream has rows, a full read takes a few seconds. */
export const SMALL_COMPANY: SandboxOptions['size'] = {
  customers: 20,
  suppliers: 10,
  products: 10,
  customerInvoices: 30,
  supplierInvoices: 20,
  transactions: 40,
  fiscalYears: 1,
};

export type SourceHarness = {
  sandbox: Sandbox;
  dir: string;
  /** Writes a JSON file in the run's folder and returns its path. */
  file(name: string, value: unknown): string;
  /** A CAT-style fixture (test/fixtures/airbyte/source/<name>) pointed at this sandbox. */
  config(fixture: string): string;
  /** `tap-pennylane <args>` in a child process (through the CLI); stdout parsed and validated as Airbyte messages. */
  spawn(args: string[]): Promise<RunResult & { messages: AirbyteMessage[] }>;
  /** The same verb run in this process (faster: no child to boot); stdout parsed and validated. */
  run(args: string[]): Promise<{ code: number; stdout: string; messages: AirbyteMessage[] }>;
  close(): Promise<void>;
};

export async function startSourceHarness(opts: SandboxOptions = {}): Promise<SourceHarness> {
  const sandbox = await startSandbox({ rateLimit: false, exportDelayMs: 50, size: SMALL_COMPANY, ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'airbyte-source-'));
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  return {
    sandbox,
    dir,
    file,
    config: (fixture) => {
      const value = JSON.parse(readFileSync(join(SOURCE_FIXTURES, fixture), 'utf8')) as Record<
        string,
        unknown
      >;
      return file(fixture, { ...value, base_url: sandbox.baseUrl });
    },
    spawn: async (args) => {
      const result = await runScript('tap-pennylane/src/cli.ts', args);
      return { ...result, messages: parseAirbyteOutput(result.stdout) };
    },
    run: async (args) => {
      const stdout = new CollectedOutput();
      const code = await runAirbyteSource(args, stdout);
      return { code, stdout: stdout.text, messages: parseAirbyteOutput(stdout.text) };
    },
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stdout that keeps what is written. */
export class CollectedOutput extends Writable {
  text = '';
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.text += chunk.toString();
    done();
  }
}
