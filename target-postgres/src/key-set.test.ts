import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeySet } from './key-set.js';

describe('KeySet', () => {
  it('answers as a Set would for ascending, repeated, out-of-order, string and odd numeric keys', () => {
    const keys: unknown[] = [];
    // ascending ids past the first growth, then interleaved ranges, repeats, strings and odd numbers
    for (let i = 0; i < 3000; i++) keys.push(1000 + i * 2);
    for (let i = 0; i < 500; i++) keys.push(1001 + i * 6, 1000 + i * 6, 9000 - i);
    keys.push('1002', '1002', 'Société', -5, -5, 0, -0, 1.5, 1.5, Number.NaN, Number.NaN, 2 ** 60, 2 ** 60);
    const set = new Set<unknown>();
    const ours = new KeySet();
    for (const key of keys) {
      assert.equal(ours.has(key), set.has(key), `has(${String(key)})`);
      if (!set.has(key)) {
        set.add(key);
        ours.add(key);
      }
    }
    for (const key of [999, 1000, 6997, 6998, 7000, 9001, '1000', 'x', 2 ** 60 + 1024]) {
      assert.equal(ours.has(key), set.has(key), `has(${String(key)})`);
    }
  });
});
