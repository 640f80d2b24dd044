import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SingerCatalog } from '../../../singer/src/catalog.js';
import { STREAMS } from '../streams/definitions.js';
import { discoverCatalog } from './discover.js';
import { selectStreams } from './select.js';

/** The discovered catalog with `selected` set on the named breadcrumbs (stream name, or stream.field). */
function withSelection(selection: Record<string, boolean>): SingerCatalog {
  const catalog = discoverCatalog();
  for (const [path, selected] of Object.entries(selection)) {
    const [stream, ...field] = path.split('.');
    const entry = catalog.streams.find((e) => e.stream === stream)!;
    const breadcrumb = field.length ? ['properties', ...field.join('.properties.').split('.')] : [];
    const md = entry.metadata!.find((m) => m.breadcrumb.join('.') === breadcrumb.join('.'));
    if (md) md.metadata.selected = selected;
    else entry.metadata!.push({ breadcrumb, metadata: { selected } });
  }
  return catalog;
}

describe('selectStreams', () => {
  it('selects all 20 streams of the discovered catalog, in sync order whatever the catalog order', () => {
    const catalog = discoverCatalog();
    catalog.streams.reverse();
    assert.deepEqual(
      selectStreams(catalog).map((s) => s.definition.name),
      STREAMS.map((s) => s.name),
    );
  });

  it('leaves out deselected streams', () => {
    const chosen = selectStreams(withSelection({ fec: false, customers: false }));
    assert.equal(chosen.length, 18);
    assert.ok(!chosen.some((s) => s.definition.name === 'fec' || s.definition.name === 'customers'));
  });

  it('prunes deselected fields from the schema and the records, and keeps the key whatever the catalog says', () => {
    const catalog = withSelection({
      'customers.notes': false,
      'customers.id': false,
      'customers.phone': false,
    });
    const entry = catalog.streams.find((e) => e.stream === 'customers')!;
    entry.metadata!.find((m) => m.breadcrumb[1] === 'id')!.metadata.inclusion = 'available';
    const customers = selectStreams(catalog).find((s) => s.definition.name === 'customers')!;
    const fields = Object.keys(customers.schema.properties ?? {});
    assert.ok(fields.includes('id') && fields.includes('name'));
    assert.ok(!fields.includes('notes') && !fields.includes('phone'));
    const record = { id: 7, name: 'ACME', notes: 'secret', phone: '01', unknown_new_field: 1 };
    assert.deepEqual(customers.project(record), { id: 7, name: 'ACME' });
    assert.deepEqual(record.notes, 'secret', 'the input record is not changed');
  });

  it('prunes nested fields the catalog deselects, leaving untouched objects whole', () => {
    const catalog = withSelection({ 'transactions.journal.url': false });
    const tx = selectStreams(catalog).find((s) => s.definition.name === 'transactions')!;
    assert.deepEqual(Object.keys(tx.schema.properties!.journal!.properties!), ['id']);
    const out = tx.project({
      id: 1,
      journal: { id: 2, url: 'u' },
      bank_account: { id: 3, url: 'v' },
      customer: null,
    });
    assert.deepEqual(out, { id: 1, journal: { id: 2 }, bank_account: { id: 3, url: 'v' }, customer: null });
  });

  it('keeps the delete marker of a tombstone even when fields are deselected', () => {
    const catalog = withSelection({ 'products._sdc_deleted_at': false, 'products.label': false });
    const products = selectStreams(catalog).find((s) => s.definition.name === 'products')!;
    assert.deepEqual(products.project({ id: 9, _sdc_deleted_at: '2026-01-01T00:00:00Z' }), {
      id: 9,
      _sdc_deleted_at: '2026-01-01T00:00:00Z',
    });
  });

  it('rejects a stream this tap does not know, naming it and the fix', () => {
    const catalog = discoverCatalog();
    catalog.streams.push({ ...catalog.streams[0]!, tap_stream_id: 'quote_lines', stream: 'quote_lines' });
    assert.throws(
      () => selectStreams(catalog),
      /catalog: stream "quote_lines" is not a tap-pennylane stream \(known: fiscal_years, .*\); regenerate the catalog with tap-pennylane --discover/,
    );
  });

  it('rejects a stream listed twice', () => {
    const catalog = discoverCatalog();
    catalog.streams.push(catalog.streams[3]!);
    assert.throws(() => selectStreams(catalog), /stream "bank_accounts" appears twice/);
  });

  it('follows a legacy --properties catalog ("selected": true inside the schema)', () => {
    const catalog = discoverCatalog();
    for (const entry of catalog.streams) {
      delete entry.metadata;
      entry.schema.selected = entry.stream === 'journals';
    }
    const journals = catalog.streams.find((e) => e.stream === 'journals')!;
    journals.schema.properties!.label!.selected = false;
    const chosen = selectStreams(catalog);
    assert.deepEqual(
      chosen.map((s) => s.definition.name),
      ['journals'],
    );
    assert.deepEqual(Object.keys(chosen[0]!.schema.properties!), ['id', 'code', 'type']);
    assert.equal(chosen[0]!.schema.selected, undefined);
  });
});
