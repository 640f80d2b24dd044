import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverCatalog } from '../catalog/discover.js';
import { selectStreams } from '../catalog/select.js';
import { missingScopes } from './scopes.js';

describe('missingScopes', () => {
  const streams = selectStreams(discoverCatalog());

  it('lists each missing scope once with the streams that need it', () => {
    const granted = [
      'customers:readonly',
      'suppliers:all',
      'products:readonly',
      'customer_invoices:readonly',
    ];
    const missing = missingScopes(granted, streams);
    assert.ok(
      missing.includes('ledger_entries:readonly (ledger_entry_lines, ledger_entries)'),
      missing.join('; '),
    );
    assert.ok(missing.includes('exports:fec (fec)'));
    // exports and trial balances list the fiscal years, so they need that scope too
    assert.ok(
      missing.includes('fiscal_years:readonly (fiscal_years, trial_balance, fec, analytical_ledger)'),
      missing.join('; '),
    );
    assert.ok(!missing.some((m) => m.startsWith('customers:') || m.startsWith('suppliers:')));
  });

  it('finds nothing missing when every scope is granted', () => {
    const all = streams
      .flatMap((s) => s.definition.scopes)
      .map((s) => ('exact' in s ? s.exact : `${s.base}:readonly`));
    assert.deepEqual(missingScopes([...all, 'fiscal_years:readonly'], streams), []);
  });
});
