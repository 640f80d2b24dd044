import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Catalog, selectOnly } from './catalog-selection.js';

const catalog: Catalog = {
  streams: [
    {
      stream: 'customers',
      tap_stream_id: 'customers',
      metadata: [{ breadcrumb: [], metadata: { 'selected-by-default': true } }],
    },
    {
      stream: 'suppliers',
      tap_stream_id: 'suppliers',
      metadata: [{ breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } }],
    },
  ],
};

describe('selectOnly', () => {
  it('selects the named streams and deselects the others, keeping the rest of the metadata', () => {
    const out = selectOnly(catalog, ['suppliers']);
    assert.deepEqual(out.streams[0]!.metadata, [
      { breadcrumb: [], metadata: { 'selected-by-default': true, selected: false } },
    ]);
    assert.deepEqual(out.streams[1]!.metadata, [
      { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
      { breadcrumb: [], metadata: { selected: true } },
    ]);
  });

  it('refuses unknown names, listing the valid ones', () => {
    assert.throws(() => selectOnly(catalog, ['customer', 'x']), {
      message: 'unknown streams "customer", "x": valid streams are customers, suppliers',
    });
  });
});
