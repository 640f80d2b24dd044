/**
 * The reader decodes most non-ASCII lines as byte strings (singer/src/byte-strings.ts) for speed. Whatever
 * way a line was decoded, PostgreSQL must hold the same text, keys must compare equal, schema checks must
 * judge characters (not bytes), and error lines must quote the text a person wrote.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertFailed, assertSucceeded } from './support/assertions.js';
import { fixtureDatabase } from './support/fixture-db.js';
import { freshSchema, ndjson, rows, runTarget, table, writeConfig } from './support/target.js';

const { db } = fixtureDatabase('tdec');

const CLIENTS = {
  type: 'SCHEMA',
  stream: 'clients',
  key_properties: ['code'],
  schema: {
    type: 'object',
    properties: {
      code: { type: 'string' },
      nom: { type: ['null', 'string'] },
      adresse: { type: ['null', 'object'], properties: { ville: { type: 'string' } } },
      tags: { type: ['null', 'array'], items: { type: 'string' } },
      montant: { type: ['null', 'string'], format: 'singer.decimal' },
    },
  },
};
const record = (stream: string, rec: Record<string, unknown>) => ({ type: 'RECORD', stream, record: rec });

describe('text through the reader, whichever way each line is decoded', () => {
  test('accents, emoji and escapes land exactly; a key written with and without escapes is one key', async () => {
    const schema = freshSchema();
    // The second line escapes its accents (decoded as UTF-8), the first does not (decoded as bytes):
    // both name the key "Société-1", so the second wins within the batch.
    const input = [
      ndjson([CLIENTS, record('clients', { code: 'Société-1', nom: 'Café Étoile', montant: '12.50' })]),
      '{"type":"RECORD","stream":"clients","record":{"code":"Soci\\u00e9t\\u00e9-1","nom":"Caf\\u00e9\\t\\u00c9toile 2"}}\n',
      ndjson([
        record('clients', {
          code: 'Société-2',
          nom: 'Boulangerie Ærø 💶 发票',
          adresse: { ville: 'Orléans' },
          tags: ['été', 'hiver'],
        }),
        { type: 'STATE', value: { done: 'oui' } },
      ]),
    ].join('');
    const run = await runTarget(writeConfig(db().url, schema), input);
    assertSucceeded(run);
    assert.deepEqual(run.states, [{ done: 'oui' }]);
    const got = await rows(
      db().client,
      `SELECT code, nom, adresse, tags, montant::text FROM ${table(schema, 'clients')} ORDER BY code`,
    );
    assert.deepEqual(got, [
      { code: 'Société-1', nom: 'Café\tÉtoile 2', adresse: null, tags: null, montant: null },
      {
        code: 'Société-2',
        nom: 'Boulangerie Ærø 💶 发票',
        adresse: { ville: 'Orléans' },
        tags: ['été', 'hiver'],
        montant: null,
      },
    ]);
  });

  test('schemas that count or match characters, or name non-ASCII properties, judge the text', async () => {
    const schema = freshSchema();
    const mots = {
      type: 'SCHEMA',
      stream: 'mots',
      key_properties: ['id'],
      schema: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          // 4 characters but 8 bytes: passes; "é" is 1 character but 2 bytes: fails minLength 2
          mot: { type: 'string', minLength: 2, maxLength: 4 },
          saison: { type: 'string', enum: ['été', 'hiver'] },
          catégorie: { type: ['null', 'string'], pattern: '^[A-ZÉ]+$' },
        },
        required: ['mot'],
      },
    };
    const ok = await runTarget(
      writeConfig(db().url, schema),
      ndjson([mots, record('mots', { id: 1, mot: 'éééé', saison: 'été', catégorie: 'ÉTÉ' })]),
    );
    assertSucceeded(ok);
    assert.deepEqual(
      await rows(db().client, `SELECT id::int, mot, saison, "catégorie" FROM ${table(schema, 'mots')}`),
      [{ id: 1, mot: 'éééé', saison: 'été', catégorie: 'ÉTÉ' }],
    );
    const bad = await runTarget(
      writeConfig(db().url, schema),
      ndjson([mots, record('mots', { id: 2, mot: 'é', saison: 'hiver' })]),
    );
    assertFailed(bad, 'stdin:2', ['"mots"', '"mot"', 'got "é"']);
  });

  test('a record refused by a schema without text keywords is quoted as text, not as bytes', async () => {
    const run = await runTarget(
      writeConfig(db().url, freshSchema()),
      ndjson([CLIENTS, record('clients', { code: 'Société-3', montant: '12,50 €' })]),
    );
    assertFailed(run, 'stdin:2', ['"clients"', '"montant"', 'got "12,50 €"']);
  });

  test('a line with bytes that are not UTF-8 loads as UTF-8 decoding gives it (U+FFFD), as before', async () => {
    const schema = freshSchema();
    const input = Buffer.concat([
      Buffer.from(ndjson([CLIENTS])),
      Buffer.from('{"type":"RECORD","stream":"clients","record":{"code":"x","nom":"caf'),
      Buffer.from([0xe9]), // latin1 "é": not UTF-8
      Buffer.from(' é"}}\n'),
    ]);
    const run = await runTarget(writeConfig(db().url, schema), input);
    assertSucceeded(run);
    assert.deepEqual(await rows(db().client, `SELECT nom FROM ${table(schema, 'clients')}`), [
      { nom: 'caf\uFFFD é' },
    ]);
  });
});
