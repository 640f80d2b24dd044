import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSelected, metadataAt, parseCatalog } from '../../../singer/src/catalog.js';
import { packageRoot } from '../../../singer/src/paths.js';
import { STREAMS } from '../streams/definitions.js';
import { catalogJson, discoverCatalog } from './discover.js';

describe('discoverCatalog', () => {
  const catalog = discoverCatalog();

  it('is exactly catalog.json at the repo root (regenerate it with `npm run catalog`)', () => {
    const committed = readFileSync(join(packageRoot, 'catalog.json'), 'utf8');
    assert.equal(committed, catalogJson(), 'catalog.json is stale: run `npm run catalog` and commit it');
  });

  it('lists the 20 streams in sync order, fiscal_years first', () => {
    assert.deepEqual(
      catalog.streams.map((s) => s.tap_stream_id),
      STREAMS.map((s) => s.name),
    );
    assert.equal(catalog.streams.length, 20);
    assert.equal(catalog.streams[0]!.stream, 'fiscal_years');
  });

  it('reads back through parseCatalog unchanged, every stream selected by default', () => {
    const parsed = parseCatalog(JSON.parse(catalogJson()), 'catalog.json');
    assert.deepEqual(parsed, catalog);
    assert.ok(parsed.streams.every((e) => isSelected(e)));
  });

  it('describes each stream with its key and forced replication method', () => {
    const byName = new Map(catalog.streams.map((e) => [e.stream, e]));
    const expect = {
      customers: [['id'], 'INCREMENTAL'],
      ledger_entry_lines: [['id'], 'INCREMENTAL'],
      ledger_entries: [['id'], 'FULL_TABLE'],
      journals: [['id'], 'FULL_TABLE'],
      trial_balance: [['fiscal_year_id', 'number'], 'FULL_TABLE'],
      customer_invoice_lines: [['id'], 'INCREMENTAL'],
      categories: [['id'], 'FULL_TABLE'],
      quotes: [['id'], 'INCREMENTAL'],
      fec: [['fiscal_year_id', 'line_number'], 'INCREMENTAL'],
      analytical_ledger: [['fiscal_year_id', 'row_number'], 'INCREMENTAL'],
    } as const;
    for (const [name, [key, method]] of Object.entries(expect)) {
      const entry = byName.get(name)!;
      const md = metadataAt(entry);
      assert.deepEqual(md['table-key-properties'], key, name);
      assert.deepEqual(entry.key_properties, key, name);
      assert.equal(md['forced-replication-method'], method, name);
      assert.equal(entry.replication_method, method, name);
      assert.deepEqual(md['valid-replication-keys'], [], name);
      assert.equal(md['selected-by-default'], true, name);
      assert.equal(md.inclusion, 'available', name);
    }
  });

  it('gives every field an inclusion: automatic for keys and the delete marker, available otherwise', () => {
    for (const entry of catalog.streams) {
      const fields = Object.keys(entry.schema.properties ?? {});
      const withMetadata = (entry.metadata ?? [])
        .filter((m) => m.breadcrumb.length === 2)
        .map((m) => m.breadcrumb[1]);
      assert.deepEqual(withMetadata, fields, entry.stream);
      for (const f of fields) {
        const expected =
          entry.key_properties?.includes(f) || f === '_sdc_deleted_at' ? 'automatic' : 'available';
        assert.equal(metadataAt(entry, ['properties', f]).inclusion, expected, `${entry.stream}.${f}`);
      }
    }
  });
});
