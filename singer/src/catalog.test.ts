import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CatalogEntry,
  CatalogError,
  isSelected,
  type MetadataEntry,
  parseCatalog,
  selectedEntries,
  selectedSchema,
} from './catalog.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } } },
  },
};

const entry = (metadata?: MetadataEntry[], extra: Partial<CatalogEntry> = {}): CatalogEntry => ({
  tap_stream_id: 's',
  stream: 's',
  schema: structuredClone(schema),
  ...(metadata ? { metadata } : {}),
  ...extra,
});
const md = (breadcrumb: string[], metadata: MetadataEntry['metadata']): MetadataEntry => ({
  breadcrumb,
  metadata,
});

describe('selection rules (as the Meltano SDK resolves them)', () => {
  it('selects a stream and all its fields when the catalog has no metadata at all', () => {
    assert.equal(isSelected(entry()), true);
    assert.equal(isSelected(entry([])), true);
    assert.equal(isSelected(entry(), ['properties', 'name']), true);
  });

  it('leaves a stream out when its metadata says neither selected nor selected-by-default', () => {
    assert.equal(isSelected(entry([md([], { inclusion: 'available' })])), false);
  });

  it('uses selected-by-default when selected is absent, and an explicit selected over it', () => {
    assert.equal(isSelected(entry([md([], { 'selected-by-default': true })])), true);
    assert.equal(isSelected(entry([md([], { 'selected-by-default': true, selected: false })])), false);
    assert.equal(isSelected(entry([md([], { 'selected-by-default': false, selected: true })])), true);
  });

  it('never selects an unsupported stream or field, even when marked selected', () => {
    assert.equal(isSelected(entry([md([], { inclusion: 'unsupported', selected: true })])), false);
    const e = entry([
      md([], { selected: true }),
      md(['properties', 'name'], { inclusion: 'unsupported', selected: true }),
    ]);
    assert.equal(isSelected(e, ['properties', 'name']), false);
  });

  it('always selects an automatic field, even when marked deselected', () => {
    const e = entry([
      md([], { selected: true }),
      md(['properties', 'id'], { inclusion: 'automatic', selected: false }),
    ]);
    assert.equal(isSelected(e, ['properties', 'id']), true);
  });

  it('deselects every field of a deselected stream, automatic ones included', () => {
    const e = entry([md([], { selected: false }), md(['properties', 'id'], { inclusion: 'automatic' })]);
    assert.equal(isSelected(e, ['properties', 'id']), false);
    assert.equal(isSelected(e, ['properties', 'name']), false);
  });

  it('lets a field without metadata inherit its parent, down to nested fields', () => {
    const e = entry([md([], { selected: true }), md(['properties', 'address'], { selected: false })]);
    assert.equal(isSelected(e, ['properties', 'name']), true);
    assert.equal(isSelected(e, ['properties', 'address', 'properties', 'city']), false);
  });

  it('reads the legacy --properties form: "selected" inside the schema', () => {
    const legacy = entry(undefined, {
      schema: {
        type: 'object',
        selected: true,
        properties: { id: { type: 'integer' }, name: { type: 'string', selected: false } },
      },
    });
    assert.equal(isSelected(legacy), true);
    assert.equal(isSelected(legacy, ['properties', 'id']), true);
    assert.equal(isSelected(legacy, ['properties', 'name']), false);
    const unselected = entry(undefined, {
      schema: { type: 'object', properties: { id: { type: 'integer', selected: true } } },
    });
    assert.equal(
      isSelected(unselected),
      false,
      'a legacy stream without "selected": true at its root is not synced',
    );
  });

  it('lists the selected entries in catalog order', () => {
    const a = { ...entry([md([], { selected: true })]), tap_stream_id: 'a', stream: 'a' };
    const b = { ...entry([md([], { selected: false })]), tap_stream_id: 'b', stream: 'b' };
    const c = { ...entry(), tap_stream_id: 'c', stream: 'c' };
    assert.deepEqual(
      selectedEntries({ streams: [a, b, c] }).map((e) => e.tap_stream_id),
      ['a', 'c'],
    );
  });
});

describe('selectedSchema', () => {
  it('drops deselected fields at every depth and the legacy keywords', () => {
    const e = entry([
      md([], { selected: true }),
      md(['properties', 'name'], { selected: false }),
      md(['properties', 'address', 'properties', 'zip'], { selected: false }),
    ]);
    e.schema.selected = true;
    assert.deepEqual(selectedSchema(e), {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        address: { type: 'object', properties: { city: { type: 'string' } } },
      },
    });
  });

  it('keeps the fields it is told to keep whatever the metadata says', () => {
    const e = entry([md([], { selected: true }), md(['properties', 'id'], { selected: false })]);
    assert.deepEqual(Object.keys(selectedSchema(e, ['id']).properties ?? {}), ['id', 'name', 'address']);
    assert.deepEqual(Object.keys(selectedSchema(e).properties ?? {}), ['name', 'address']);
  });
});

describe('parseCatalog', () => {
  it('accepts a catalog and fills stream from tap_stream_id (and the reverse)', () => {
    const c = parseCatalog(
      {
        streams: [
          { tap_stream_id: 'a', schema: {} },
          { stream: 'b', schema: {} },
        ],
      },
      'c.json',
    );
    assert.deepEqual(
      c.streams.map((s) => [s.tap_stream_id, s.stream]),
      [
        ['a', 'a'],
        ['b', 'b'],
      ],
    );
  });

  it('names the file, the stream and the fix in each error', () => {
    assert.throws(
      () => parseCatalog([], 'c.json'),
      /^CatalogError: c\.json: a catalog is a JSON object with a "streams" array/,
    );
    assert.throws(
      () => parseCatalog({ streams: [{ schema: {} }] }, 'c.json'),
      /c\.json: streams\[0\] has no "tap_stream_id"/,
    );
    assert.throws(
      () => parseCatalog({ streams: [{ tap_stream_id: 'x' }] }, 'c.json'),
      (err: Error) =>
        err instanceof CatalogError && /streams\[0\] \("x"\) has no "schema" object/.test(err.message),
    );
    assert.throws(
      () =>
        parseCatalog(
          { streams: [{ tap_stream_id: 'x', schema: {}, metadata: [{ breadcrumb: [] }] }] },
          'c.json',
        ),
      /\("x"\): metadata\[0\] must be \{"breadcrumb"/,
    );
  });
});
