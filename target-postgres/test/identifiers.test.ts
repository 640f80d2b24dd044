/**
 * Hostile identifiers: any stream or property name (quotes, `;`, spaces, unicode, `-`, NUL, 200 bytes)
 * becomes a deterministic, collision-free PostgreSQL name, and never a piece of SQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  columnTypes,
  freshSchema,
  ndjson,
  primaryKey,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  type TargetRun,
  table,
  tablesOf,
  writeConfig,
} from './support/target.js';

/**
 * The contract's rule, written independently of the engine: names over 63 bytes are cut on a character
 * boundary so that `_` + the first 8 hex digits of sha256(full name) still fit in 63 bytes.
 */
function expectedName(name: string): string {
  const clean = name.replaceAll('\u0000', '');
  if (Buffer.byteLength(clean) <= 63) return clean;
  const suffix = `_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  let cut = '';
  for (const ch of clean) {
    if (Buffer.byteLength(cut + ch) + suffix.length > 63) break;
    cut += ch;
  }
  return cut + suffix;
}

const INJECTION = 'invoices"; DROP TABLE canary; --';
const SPACED = 'customer invoices (2026)';
const UNICODE = 'factures_clients_été_発票';
const DASHED = 'tap-pennylane-customer_invoices';
const LONG_STREAM = 'é'.repeat(100); // 200 bytes
const SHARED = 'montant_total_hors_taxes_de_la_facture_client_en_devise_de_la_societe_';
const LONG_A = `${SHARED}avant_remise`;
const LONG_B = `${SHARED}apres_remise`;
const PROPS = {
  id: { type: 'integer' },
  'key "quoted"; --': { type: 'string' },
  'with space': { type: ['null', 'string'] },
  'semi;colon': { type: ['null', 'string'] },
  'Ünïcødé 名前': { type: ['null', 'string'] },
  'dash-ed': { type: ['null', 'string'] },
  [LONG_A]: { type: ['null', 'string'] },
  [LONG_B]: { type: ['null', 'string'] },
  'nul\u0000inside': { type: ['null', 'string'] },
  [`x${'y'.repeat(199)}`]: { type: ['null', 'integer'] },
};
const STREAMS = [INJECTION, SPACED, UNICODE, DASHED, LONG_STREAM];
const KEY = ['id', 'key "quoted"; --'];
const record = (id: number, stream: string) => ({
  id,
  'key "quoted"; --': `k${id}`,
  'with space': `space ${stream.length}`,
  'semi;colon': 'a;b',
  'Ünïcødé 名前': 'ünï',
  'dash-ed': 'd-d',
  [LONG_A]: `avant ${id}`,
  [LONG_B]: `après ${id}`,
  'nul\u0000inside': 'nul',
  [`x${'y'.repeat(199)}`]: id * 10,
});
const input = ndjson(
  STREAMS.flatMap((s) => [schemaMsg(s, PROPS, KEY), recordMsg(s, record(1, s)), recordMsg(s, record(2, s))]),
);

let db: TestDatabase;
let schemaA: string;
let schemaB: string;
let runA: TargetRun;
let runB: TargetRun;
before(async () => {
  db = await createTestDatabase('tident');
  schemaA = freshSchema();
  schemaB = freshSchema();
  await db.client.query(`CREATE TABLE public.canary (id int)`);
  runA = await runTarget(writeConfig(db.url, schemaA), input);
  runB = await runTarget(writeConfig(db.url, schemaB), input);
});
after(async () => {
  await db?.drop();
});

describe('hostile identifiers', () => {
  test('every stream loads and becomes one table, named per the contract, in the target schema', async () => {
    assertSucceeded(runA);
    const expected = STREAMS.map(expectedName).sort();
    assert.deepEqual(await tablesOf(db.client, schemaA), expected);
    assert.ok(expectedName(LONG_STREAM).length < LONG_STREAM.length, 'the 200-byte name is shortened');
    assert.ok(Buffer.byteLength(expectedName(LONG_STREAM)) <= 63);
  });

  test('a stream name with "-" stays one table in default_target_schema (never split into schema.table)', async () => {
    assert.ok((await tablesOf(db.client, schemaA)).includes(DASHED));
    const stray = await rows(
      db.client,
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tap%' OR nspname LIKE 'pennylane%'`,
    );
    assert.deepEqual(stray, []);
  });

  test('no name is ever interpreted as SQL', async () => {
    const canary = await rows(db.client, `SELECT to_regclass('public.canary')::text AS t`);
    assert.deepEqual(canary, [{ t: 'canary' }]);
  });

  test('every property becomes the column the contract names, and each value lands in its own column', async () => {
    const types = await columnTypes(db.client, schemaA, INJECTION);
    for (const name of Object.keys(PROPS)) {
      assert.ok(expectedName(name) in types, `column for ${JSON.stringify(name)} (${expectedName(name)})`);
    }
    const a = expectedName(LONG_A);
    const b = expectedName(LONG_B);
    assert.notEqual(a, b, 'two long names sharing a 63-byte prefix stay distinct');
    const got = await rows(
      db.client,
      `SELECT id::int, "${a}" AS a, "${b}" AS b, "nulinside" AS nul, "semi;colon" AS semi, "Ünïcødé 名前" AS uni,
              "${expectedName(`x${'y'.repeat(199)}`)}"::int AS long_int
         FROM ${table(schemaA, INJECTION)} ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, a: 'avant 1', b: 'après 1', nul: 'nul', semi: 'a;b', uni: 'ünï', long_int: 10 },
      { id: 2, a: 'avant 2', b: 'après 2', nul: 'nul', semi: 'a;b', uni: 'ünï', long_int: 20 },
    ]);
  });

  test('key properties with hostile names make the primary key', async () => {
    assert.deepEqual(await primaryKey(db.client, schemaA, expectedName(LONG_STREAM)), [
      'id',
      'key "quoted"; --',
    ]);
  });

  test('names are deterministic: another run gives the same tables and columns, and a replay adds none', async () => {
    assertSucceeded(runB);
    assert.deepEqual(await tablesOf(db.client, schemaB), await tablesOf(db.client, schemaA));
    for (const s of STREAMS) {
      const name = expectedName(s);
      assert.deepEqual(
        await columnTypes(db.client, schemaB, name),
        await columnTypes(db.client, schemaA, name),
      );
    }
    const before = await columnTypes(db.client, schemaA, expectedName(SPACED));
    assertSucceeded(await runTarget(writeConfig(db.url, schemaA), input));
    assert.deepEqual(await columnTypes(db.client, schemaA, expectedName(SPACED)), before);
    const count = await rows(
      db.client,
      `SELECT count(*)::int AS n FROM ${table(schemaA, expectedName(SPACED))}`,
    );
    assert.deepEqual(count, [{ n: 2 }]);
  });

  test('a hostile default_target_schema is quoted too', async () => {
    const schema = `Compta "2026"; --${freshSchema()}`;
    const run = await runTarget(
      writeConfig(db.url, schema),
      ndjson([schemaMsg('journals', { id: { type: 'integer' } }), recordMsg('journals', { id: 7 })]),
    );
    assertSucceeded(run);
    assert.deepEqual(await rows(db.client, `SELECT id::int FROM ${table(schema, 'journals')}`), [{ id: 7 }]);
  });
});
