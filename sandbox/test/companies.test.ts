import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnScript } from '../../test/support/cli.js';
import { startCompaniesSandbox } from '../src/index.js';

const get = async (url: string, token: string) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { items?: { id: number }[] } };
};

describe('several companies on one port', () => {
  it('answers each token with its own company data, budget and control, and a revoked token with 401', async () => {
    const sandbox = await startCompaniesSandbox([
      { name: 'acme', token: 'tok-a', seed: 1, size: 'small' },
      { name: 'beta', token: 'tok-b', seed: 2, size: 'small' },
    ]);
    try {
      const a = await get(`${sandbox.baseUrl}/customers?sort=id&limit=5`, 'tok-a');
      const b = await get(`${sandbox.baseUrl}/customers?sort=id&limit=5`, 'tok-b');
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      const acme = sandbox.companies[0]!.control;
      const beta = sandbox.companies[1]!.control;
      acme.create('customers', { name: 'Seulement chez Acme' });
      const names = (token: string) =>
        fetch(`${sandbox.baseUrl}/customers?sort=-id&limit=1`, {
          headers: { authorization: `Bearer ${token}` },
        })
          .then((r) => r.json() as Promise<{ items: { name: string }[] }>)
          .then((j) => j.items[0]?.name);
      assert.equal(await names('tok-a'), 'Seulement chez Acme');
      assert.notEqual(await names('tok-b'), 'Seulement chez Acme');
      assert.equal(beta.counters().total, 2, "beta's counters see only beta's requests");
      const r = await fetch(`${sandbox.baseUrl}/me`, {
        headers: { 'ratelimit-test': '1', authorization: 'Bearer tok-b' },
      });
      assert.equal(
        r.headers.get('ratelimit-remaining'),
        '22',
        "beta's own 25-request budget: its 3 requests, not acme's",
      );

      beta.revokeToken();
      assert.equal((await get(`${sandbox.baseUrl}/me`, 'tok-b')).status, 401);
      assert.equal(
        (await get(`${sandbox.baseUrl}/me`, 'tok-a')).status,
        200,
        'the other company is unaffected',
      );
      beta.restoreToken();
      assert.equal((await get(`${sandbox.baseUrl}/me`, 'tok-b')).status, 200);
      assert.equal((await get(`${sandbox.baseUrl}/me`, 'nobody')).status, 401);

      const put = await fetch(`${sandbox.companies[1]!.controlUrl}/token`, {
        method: 'PUT',
        body: JSON.stringify({ revoked: true }),
      });
      assert.equal(put.status, 200);
      assert.equal(
        (await get(`${sandbox.baseUrl}/me`, 'tok-b')).status,
        401,
        'revoked over HTTP, for beta only',
      );
      assert.equal((await get(`${sandbox.baseUrl}/me`, 'tok-a')).status, 200);
      beta.restoreToken();
      const counters = await fetch(`${sandbox.companies[1]!.controlUrl}/counters`).then((res) => res.json());
      assert.equal((counters as { total: number }).total, beta.counters().total);
    } finally {
      await sandbox.close();
    }
  });

  it('npm run sandbox -- --companies 3 prints one token each and writes a private companies file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-companies-'));
    const file = join(dir, 'companies.json');
    const child = spawnScript('sandbox/src/cli.ts', [
      '--port',
      '0',
      '--companies',
      '3',
      '--companies-file',
      file,
    ]);
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Ctrl-C')) resolve();
        });
        child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
      });
      for (const name of ['company1', 'company2', 'company3']) {
        assert.match(stdout, new RegExp(`${name}: token sandbox-token-${name}, \\d+ customer invoices`));
      }
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as {
        companies: { name: string; api_token: string; base_url: string }[];
      };
      assert.equal(doc.companies.length, 3);
      const me = await fetch(`${doc.companies[2]!.base_url}/me`, {
        headers: { authorization: `Bearer ${doc.companies[2]!.api_token}` },
      });
      assert.equal(me.status, 200);
    } finally {
      child.kill('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});
