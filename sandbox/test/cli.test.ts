import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { runScript, spawnScript } from '../../test/support/cli.js';

describe('npm run sandbox', () => {
  it('prints the base URL, the token and the control URL, serves the API, and stops on SIGINT', async () => {
    const child = spawnScript('sandbox/src/cli.ts', [
      '--port',
      '0',
      '--size',
      'small',
      '--seed',
      '9',
      '--token',
      'cli-token',
      '--no-rate-limit',
    ]);
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (d: string) => {
        stdout += d;
        const match = /base URL:\s+(\S+)/.exec(stdout);
        if (match && stdout.includes('control URL:')) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    try {
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/external\/v2$/);
      assert.match(stdout, /token:\s+cli-token/);
      assert.match(stdout, /control URL:\s+http:\/\/127\.0\.0\.1:\d+\/_sandbox/);
      const me = await fetch(`${baseUrl}/me`, { headers: { authorization: 'Bearer cli-token' } });
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('ratelimit-limit'), null, '--no-rate-limit');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('rejects an unknown option with a usage error', async () => {
    const result = await runScript('sandbox/src/cli.ts', ['--size', 'huge']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /size/);
  });
});
