import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, type PluginInfo } from './settings.js';

const INFO: PluginInfo = {
  name: 'tap-example',
  description: 'an example',
  version: '0.0.0',
  capabilities: [],
  envPrefix: 'TAP_EXAMPLE_',
  settings: [
    {
      name: 'api_token',
      kind: 'string',
      description: 'token',
      sensitive: true,
      required: true,
      fallbackEnv: ['EXAMPLE_TOKEN'],
    },
    { name: 'page_size', kind: 'integer', description: 'page size', default: 100 },
    { name: 'verbose', kind: 'boolean', description: 'verbose', default: false },
  ],
};

const configFile = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'settings-')), 'config.json');
  writeFileSync(file, text);
  return file;
};

describe('loadConfig', () => {
  it('lets prefixed env vars win over the file, then falls back to other env vars and defaults', () => {
    const file = configFile('{"api_token": "from-file", "page_size": 50}');
    assert.deepEqual(loadConfig(INFO, file, { TAP_EXAMPLE_PAGE_SIZE: '20', TAP_EXAMPLE_VERBOSE: 'true' }), {
      api_token: 'from-file',
      page_size: 20,
      verbose: true,
    });
    assert.equal(loadConfig(INFO, undefined, { EXAMPLE_TOKEN: 'from-env' }).api_token, 'from-env');
  });

  it('names the missing required key and where to set it', () => {
    assert.throws(() => loadConfig(INFO, undefined, {}), /"api_token" is required: .*TAP_EXAMPLE_API_TOKEN/);
  });

  it('reports a JSON syntax error by line and column without quoting the file, which may hold a secret', () => {
    const file = configFile('{\n  "api_token": "s3cret-value",\n  page_size: 10\n}');
    assert.throws(
      () => loadConfig(INFO, file, {}),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(`${file} is not valid JSON: expected a property name at line 3, column 3;`) &&
        !err.message.includes('s3cret'),
    );
  });

  it('reads a pretty-printed file with a byte order mark and CRLF (Windows editors)', () => {
    const file = configFile('\uFEFF{\r\n  "api_token": "t",\r\n  "page_size": 10\r\n}\r\n');
    assert.equal(loadConfig(INFO, file, {}).page_size, 10);
  });

  it('names the line where a truncated file ends, and quotes none of it', () => {
    const file = configFile('{\n  "api_token": "s3cret-value",\n');
    assert.throws(
      () => loadConfig(INFO, file, {}),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(`${file} is not valid JSON: the JSON ends too early at line 3 (truncated?);`) &&
        !err.message.includes('s3cret'),
    );
  });

  it('refuses a file that holds something other than an object', () => {
    assert.throws(() => loadConfig(INFO, configFile('[1, 2]'), {}), /must hold one JSON object/);
  });

  it('names the setting whose value has the wrong type', () => {
    assert.throws(
      () => loadConfig(INFO, undefined, { EXAMPLE_TOKEN: 't', TAP_EXAMPLE_PAGE_SIZE: 'ten' }),
      /"page_size" must be an integer/,
    );
  });
});
