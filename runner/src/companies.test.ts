import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { redact } from '../../singer/src/log.js';
import {
  checkFileMode,
  companyEnv,
  companyRecordFile,
  companyStateFile,
  loadCompaniesFile,
  parseCompanies,
  pickCompanies,
} from './companies.js';

const FILE = '/home/cabinet/companies.json';
const parse = (doc: unknown, env: NodeJS.ProcessEnv = {}) => parseCompanies(JSON.stringify(doc), FILE, env);
/** The one line a bad file gets. */
const problem = (doc: unknown, env: NodeJS.ProcessEnv = {}): string => {
  try {
    parse(doc, env);
  } catch (err) {
    assert.equal((err as Error).name, 'ConfigError');
    assert.doesNotMatch((err as Error).message, /\n/);
    return (err as Error).message;
  }
  assert.fail('the file was accepted');
};

describe('parseCompanies', () => {
  it('reads inline tokens and tokens named by a variable, with default and explicit schemas', () => {
    const companies = parse(
      {
        companies: [
          { name: 'acme', api_token: 'tok-acme' },
          { name: 'beta_2', api_token_env: 'BETA_TOKEN', base_url: 'http://127.0.0.1:8787/api/external/v2' },
          { name: 'gamma', api_token: 'tok-gamma', schema: 'compta_gamma' },
        ],
      },
      { BETA_TOKEN: ' tok-beta ' },
    );
    assert.deepEqual(companies, [
      {
        name: 'acme',
        token: 'tok-acme',
        tokenSource: '"api_token" in companies.json',
        schema: 'pennylane_acme',
      },
      {
        name: 'beta_2',
        token: 'tok-beta',
        tokenSource: 'environment variable BETA_TOKEN',
        tokenEnv: 'BETA_TOKEN',
        schema: 'pennylane_beta_2',
        baseUrl: 'http://127.0.0.1:8787/api/external/v2',
      },
      {
        name: 'gamma',
        token: 'tok-gamma',
        tokenSource: '"api_token" in companies.json',
        schema: 'compta_gamma',
      },
    ]);
  });

  it('gives one line naming the company and the field for each kind of mistake', () => {
    assert.equal(
      problem({ companies: [{ name: 'acme' }] }),
      `companies file ${FILE}: company #1 "acme": no token: set "api_token_env" (the name of a variable holding the token) or "api_token"`,
    );
    assert.equal(
      problem({ companies: [{ name: 'acme', api_token_env: 'ACME_TOKEN' }] }),
      `companies file ${FILE}: company #1 "acme": field "api_token_env": the variable ACME_TOKEN is not set: put ACME_TOKEN=<token> in .env or the environment`,
    );
    assert.equal(
      problem({
        companies: [
          { name: 'acme', api_token: 'a' },
          { name: 'acme', api_token: 'b' },
        ],
      }),
      `companies file ${FILE}: company #2 "acme": field "name" repeats company #1: names must be unique`,
    );
    assert.equal(
      problem({
        companies: [
          { name: 'ok', api_token: 'a' },
          { name: 'Acme Inc', api_token: 'b' },
        ],
      }),
      `companies file ${FILE}: company #2: field "name" is "Acme Inc": use a short slug of lowercase letters, digits and _ (at most 40), e.g. "acme"`,
    );
    assert.match(problem({ companies: [{ api_token: 'a' }] }), /company #1: field "name" is missing/);
    assert.match(
      problem({ companies: [{ name: 'a', api_token: 'x', api_token_env: 'X' }] }),
      /company #1 "a": both "api_token" and "api_token_env" are set: keep one$/,
    );
    assert.match(
      problem({ companies: [{ name: 'a', api_tokn: 'x' }] }),
      /company #1 "a": unknown field "api_tokn": the fields are name, api_token, api_token_env, base_url, schema$/,
    );
    assert.match(
      problem({ companies: [{ name: 'a', api_token: 'x', base_url: 'ftp://x' }] }),
      /company #1 "a": field "base_url" must be an http\(s\) URL/,
    );
    assert.match(
      problem({ companies: [{ name: 'a', api_token: 'x', schema: 'Bad-Schema' }] }),
      /company #1 "a": field "schema" must be lowercase letters/,
    );
    assert.match(
      problem({
        companies: [
          { name: 'a', api_token: 'x', schema: 's' },
          { name: 'b', api_token: 'y', schema: 's' },
        ],
      }),
      /company #2 "b": schema "s" is also company "a"'s: schemas must differ/,
    );
    assert.match(problem({ companies: [] }), /"companies" is empty/);
    assert.match(problem([]), /expected an object \{"companies"/);
    assert.match(problem({ companies: [{ name: 'a', api_token: 'Bearer x' }] }), /contains whitespace/);
  });

  it('names broken JSON, and refuses a company schema that is the consolidated views schema', () => {
    assert.throws(() => parseCompanies('{"companies": [', FILE, {}), /companies file .*: not valid JSON \(/);
    assert.throws(
      () =>
        parseCompanies('{"companies":[{"name":"a","api_token":"x","schema":"reporting"}]}', FILE, {}, [
          'reporting',
        ]),
      /company #1 "a": field "schema" is "reporting", the schema of the consolidated views/,
    );
  });

  it('never shows a token in an error, even an invalid one', () => {
    const message = problem({ companies: [{ name: 'a', api_token: 'secret tok' }] });
    assert.doesNotMatch(message, /secret/);
  });
});

describe('checkFileMode and loadCompaniesFile', () => {
  it('refuses a file that other users can read, like an SSH key', () => {
    assert.doesNotThrow(() => checkFileMode(FILE, 0o100600));
    assert.throws(
      () => checkFileMode(FILE, 0o100644),
      new RegExp(
        `^ConfigError: companies file ${FILE}: readable by other users \\(mode 644\\); it may hold API tokens: run \`chmod 600 ${FILE}\`$`,
      ),
    );
    assert.throws(() => checkFileMode(FILE, 0o100640), /mode 640/);
  });

  it('loads a private file, refuses it once world-readable, and registers every token for redaction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'companies-'));
    try {
      const file = join(dir, 'companies.json');
      writeFileSync(file, JSON.stringify({ companies: [{ name: 'acme', api_token: 'tok-acme-7f3a' }] }));
      chmodSync(file, 0o600);
      assert.equal(loadCompaniesFile(file, {})[0]?.schema, 'pennylane_acme');
      assert.equal(redact('Bearer tok-acme-7f3a'), 'Bearer ***');
      chmodSync(file, 0o644);
      assert.throws(() => loadCompaniesFile(file, {}), /readable by other users/);
      assert.throws(() => loadCompaniesFile(join(dir, 'none.json'), {}), /cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('per-company settings', () => {
  const acme = {
    name: 'acme',
    token: 'tok-a',
    tokenSource: 'x',
    schema: 'pennylane_acme',
    baseUrl: 'http://h/api',
  };
  it('gives each company its own token, base URL and schema, and drops the single-company token', () => {
    const env = companyEnv(
      { PENNYLANE_API_TOKEN: 'other', TAP_PENNYLANE_BASE_URL: 'http://x', KEEP: '1' },
      acme,
    );
    assert.equal(env.TAP_PENNYLANE_API_TOKEN, 'tok-a');
    assert.equal(env.PENNYLANE_API_TOKEN, undefined);
    assert.equal(env.TAP_PENNYLANE_BASE_URL, 'http://h/api');
    assert.equal(env.TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA, 'pennylane_acme');
    assert.equal(env.KEEP, '1');
  });

  it('names the state file and the recording after the company', () => {
    assert.equal(companyStateFile('/srv/state', acme), '/srv/state/acme.json');
    assert.equal(companyRecordFile('/tmp/run.ndjson.gz', acme), '/tmp/run.acme.ndjson.gz');
    assert.equal(companyRecordFile('/tmp/run.ndjson', acme), '/tmp/run.acme.ndjson');
    assert.equal(companyRecordFile('rec', acme), 'rec.acme');
  });

  it('picks companies by name, in the file order, and names an unknown one', () => {
    const list = [acme, { ...acme, name: 'beta' }, { ...acme, name: 'gamma' }];
    assert.deepEqual(
      pickCompanies(list, ['gamma', 'acme']).map((c) => c.name),
      ['acme', 'gamma'],
    );
    assert.deepEqual(
      pickCompanies(list, ['beta,gamma']).map((c) => c.name),
      ['beta', 'gamma'],
    );
    assert.equal(pickCompanies(list, undefined).length, 3);
    assert.throws(
      () => pickCompanies(list, ['delta']),
      /--company delta: not in the companies file \(known: acme, beta, gamma\)/,
    );
  });
});
