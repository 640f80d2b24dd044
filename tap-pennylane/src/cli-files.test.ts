import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { catalogJson } from './catalog/discover.js';
import { CliError, loadCatalog, loadState } from './cli.js';

/** The --state and --catalog files a user, an editor or an orchestrator hands the tap. */
describe('state and catalog files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tap-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (text: string) => {
    const path = join(dir, `f${++n}.json`);
    writeFileSync(path, text);
    return path;
  };
  /** One line, starting with the file's name, saying what to do. */
  const refused = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof CliError, String(e));
      assert.doesNotMatch(e.message, /\n/);
      assert.match(e.message, pattern);
      return true;
    });

  const STATE = { bookmarks: { customers: { changelog_at: '2026-11-01T00:00:00.000Z', version: 7 } } };

  it('reads a pretty-printed state, as jq, editors and Meltano write it', () => {
    assert.deepEqual(loadState(file(JSON.stringify(STATE, null, 2))), STATE);
    assert.deepEqual(
      loadState(file(`\uFEFF${JSON.stringify(STATE, null, 4).replace(/\n/g, '\r\n')}\r\n\n`)),
      STATE,
    );
  });

  it("reads a target's stdout saved by Windows PowerShell 5 (UTF-16 with a byte order mark)", () => {
    const path = join(dir, 'utf16.json');
    const text = `{"bookmarks":{}}\r\n${JSON.stringify(STATE)}\r\n`;
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    assert.deepEqual(loadState(path), STATE);
  });

  it("reads the last line of a target's stdout and Meltano's singer_state, saying how", () => {
    const notes: string[] = [];
    const lines = `{"bookmarks":{}}\n${JSON.stringify(STATE)}\n`;
    assert.deepEqual(
      loadState(file(lines), (l) => notes.push(l)),
      STATE,
    );
    assert.deepEqual(
      loadState(file(JSON.stringify({ singer_state: STATE }, null, 2)), (l) => notes.push(l)),
      STATE,
    );
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /holds 2 lines: the last state in it is used/);
  });

  it('takes an empty state file as a first run', () => {
    const notes: string[] = [];
    assert.equal(
      loadState(file(''), (l) => notes.push(l)),
      undefined,
    );
    assert.match(notes[0]!, /is empty/);
  });

  it('refuses a broken or foreign state file in one line naming the file, the line and the fix', () => {
    const torn = file('{\n  "bookmarks": {\n    "customers": {\n');
    refused(
      () => loadState(torn),
      new RegExp(
        `^state file ${torn} is not valid JSON: the JSON ends too early at line 4 .*state file is at fault.*delete it`,
      ),
    );
    const array = file('[{"type": "STREAM", "stream": {}}]');
    refused(() => loadState(array), new RegExp(`^state file ${array}: a state must be a JSON object`));
    const scalar = file('"bookmarks"');
    refused(() => loadState(scalar), /a state must be a JSON object/);
    const badBookmarks = file('{"bookmarks": [1, 2]}');
    refused(() => loadState(badBookmarks), /"bookmarks" must be an object keyed by stream name/);
    refused(() => loadState(join(dir, 'missing.json')), /^cannot read state file .*missing\.json: ENOENT/);
  });

  it('reads a pretty-printed catalog with a byte order mark and CRLF', () => {
    const catalog = JSON.parse(catalogJson());
    const loaded = loadCatalog(file(`\uFEFF${JSON.stringify(catalog, null, 2).replace(/\n/g, '\r\n')}`));
    assert.equal(loaded.streams.length, catalog.streams.length);
  });

  it('refuses a broken or foreign catalog in one line naming the file and the fix', () => {
    const torn = file(catalogJson().slice(0, 500));
    refused(() => loadCatalog(torn), new RegExp(`^catalog file ${torn} is not valid JSON: .*--discover`));
    const empty = file('\n');
    refused(
      () => loadCatalog(empty),
      /^catalog file .* is empty; regenerate it with tap-pennylane --discover/,
    );
    const array = file('[]');
    refused(() => loadCatalog(array), /^catalog file .*: a catalog is a JSON object with a "streams" array/);
    const foreign = file(JSON.stringify({ streams: [{ tap_stream_id: 'orders', schema: {} }] }));
    refused(
      () => loadCatalog(foreign),
      new RegExp(`^catalog file ${foreign}: stream "orders" is not a tap-pennylane stream .*regenerate`),
    );
  });
});
