import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { AGL_COLUMNS, FEC_COLUMNS } from '../../../pennylane/src/export-formats.js';
import type { JsonSchema } from '../../../singer/src/messages.js';
import { packageRoot } from '../../../singer/src/paths.js';
import { STREAMS } from '../streams/definitions.js';
import { SCHEMAS_DIR, streamSchema } from './schemas.js';

/** Item field paths per stream, copied from Pennylane's OpenAPI file (source noted in the fixture). */
const fixture = JSON.parse(
  readFileSync(join(packageRoot, 'tap-pennylane/test/fixtures/openapi-fields.json'), 'utf8'),
) as { streams: Record<string, string[]> };

const types = (s: JsonSchema | undefined): string[] =>
  s === undefined ? [] : Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];

/** The schema node of a dotted fixture path (`a.b`, `a[].b`), or undefined. */
function nodeAt(schema: JsonSchema, path: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of path.split('.')) {
    const name = part.replace(/(\[\])+$/, '');
    node = node?.properties?.[name];
    for (let n = (part.length - name.length) / 2; n > 0; n--) node = node?.items as JsonSchema | undefined;
  }
  return node;
}

function walk(schema: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  visit(schema, path);
  for (const [k, v] of Object.entries(schema.properties ?? {})) walk(v, path ? `${path}.${k}` : k, visit);
  if (schema.items && !Array.isArray(schema.items)) walk(schema.items, `${path}[]`, visit);
}

describe('stream schemas', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.addFormat('singer.decimal', /^-?\d+(\.\d+)?$/);

  it('has exactly one schema file per stream definition', () => {
    const files = readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    assert.deepEqual(files, STREAMS.map((s) => `${s.name}.json`).sort());
  });

  for (const def of STREAMS) {
    describe(def.name, () => {
      const schema = streamSchema(def.name);

      it('is a valid JSON Schema of an object, open to new fields', () => {
        const validate = ajv.compile(schema);
        assert.equal(validate({}), true);
        assert.equal(schema.type, 'object');
        walk(schema, '', (node, path) => {
          assert.notEqual(
            node.additionalProperties,
            false,
            `${def.name}.${path}: additionalProperties false`,
          );
          assert.equal(node.required, undefined, `${def.name}.${path}: "required" would reject tombstones`);
          assert.ok(types(node).length > 0, `${def.name}.${path} has no type`);
        });
      });

      it('has its key fields, non-null integers or strings', () => {
        for (const k of def.key) {
          const t = types(schema.properties?.[k]);
          assert.ok(t.length === 1 && ['integer', 'string'].includes(t[0]!), `${def.name}.${k}: ${t}`);
        }
      });

      it('types every id as an integer and every amount as an exact decimal string', () => {
        walk(schema, '', (node, path) => {
          // The one string id: an e-invoicing platform's flow identifier (pennylane-api-v2.md §7.3).
          if (/(^|\.)id$|_id$/.test(path) && path !== 'e_invoicing.flow.id')
            assert.ok(types(node).includes('integer'), `${def.name}.${path}`);
          if (node.format === 'singer.decimal')
            assert.ok(types(node).includes('string'), `${def.name}.${path}`);
        });
      });

      if (fixture.streams[def.name]) {
        it('covers every field of the OpenAPI item schema', () => {
          const missing = fixture.streams[def.name]!.filter((path) => nodeAt(schema, path) === undefined);
          assert.deepEqual(missing, []);
        });
      }

      if (def.kind === 'changelog' || def.kind === 'export') {
        it('carries the nullable _sdc_deleted_at delete marker', () => {
          assert.deepEqual(schema.properties?._sdc_deleted_at, {
            type: ['string', 'null'],
            format: 'date-time',
          });
        });
      }
    });
  }

  it('covers every API stream in the OpenAPI fixture', () => {
    const apiStreams = STREAMS.filter((s) => s.kind !== 'export').map((s) => s.name);
    assert.deepEqual(Object.keys(fixture.streams).sort(), apiStreams.sort());
  });

  it('accepts a real-looking record and rejects a float amount', () => {
    const validate = ajv.compile(streamSchema('ledger_entry_lines'));
    const line = {
      id: 25304410255360,
      debit: '100.00',
      credit: '0.00',
      label: 'Facture 42',
      categories: [],
      ledger_account: { id: 1, number: '411000', url: 'https://x' },
      journal: { id: 2, url: 'https://x' },
      date: '2026-01-31',
      ledger_entry: { id: 3 },
      lettered_ledger_entry_lines: { ids: [25304410255360], url: 'https://x' },
      created_at: '2026-01-31T10:08:08.146343Z',
      updated_at: '2026-01-31T10:08:08.146343Z',
    };
    assert.equal(validate(line), true, JSON.stringify(validate.errors));
    assert.equal(validate({ id: 1, _sdc_deleted_at: '2026-02-01T00:00:00Z' }), true, 'a tombstone is valid');
    assert.equal(validate({ ...line, debit: 100 }), false);
  });

  it('gives the FEC stream the 18 legal columns, dates and amounts typed', () => {
    const props = streamSchema('fec').properties!;
    for (const c of FEC_COLUMNS) assert.ok(props[c], c);
    assert.equal(props.EcritureDate!.format, 'date');
    assert.equal(props.ValidDate!.format, 'date');
    assert.equal(props.Debit!.format, 'singer.decimal');
    assert.equal(props.Montantdevise!.format, 'singer.decimal');
    assert.equal(props.JournalCode!.format, undefined);
  });

  it('gives the analytical ledger stream every AGL column with its type', () => {
    const props = streamSchema('analytical_ledger').properties!;
    const expected = { date: 'date', decimal: 'singer.decimal' } as Record<string, string>;
    for (const c of AGL_COLUMNS) {
      assert.ok(props[c.key], c.key);
      assert.equal(props[c.key]!.format, expected[c.type], c.key);
      assert.ok(types(props[c.key]).includes(c.type === 'integer' ? 'integer' : 'string'), c.key);
    }
  });

  it('makes type-specific customer fields nullable (companies and individuals share the table)', () => {
    const props = streamSchema('customers').properties!;
    for (const f of ['vat_number', 'reg_no', 'first_name', 'last_name'])
      assert.deepEqual(props[f]!.type, ['string', 'null'], f);
    assert.equal(props.customer_type!.type, 'string');
  });
});
