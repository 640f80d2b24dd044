import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SMALL } from './data/sizes.js';
import { portfolio } from './portfolio.js';

describe('portfolio', () => {
  it('gives N companies distinct names, tokens and seeds, and sizes that differ', () => {
    const list = portfolio(10, SMALL, 42);
    assert.equal(list.length, 10);
    assert.equal(list[0]?.name, 'company01');
    assert.equal(list[9]?.name, 'company10');
    assert.equal(new Set(list.map((c) => c.token)).size, 10);
    assert.deepEqual(
      list.slice(0, 4).map((c) => [c.seed, c.size.customerInvoices]),
      [
        [42, 420],
        [43, 210],
        [44, 105],
        [45, 315],
      ],
    );
    assert.equal(list[2]?.size.fiscalYears, SMALL.fiscalYears);
  });

  it('refuses a count that is not a whole number ≥ 1', () => {
    assert.throws(() => portfolio(0, SMALL, 1), /--companies must be a whole number ≥ 1, got 0/);
  });
});
