import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RATE_LIMIT } from '../../pennylane/src/api.js';
import { sandbox, sync } from './support/harness.js';

describe('the real rate limit', () => {
  it('is never exceeded: a sync of every stream gets no 429 from a sandbox enforcing 25 requests per 5 s', async () => {
    const sb = await sandbox({
      size: {
        customers: 8,
        suppliers: 5,
        products: 3,
        customerInvoices: 12,
        supplierInvoices: 8,
        transactions: 12,
        bankAccounts: 1,
        fiscalYears: 2,
      },
      seed: 3,
      rateLimit: { ...RATE_LIMIT },
    });
    try {
      const run = await sync(sb, {
        config: {
          rate_limit_requests: RATE_LIMIT.requests,
          rate_limit_window_seconds: RATE_LIMIT.windowMs / 1000,
        },
      });
      assert.equal(run.summary.ok, true, run.summary.error);
      const { total, byStatus } = sb.control.counters();
      assert.ok(total > RATE_LIMIT.requests, `the run needs more than one window (${total} requests)`);
      assert.equal(byStatus['429'] ?? 0, 0);
      assert.equal(run.summary.streamsOk, 20);
    } finally {
      await sb.close();
    }
  });
});
