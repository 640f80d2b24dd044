import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRunnerConfig, requireToken } from './config.js';

describe('loadRunnerConfig', () => {
  it('uses the embedded database on port 5433 and the "pennylane" schema when no server is configured', () => {
    const c = loadRunnerConfig({ PENNYLANE_API_TOKEN: 'tok-123456' });
    assert.equal(c.database.kind, 'embedded');
    assert.equal(c.database.kind === 'embedded' && c.database.port, 5433);
    assert.equal(c.schema, 'pennylane');
    assert.equal(c.childEnv.TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA, 'pennylane');
    assert.deepEqual(c.schedule, { incremental: '0 */2 * * *', full: '0 3 * * *', timeZone: 'Europe/Paris' });
    assert.match(c.stateFile, /state\/state\.json$/);
  });

  it('uses a configured server, handing DATABASE_URL to target-postgres under its own name', () => {
    const c = loadRunnerConfig({ DATABASE_URL: 'postgres://u:s3cret-pw@db.example.com:5444/acme' });
    assert.equal(c.database.kind, 'configured');
    assert.equal(c.childEnv.TARGET_POSTGRES_DATABASE_URL, 'postgres://u:s3cret-pw@db.example.com:5444/acme');
    assert.equal(c.database.kind === 'configured' && c.database.describe, 'db.example.com:5444/acme');
  });

  it('counts TARGET_POSTGRES_HOST as a configured server and keeps an explicit schema', () => {
    const c = loadRunnerConfig({
      TARGET_POSTGRES_HOST: 'pg.internal',
      TARGET_POSTGRES_PORT: '6543',
      TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: 'compta',
    });
    assert.equal(c.database.kind, 'configured');
    assert.equal(c.schema, 'compta');
    assert.equal(c.childEnv.TARGET_POSTGRES_DATABASE_URL, undefined);
  });

  it('flattens nested objects for target-postgres (depth 2) unless the user chose otherwise', () => {
    const c = loadRunnerConfig({ PENNYLANE_API_TOKEN: 'tok-123456' });
    assert.equal(c.childEnv.TARGET_POSTGRES_FLATTENING_ENABLED, 'true');
    assert.equal(c.childEnv.TARGET_POSTGRES_FLATTENING_MAX_DEPTH, '2');
    const off = loadRunnerConfig({ TARGET_POSTGRES_FLATTENING_ENABLED: 'false' });
    assert.equal(off.childEnv.TARGET_POSTGRES_FLATTENING_ENABLED, 'false');
    assert.equal(off.childEnv.TARGET_POSTGRES_FLATTENING_MAX_DEPTH, undefined);
    const deeper = loadRunnerConfig({ TARGET_POSTGRES_FLATTENING_MAX_DEPTH: '3' });
    assert.equal(deeper.childEnv.TARGET_POSTGRES_FLATTENING_ENABLED, 'true');
    assert.equal(deeper.childEnv.TARGET_POSTGRES_FLATTENING_MAX_DEPTH, '3');
  });

  it('rebuilds the reporting views in schema "reporting" unless PENNYLANE_REPORTING=false', () => {
    assert.equal(loadRunnerConfig({}).reportingSchema, 'reporting');
    const off = loadRunnerConfig({ PENNYLANE_REPORTING: 'false', PENNYLANE_REPORTING_SCHEMA: 'bi' });
    assert.equal(off.reportingSchema, null);
    assert.equal(off.reportingTarget, 'bi', 'npm run reporting still knows where to write');
    assert.throws(
      () => loadRunnerConfig({ PENNYLANE_REPORTING: 'maybe' }),
      /PENNYLANE_REPORTING="maybe" must be true or false/,
    );
    assert.throws(
      () => loadRunnerConfig({ PENNYLANE_REPORTING_SCHEMA: 'pennylane' }),
      /PENNYLANE_REPORTING_SCHEMA="pennylane" is the schema the sync writes to/,
    );
  });

  it('names the variable when the embedded port is not a port', () => {
    assert.throws(
      () => loadRunnerConfig({ PENNYLANE_SYNC_DB_PORT: 'abc' }),
      /PENNYLANE_SYNC_DB_PORT="abc" must be a TCP port/,
    );
  });

  it('tells a first-time user where the token goes when none is set', () => {
    assert.throws(() => requireToken({}), /PENNYLANE_API_TOKEN is not set: copy \.env\.example to \.env/);
    requireToken({ TAP_PENNYLANE_API_TOKEN: 'meltano-style' });
  });
});
