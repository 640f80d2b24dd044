import { type TestDatabase, useTestDatabase } from '../../../test/support/database.js';
import { fixture, freshSchema, runTarget, type TargetRun, writeConfig } from './target.js';

export type FixtureDb = {
  /** The database of this test file (set once the file's `before` hook ran). */
  db: () => TestDatabase;
  /** Loads one fixture through the CLI into a schema of its own (or the one given). */
  load: (
    name: string,
    extra?: Record<string, unknown>,
    schema?: string,
  ) => Promise<{ schema: string; run: TargetRun }>;
};

/** One database per test file, created before its tests and dropped after them. */
export function fixtureDatabase(prefix: string): FixtureDb {
  const get = useTestDatabase(prefix);
  return {
    db: get,
    load: async (name, extra = {}, schema = freshSchema()) => {
      const run = await runTarget(writeConfig(get().url, schema, extra), fixture(name));
      return { schema, run };
    },
  };
}

/** The records of one stream in a fixture, parsed as a Singer client would. */
export function recordsOf(name: string, stream: string): Record<string, unknown>[] {
  return fixture(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; stream?: string; record?: Record<string, unknown> })
    .filter((m) => m.type === 'RECORD' && m.stream === stream)
    .map((m) => m.record!);
}
