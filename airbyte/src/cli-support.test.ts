import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AirbyteUsageError, readJsonFile } from './cli-support.js';

describe('readJsonFile (the files given to the Airbyte verbs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airbyte-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a pretty-printed file with a byte order mark and CRLF; an empty one is no value', () => {
    const state = [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'customers' }, stream_state: {} } },
    ];
    const pretty = `\uFEFF${JSON.stringify(state, null, 2).replace(/\n/g, '\r\n')}\r\n`;
    assert.deepEqual(readJsonFile(file('state.json', pretty), 'state'), state);
    assert.equal(readJsonFile(file('empty.json', '\n'), 'state'), undefined);
  });

  it('names the file, the flag and the line of a broken file, without quoting it', () => {
    const path = file('config.json', '{\n  "api_token": "s3cret",\n');
    assert.throws(
      () => readJsonFile(path, 'config'),
      (e: unknown) =>
        e instanceof AirbyteUsageError &&
        e.message ===
          `--config file ${path} is not valid JSON: the JSON ends too early at line 3 (truncated?); the file is at fault: repair or regenerate it`,
    );
  });
});
