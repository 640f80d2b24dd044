import assert from 'node:assert/strict';
import { explain, ndjson, runTarget, type TargetRun } from './target.js';

/** The run succeeded: exit 0, and stdout holds nothing but JSON state lines. */
export function assertSucceeded(run: TargetRun): void {
  assert.equal(run.code, 0, `the target should succeed\n${explain(run)}`);
  for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
    assert.doesNotThrow(() => JSON.parse(line), `stdout must hold only JSON state lines, got: ${line}`);
  }
}

/** Runs the target on `messages` (as NDJSON on stdin) with the config file given, and asserts it succeeded. */
export async function loadOk(configFile: string, messages: readonly unknown[]): Promise<TargetRun> {
  const run = await runTarget(configFile, ndjson(messages));
  assertSucceeded(run);
  return run;
}

/**
 * The run failed the way the contract says: exit 1, the last stderr line is
 * `target-postgres: error: …` and names the input place (`source:line`) and every word in `mentions`
 * (stream, field).
 */
export function assertFailed(run: TargetRun, place: string | undefined, mentions: string[]): void {
  assert.equal(run.code, 1, `the target should exit 1\n${explain(run)}`);
  assert.match(run.lastError, /^target-postgres: error: /, `last stderr line should be the error line`);
  if (place) assert.ok(run.lastError.includes(place), `error line should name ${place}: ${run.lastError}`);
  for (const word of mentions) {
    assert.ok(run.lastError.includes(word), `error line should name "${word}": ${run.lastError}`);
  }
}

/**
 * Printed states follow the contract against the input's STATE values: each printed value is one of the
 * input values, in input order, never the same value twice in a row, and the last printed is the last input.
 */
export function assertStatesFollowInput(printed: unknown[], input: unknown[]): void {
  let cursor = 0;
  let previous: string | undefined;
  for (const value of printed) {
    const text = JSON.stringify(value);
    assert.notEqual(text, previous, `state ${text} printed twice in a row`);
    previous = text;
    while (cursor < input.length && JSON.stringify(input[cursor]) !== text) cursor++;
    assert.ok(cursor < input.length, `printed state ${text} is not an input state in input order`);
    cursor++;
  }
  if (input.length > 0) {
    assert.deepEqual(printed[printed.length - 1], input[input.length - 1], 'the last input state is printed');
  }
}

/** The STATE values of an NDJSON Singer stream, in order. */
export const inputStates = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; value?: unknown })
    .filter((m) => m.type.toUpperCase() === 'STATE')
    .map((m) => m.value);
