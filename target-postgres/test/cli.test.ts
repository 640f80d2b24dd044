/**
 * The command line as Meltano and users see it: --version, --about (json and markdown), --help, and the
 * configuration from a file, from TARGET_POSTGRES_* env vars alone, and MELTANO_EXTRACT__LOAD_SCHEMA.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../singer/src/paths.js';
import { runScript } from '../../test/support/cli.js';
import { useTestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  CLI,
  cleanEnv,
  freshSchema,
  lastStderrLine,
  ndjson,
  parseStdout,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  type TargetRun,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tcli');

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
const input = ndjson([schemaMsg('journals', { id: { type: 'integer' } }), recordMsg('journals', { id: 1 })]);

/** Runs the CLI with only env vars for configuration (no --config). */
async function runWithEnv(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<TargetRun> {
  const r = await runScript(CLI, args, stdin, { env: cleanEnv(env) });
  return {
    ...r,
    states: r.code === 0 && args.length === 0 ? parseStdout(r.stdout) : [],
    lastError: lastStderrLine(r.stderr),
  };
}

const CONTRACT_KEYS = [
  'database_url',
  'host',
  'port',
  'user',
  'password',
  'database',
  'ssl_mode',
  'default_target_schema',
  'batch_size_rows',
  'max_batch_age_seconds',
  'hard_delete',
  'add_record_metadata',
  'validate_records',
  'flattening_enabled',
  'flattening_max_depth',
  'activate_version',
];

describe('the command line', { concurrency: 2 }, () => {
  test('--version prints the package version', async () => {
    const r = await runWithEnv(['--version'], {});
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
  });

  test('--about prints JSON naming the capabilities and every configuration key, the password marked secret', async () => {
    const r = await runWithEnv(['--about'], {});
    assert.equal(r.code, 0, r.stderr);
    // the Meltano SDK's --about shape: settings as a JSON Schema, secrets marked secret/writeOnly
    const about = JSON.parse(r.stdout) as {
      name: string;
      capabilities: string[];
      settings: { properties: Record<string, { secret?: boolean; writeOnly?: boolean }> };
    };
    assert.equal(about.name, 'target-postgres');
    for (const key of CONTRACT_KEYS) assert.ok(key in about.settings.properties, `setting ${key} listed`);
    assert.equal(about.settings.properties.password?.secret, true);
    for (const cap of ['about', 'activate-version', 'hard-delete', 'schema-flattening', 'validate-records']) {
      assert.ok(about.capabilities.includes(cap), `capability ${cap}`);
    }
  });

  test('--about --format markdown prints a settings table', async () => {
    const r = await runWithEnv(['--about', '--format', 'markdown'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\|/);
    assert.match(r.stdout, /default_target_schema/);
  });

  test('--help explains --config and --input', async () => {
    const r = await runWithEnv(['--help'], {});
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--config/);
    assert.match(r.stdout, /--input/);
  });

  test('an env-only configuration works (TARGET_POSTGRES_DATABASE_URL, TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA)', async () => {
    const schema = freshSchema();
    const r = await runWithEnv(
      [],
      { TARGET_POSTGRES_DATABASE_URL: db().url, TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: schema },
      input,
    );
    assertSucceeded(r);
    assert.deepEqual(await rows(db().client, `SELECT id::int FROM ${table(schema, 'journals')}`), [
      { id: 1 },
    ]);
  });

  test('a TARGET_POSTGRES_* env var overrides the config file', async () => {
    const fileSchema = freshSchema();
    const envSchema = freshSchema();
    const r = await runTarget(writeConfig(db().url, fileSchema), input, [], {
      env: cleanEnv({ TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: envSchema }),
    });
    assertSucceeded(r);
    assert.deepEqual(await rows(db().client, `SELECT id::int FROM ${table(envSchema, 'journals')}`), [
      { id: 1 },
    ]);
    const inFile = await rows(db().client, `SELECT to_regclass($1)::text AS t`, [
      table(fileSchema, 'journals'),
    ]);
    assert.deepEqual(inFile, [{ t: null }]);
  });

  test('without default_target_schema, MELTANO_EXTRACT__LOAD_SCHEMA names the schema', async () => {
    const schema = freshSchema();
    const r = await runWithEnv(
      [],
      { TARGET_POSTGRES_DATABASE_URL: db().url, MELTANO_EXTRACT__LOAD_SCHEMA: schema },
      input,
    );
    assertSucceeded(r);
    assert.deepEqual(await rows(db().client, `SELECT id::int FROM ${table(schema, 'journals')}`), [
      { id: 1 },
    ]);
  });

  test('an unknown option is refused with a non-zero exit', async () => {
    const r = await runWithEnv(['--no-such-option'], {});
    assert.notEqual(r.code, 0);
  });
});
