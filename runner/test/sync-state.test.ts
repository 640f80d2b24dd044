import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createLogger } from '../../singer/src/log.js';
import { runSync } from '../src/sync.js';
import { type Harness, startHarness } from './harness.js';

type Recorded = {
  type: string;
  stream?: string;
  record?: Record<string, unknown>;
  key_properties?: string[];
  value?: unknown;
};

/** Keys per stream of the records the tap sent before the first STATE equal to `value`, or undefined. */
function keysBefore(lines: Recorded[], value: unknown): Map<string, Set<string>> | undefined {
  const keyProps = new Map<string, string[]>();
  const keys = new Map<string, Set<string>>();
  for (const m of lines) {
    if (m.type === 'SCHEMA') keyProps.set(m.stream!, m.key_properties ?? []);
    if (m.type === 'RECORD') {
      const props = keyProps.get(m.stream!) ?? [];
      if (props.length === 0) continue;
      const key = props.map((p) => String(m.record![p])).join('|');
      const set = keys.get(m.stream!) ?? new Set();
      if (m.record!._sdc_deleted_at) set.delete(key);
      else set.add(key);
      keys.set(m.stream!, set);
    }
    if (m.type === 'STATE' && isDeepStrictEqual(m.value, value)) return keys;
  }
  return undefined;
}

describe('the state file', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('is never ahead of the data: each saved state covers only rows already committed', async () => {
    const recording = join(h.dir, 'run.ndjson');
    const keyColumns = new Map<string, string[]>();
    let checked = 0;
    h.sandbox.control.setFaults({ latencyMs: 30 });
    const result = await runSync(
      { mode: 'full', recordFile: recording },
      {
        connection: { connectionString: h.db.url },
        schema: 'pennylane',
        stateFile: h.stateFile,
        childEnv: h.env({ TARGET_POSTGRES_MAX_BATCH_AGE_SECONDS: '0.2' }),
        log: createLogger('test', () => {}),
        childLog: () => {},
        onStateSaved: async (value) => {
          assert.deepEqual(JSON.parse(readFileSync(h.stateFile, 'utf8')), value);
          let expected: Map<string, Set<string>> | undefined;
          for (let i = 0; i < 40 && !expected; i++) {
            const lines = readFileSync(recording, 'utf8')
              .split('\n')
              .slice(0, -1) // the last piece may be a line still being written
              .filter((l) => l.trim() !== '')
              .map((l) => JSON.parse(l) as Recorded);
            for (const m of lines) if (m.type === 'SCHEMA') keyColumns.set(m.stream!, m.key_properties ?? []);
            expected = keysBefore(lines, value);
            if (!expected) await sleep(25); // the recording is written alongside; let it catch up
          }
          assert.ok(expected, 'the saved state is one the tap emitted');
          for (const [stream, keys] of expected) {
            if (keys.size === 0) continue;
            const rows = await h.db.client.query<{ row: Record<string, unknown> }>(
              `SELECT to_jsonb(t) AS row FROM pennylane."${stream}" t`,
            );
            const props = keyColumns.get(stream)!;
            const committed = new Set(rows.rows.map((r) => props.map((p) => String(r.row[p])).join('|')));
            const missing = [...keys].filter((k) => !committed.has(k));
            assert.deepEqual(missing, [], `${stream}: rows behind the saved state are committed`);
          }
          checked++;
        },
      },
    );
    assert.equal(result.outcome, 'succeeded', result.error);
    assert.equal(result.statesSaved, checked);
    assert.ok(checked >= 3, `states saved during the run: ${checked}`);
  });
});
