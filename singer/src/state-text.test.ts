import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStateText, StateFileError } from './state-text.js';

const STATE = { bookmarks: { customers: { changelog_at: '2026-11-01T00:00:00.000Z', version: 1 } } };
const read = (text: string) => parseStateText(text, 's.json').value;
const fails = (text: string, pattern: RegExp) =>
  assert.throws(
    () => parseStateText(text, 's.json'),
    (e: unknown) =>
      e instanceof StateFileError && pattern.test((e as Error).message) && !/\n/.test((e as Error).message),
  );

describe('parseStateText', () => {
  it('reads one JSON document in any layout: pretty-printed, BOM, CRLF, trailing blank lines', () => {
    const pretty = JSON.stringify(STATE, null, 2);
    assert.deepEqual(read(pretty), STATE);
    assert.deepEqual(read(`\uFEFF${pretty}`), STATE);
    assert.deepEqual(read(`${pretty.replace(/\n/g, '\r\n')}\r\n\r\n  \n`), STATE);
    assert.deepEqual(read(`${JSON.stringify(STATE)}\n`), STATE);
  });

  it("reads a target's whole stdout (one state per line, CRLF too): the last line wins", () => {
    const older = { bookmarks: {} };
    assert.deepEqual(read(`${JSON.stringify(older)}\n${JSON.stringify(STATE)}\n`), STATE);
    assert.deepEqual(read(`${JSON.stringify(older)}\r\n${JSON.stringify(STATE)}\r\n\r\n`), STATE);
  });

  it("reads a tap's or target's Singer messages for the last STATE's value", () => {
    const lines = [
      { type: 'SCHEMA', stream: 'x', schema: {}, key_properties: [] },
      { type: 'STATE', value: { bookmarks: {} } },
      { type: 'RECORD', stream: 'x', record: {} },
      { type: 'STATE', value: STATE },
      { type: 'RECORD', stream: 'x', record: {} },
    ];
    assert.deepEqual(read(lines.map((l) => JSON.stringify(l)).join('\n')), STATE);
    fails(`${JSON.stringify(lines[0])}\n${JSON.stringify(lines[2])}`, /holds 2 Singer messages but no STATE/);
  });

  it("unwraps Meltano's forms: state get's singer_state, and the backend's completed/partial", () => {
    assert.deepEqual(read(JSON.stringify({ singer_state: STATE })), STATE);
    assert.deepEqual(read(JSON.stringify({ completed: { singer_state: STATE }, partial: {} })), STATE);
    const later = { bookmarks: { customers: { changelog_at: '2026-11-02T00:00:00.000Z', version: 1 } } };
    assert.deepEqual(
      read(JSON.stringify({ completed: { singer_state: STATE }, partial: { singer_state: later } })),
      later,
    );
  });

  it('takes an empty file (or only blank lines, or only a BOM) as no state, and says so', () => {
    for (const text of ['', '\n\n', '\uFEFF', ' \r\n']) {
      const r = parseStateText(text, 's.json');
      assert.equal(r.value, undefined);
      assert.match(r.notes[0]!, /s\.json is empty: this run is a first \(full\) run/);
    }
  });

  it('names the file, the line and the party at fault for a broken document', () => {
    fails(
      '{\n  "bookmarks": {\n    "customers": {"version": 1}\n',
      /^state file s\.json is not valid JSON: the JSON ends too early at line 4 \(truncated\?\); the state file is at fault, not the API: .*delete it/,
    );
    fails(
      '{\n  "bookmarks": {},\n}\n',
      /^state file s\.json is not valid JSON: expected a property name at line 3, column 1;/,
    );
    fails('bookmarks: {}', /^state file s\.json is not valid JSON: .* at line 1, column 1;/);
  });

  it('names the line of a broken line in a target stdout (a torn last write)', () => {
    fails(
      `${JSON.stringify(STATE)}\n${JSON.stringify(STATE)}\n{"bookm`,
      /^state file s\.json, line 3: not valid JSON \(the JSON ends too early/,
    );
  });
});
