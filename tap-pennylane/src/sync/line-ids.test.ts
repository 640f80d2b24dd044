import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLineIds, encodeLineIds } from './line-ids.js';

describe('line id map (state text form)', () => {
  it('round-trips int64-sized ids, unsorted input, empty invoices and decreasing first ids', () => {
    const map = new Map([
      [170_000_000_123, [190_000_000_500, 190_000_000_501, 190_000_000_509]],
      [170_000_000_101, [190_000_000_700]],
      [170_000_000_150, []],
      [170_000_000_160, [190_000_000_100, 190_000_000_102]],
    ]);
    const text = encodeLineIds(map);
    assert.deepEqual(
      [...decodeLineIds(text)].sort((a, b) => a[0] - b[0]),
      [...map].sort((a, b) => a[0] - b[0]),
    );
    assert.equal(encodeLineIds(new Map()), '');
    assert.equal(decodeLineIds('').size, 0);
  });

  it('stays small: 50,000 invoices of 3 lines with small gaps take under 10 bytes each', () => {
    const map = new Map<number, number[]>();
    let line = 2 ** 40;
    for (let i = 0; i < 50_000; i++) {
      map.set(2 ** 35 + i * 7, [line, line + 1, line + 4]);
      line += 6;
    }
    const text = encodeLineIds(map);
    assert.ok(text.length < 500_000, `${text.length} bytes`);
    assert.deepEqual(decodeLineIds(text).get(2 ** 35 + 49_999 * 7), map.get(2 ** 35 + 49_999 * 7));
  });

  it('a damaged text fails with the entry it stopped at', () => {
    assert.throws(() => decodeLineIds('5:1.2;zz'), /line ids, entry 2: expected "<invoice>:<lines>"/);
    assert.throws(() => decodeLineIds('5:1.%'), /entry 1: "%" is not a base-36 number/);
  });
});
