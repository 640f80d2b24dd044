/**
 * Connector-acceptance style checks of tap-pennylane as an Airbyte source against the sandbox: spec,
 * check (valid config, bad token, missing scope), discover, and a read that fails on configuration.
 * Every stdout line of every run is validated against the vendored AirbyteMessage definition.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { ALL_SCOPES } from '../../sandbox/src/index.js';
import { ofType } from './protocol.js';
import { SOURCE_FIXTURES, type SourceHarness, startSourceHarness } from './source-support.js';

describe('tap-pennylane as an Airbyte source: spec, check, discover', () => {
  let h: SourceHarness;
  before(async () => {
    h = await startSourceHarness();
  });
  after(async () => {
    await h.close();
  });

  test('spec prints one SPEC whose connection specification accepts the sample config and flags the token as a secret', async () => {
    const r = await h.run(['spec']);
    assert.equal(r.code, 0);
    assert.equal(r.messages.length, 1);
    const [spec] = ofType(r.messages, 'SPEC');
    const cs = spec!.spec.connectionSpecification;
    assert.deepEqual(cs.required, ['api_token']);
    assert.equal(cs.properties?.api_token?.airbyte_secret, true);
    const validate = new Ajv({ strict: false, logger: false }).compile(cs);
    const sample = JSON.parse(readFileSync(join(SOURCE_FIXTURES, 'sample_config.json'), 'utf8'));
    assert.ok(validate(sample), JSON.stringify(validate.errors));
    assert.equal(
      validate({ base_url: h.sandbox.baseUrl }),
      false,
      'a config without api_token must be refused',
    );
    assert.equal(validate({ api_token: 't', fiscal_years_back: 'two' }), false, 'types are enforced');
  });

  test('check with the sample config succeeds', async () => {
    const r = await h.run(['check', '--config', h.config('sample_config.json')]);
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.messages.map((m) => m.type),
      ['CONNECTION_STATUS'],
    );
    assert.equal(ofType(r.messages, 'CONNECTION_STATUS')[0]!.connectionStatus.status, 'SUCCEEDED');
  });

  test('check with a rejected token reports FAILED with a one-line reason and no secret', async () => {
    const r = await h.run(['check', '--config', h.config('invalid_config.json')]);
    assert.equal(r.code, 0, 'check itself succeeded: the verdict is in the message');
    const status = ofType(r.messages, 'CONNECTION_STATUS')[0]!.connectionStatus;
    assert.equal(status.status, 'FAILED');
    assert.match(status.message ?? '', /401/);
    assert.doesNotMatch(status.message ?? '', /\n|not-the-sandbox-token|at .*\.ts:\d+/);
    assert.doesNotMatch(r.stdout, /not-the-sandbox-token/);
  });

  test('check with a token missing a scope reports FAILED naming that scope and its streams', async () => {
    h.sandbox.control.setScopes(ALL_SCOPES.filter((s) => s !== 'exports:fec'));
    try {
      const r = await h.run(['check', '--config', h.config('sample_config.json')]);
      const status = ofType(r.messages, 'CONNECTION_STATUS')[0]!.connectionStatus;
      assert.equal(status.status, 'FAILED');
      assert.match(status.message ?? '', /exports:fec \(fec\)/);
    } finally {
      h.sandbox.control.setScopes(ALL_SCOPES);
    }
  });

  test('check with a config that is not valid reports FAILED naming the setting', async () => {
    const config = h.file('bad-setting.json', { api_token: 'x', base_url: 'ftp://nowhere' });
    const r = await h.run(['check', '--config', config]);
    const status = ofType(r.messages, 'CONNECTION_STATUS')[0]!.connectionStatus;
    assert.equal(status.status, 'FAILED');
    assert.match(status.message ?? '', /base_url/);
  });

  test('discover prints a CATALOG with sync modes, source-defined cursor and primary key, and the delete field', async () => {
    const r = await h.run(['discover', '--config', h.config('sample_config.json')]);
    assert.equal(r.code, 0);
    const streams = ofType(r.messages, 'CATALOG')[0]!.catalog.streams;
    assert.equal(streams.length, 20);
    const byName = new Map(streams.map((s) => [s.name, s]));
    const customers = byName.get('customers')!;
    assert.deepEqual(customers.supported_sync_modes, ['full_refresh', 'incremental']);
    assert.equal(customers.source_defined_cursor, true);
    assert.deepEqual(customers.default_cursor_field, ['_ab_cdc_cursor']);
    assert.deepEqual(customers.source_defined_primary_key, [['id']]);
    assert.deepEqual(customers.json_schema.properties?._ab_cdc_deleted_at?.type, ['null', 'string']);
    assert.equal(customers.json_schema.properties?._sdc_deleted_at, undefined);
    assert.deepEqual(byName.get('fec')!.supported_sync_modes, ['full_refresh', 'incremental']);
    assert.deepEqual(byName.get('trial_balance')!.source_defined_primary_key, [
      ['fiscal_year_id'],
      ['number'],
    ]);
    for (const name of ['journals', 'ledger_entries', 'fiscal_years', 'trial_balance']) {
      assert.deepEqual(byName.get(name)!.supported_sync_modes, ['full_refresh'], name);
    }
    const ajv = new Ajv({ strict: false, logger: false });
    for (const s of streams) {
      assert.doesNotThrow(() => ajv.compile(s.json_schema), `${s.name}: json_schema must compile`);
      for (const path of s.default_cursor_field ?? [])
        assert.ok(s.json_schema.properties?.[path], `${s.name}: cursor ${path} is in the schema`);
      for (const [key] of s.source_defined_primary_key ?? [])
        assert.ok(s.json_schema.properties?.[key!], `${s.name}: key ${key} is in the schema`);
    }
  });

  test('read with a token missing a scope ends with a TRACE ERROR of type config_error and exit code 1', async () => {
    h.sandbox.control.setScopes(ALL_SCOPES.filter((s) => s !== 'customers:all'));
    try {
      const catalog = join(SOURCE_FIXTURES, 'configured_catalog_incremental.json');
      const r = await h.spawn(['read', '--config', h.config('sample_config.json'), '--catalog', catalog]);
      assert.equal(r.code, 1);
      const errors = ofType(r.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
      assert.equal(errors.length, 1);
      const trace = errors[0]!.trace as { error: { message: string; failure_type: string } };
      assert.equal(trace.error.failure_type, 'config_error');
      assert.match(trace.error.message, /customers:readonly \(customers\)/);
      assert.equal(ofType(r.messages, 'RECORD').length, 0);
      assert.match(r.stderr.trim().split('\n').at(-1)!, /^tap-pennylane: error: /);
    } finally {
      h.sandbox.control.setScopes(ALL_SCOPES);
    }
  });

  test('read without --catalog is a config_error, not a stack trace', async () => {
    const r = await h.run(['read', '--config', h.config('sample_config.json')]);
    assert.equal(r.code, 1);
    const trace = ofType(r.messages, 'TRACE')[0]!.trace as {
      error: { message: string; failure_type: string };
    };
    assert.equal(trace.error.failure_type, 'config_error');
    assert.match(trace.error.message, /catalog/);
    assert.doesNotMatch(r.stdout, /\n\s+at /);
  });
});
