import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PRODUCTION_BASE_URL } from '../../pennylane/src/api.js';
import { aboutJson } from '../../singer/src/about.js';
import { ConfigError } from '../../singer/src/settings.js';
import { loadTapConfig, TAP_INFO, toTapConfig } from './config.js';

const TOKEN = 'plt_s3cr3t-T0ken-value';
const dir = mkdtempSync(join(tmpdir(), 'tap-config-'));
const configFile = (content: unknown): string => {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
};

/** Runs `fn`, expects a ConfigError, and checks its message never shows the token. */
function configError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes(TOKEN), `the token leaked: ${err.message}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('tap-pennylane config', () => {
  it('applies every default to a config holding only the token', () => {
    assert.deepEqual(loadTapConfig(configFile({ api_token: TOKEN }), {}), {
      apiToken: TOKEN,
      baseUrl: PRODUCTION_BASE_URL,
      startDate: undefined,
      requestTimeoutSeconds: 60,
      rateLimitRequests: 25,
      rateLimitWindowSeconds: 5,
      fiscalYearsBack: 2,
      exportMaxAgeHours: 24,
      fullListingMaxAgeHours: 24,
      reexportClosedYears: false,
      exportPollTimeoutSeconds: 600,
      exportPollIntervalSeconds: 5,
      changelogOverlapSeconds: 300,
      fullRefresh: false,
    });
  });

  it('lets TAP_PENNYLANE_* env vars override the file, cast to their kind', () => {
    const file = configFile({ api_token: 'from-file', rate_limit_requests: 10, full_refresh: false });
    const config = loadTapConfig(file, {
      TAP_PENNYLANE_API_TOKEN: TOKEN,
      TAP_PENNYLANE_RATE_LIMIT_REQUESTS: '500',
      TAP_PENNYLANE_FULL_REFRESH: 'true',
      TAP_PENNYLANE_START_DATE: '2024-01-01T00:00:00Z',
    });
    assert.equal(config.apiToken, TOKEN);
    assert.equal(config.rateLimitRequests, 500);
    assert.equal(config.fullRefresh, true);
    assert.equal(config.startDate, '2024-01-01');
  });

  it('falls back to PENNYLANE_API_TOKEN and PENNYLANE_API_BASE_URL when neither file nor prefixed env sets them', () => {
    const config = loadTapConfig(undefined, {
      PENNYLANE_API_TOKEN: TOKEN,
      PENNYLANE_API_BASE_URL: 'http://127.0.0.1:4010/api/external/v2/',
    });
    assert.equal(config.apiToken, TOKEN);
    assert.equal(config.baseUrl, 'http://127.0.0.1:4010/api/external/v2');
    assert.equal(
      loadTapConfig(configFile({ api_token: 'file-token' }), { PENNYLANE_API_TOKEN: TOKEN }).apiToken,
      'file-token',
    );
  });

  it('asks for the token by its setting and env var names when it is missing', () => {
    configError(
      () => loadTapConfig(configFile({}), {}),
      /setting "api_token" is required.*TAP_PENNYLANE_API_TOKEN/,
    );
    configError(() => toTapConfig({ api_token: '  ' }), /"api_token" is required.*PENNYLANE_API_TOKEN/);
  });

  it('never shows the token in an error, even a malformed one', () => {
    configError(() => toTapConfig({ api_token: `Bearer ${TOKEN}` }), /"api_token" contains whitespace/);
    configError(
      () => loadTapConfig(configFile({ api_token: 12345678 }), {}),
      /"api_token" must be a string, got a number/,
    );
    configError(
      () => toTapConfig({ api_token: TOKEN, base_url: `https://user:${TOKEN}@example.com` }),
      /"base_url" must not carry credentials/,
    );
    configError(() => toTapConfig({ api_token: TOKEN, fiscal_years_back: -1 }), /fiscal_years_back/);
  });

  it('rejects a base_url that is not http(s), naming the key and an example', () => {
    configError(
      () => toTapConfig({ api_token: TOKEN, base_url: 'ftp://example.com' }),
      /^setting "base_url" must be an http\(s\) URL such as https:\/\/app\.pennylane\.com\/api\/external\/v2/,
    );
    configError(
      () => toTapConfig({ api_token: TOKEN, base_url: 'app.pennylane.com' }),
      /"base_url" must be an http\(s\) URL/,
    );
  });

  it('rejects numbers out of range and malformed dates, naming the key', () => {
    configError(
      () => toTapConfig({ api_token: TOKEN, rate_limit_requests: 0 }),
      /"rate_limit_requests" must be an integer ≥ 1, got 0/,
    );
    configError(
      () => toTapConfig({ api_token: TOKEN, request_timeout_seconds: 0 }),
      /"request_timeout_seconds" must be a number > 0/,
    );
    configError(() => toTapConfig({ api_token: TOKEN, rate_limit_requests: 2.5 }), /an integer/);
    configError(
      () => loadTapConfig(configFile({ api_token: TOKEN }), { TAP_PENNYLANE_EXPORT_MAX_AGE_HOURS: 'soon' }),
      /env TAP_PENNYLANE_EXPORT_MAX_AGE_HOURS: setting "export_max_age_hours" must be a number/,
    );
    configError(
      () => toTapConfig({ api_token: TOKEN, start_date: '01/02/2024' }),
      /"start_date" must be a date like 2024-01-01/,
    );
    configError(() => toTapConfig({ api_token: TOKEN, start_date: '2024-13-45' }), /"start_date"/);
    configError(
      () => toTapConfig({ api_token: TOKEN, full_refresh: 'maybe' }),
      /"full_refresh" must be true or false/,
    );
  });

  it('describes itself for --about: name, capabilities, the token as a secret', () => {
    const about = JSON.parse(aboutJson(TAP_INFO));
    assert.equal(about.name, 'tap-pennylane');
    assert.deepEqual(about.capabilities, ['catalog', 'discover', 'state', 'about', 'activate-version']);
    assert.deepEqual(about.settings.required, ['api_token']);
    assert.equal(about.settings.properties.api_token.secret, true);
    assert.equal(about.settings.properties.rate_limit_requests.default, 25);
    assert.equal(about.env_var_prefix, 'TAP_PENNYLANE_');
  });
});
