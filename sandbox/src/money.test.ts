import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRate, formatCents, parseCents } from './money.js';

describe('money in integer cents', () => {
  it('formats cents as dot-decimal strings, negative ones included', () => {
    assert.equal(formatCents(0), '0.00');
    assert.equal(formatCents(5), '0.05');
    assert.equal(formatCents(123456), '1234.56');
    assert.equal(formatCents(-7), '-0.07');
    assert.equal(formatCents(-100), '-1.00');
  });

  it('parses what it formats, and refuses anything else', () => {
    for (const c of [0, 1, 99, 100, -250, 987654321]) assert.equal(parseCents(formatCents(c)), c);
    assert.equal(parseCents('12.5'), 1250);
    assert.equal(parseCents('12'), 1200);
    for (const bad of ['1,50', '1.234', 'abc', '']) assert.throws(() => parseCents(bad));
  });

  it('applies a VAT rate rounding half away from zero, exactly', () => {
    assert.equal(applyRate(10_000, 2_000), 2_000);
    assert.equal(applyRate(1_234, 550), 68); // 67.87
    assert.equal(applyRate(10, 2_500), 3); // 2.5 → 3
    assert.equal(applyRate(-10, 2_500), -3);
    assert.equal(applyRate(9_007_199_254, 2_000), 1_801_439_851); // large amounts stay exact
  });
});
