import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStateFile, writeStateFile } from './state-file.js';

describe('state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing when no state was written yet (a first run)', () => {
    assert.equal(readStateFile(join(dir, 'none.json')), undefined);
  });

  it('writes the value, replaces it on the next write and leaves no temp file behind', () => {
    const path = join(dir, 'sub', 'state.json');
    writeStateFile(path, { bookmarks: { customers: { at: 1 } } });
    writeStateFile(path, { bookmarks: { customers: { at: 2 } } });
    assert.deepEqual(readStateFile(path), { bookmarks: { customers: { at: 2 } } });
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['state.json']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('names the file and the fix when the state is not JSON', () => {
    const path = join(dir, 'torn.json');
    writeFileSync(path, '{"bookmarks":');
    assert.throws(() => readStateFile(path), /torn\.json is not valid JSON: .*delete it/);
  });

  it('reads a state pretty-printed by a hand edit (jq ., an editor adding a BOM and CRLF)', () => {
    const path = join(dir, 'pretty.json');
    const state = { bookmarks: { customers: { changelog_at: '2026-11-01T00:00:00.000Z', version: 1 } } };
    writeFileSync(path, `\uFEFF${JSON.stringify(state, null, 2).replace(/\n/g, '\r\n')}\r\n`);
    assert.deepEqual(readStateFile(path), state);
  });
});
