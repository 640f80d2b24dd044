import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapPool, Slots } from './pool.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('mapPool', () => {
  it('never runs more than the limit at once and keeps the results in the list order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.equal(peak, 3);
    assert.deepEqual(out, [50, 10, 40, 20, 30, 60, 70]);
  });

  it('runs everything with a limit larger than the list, and nothing for an empty list', async () => {
    assert.deepEqual(await mapPool([1, 2], 8, async (n) => n + 1), [2, 3]);
    assert.deepEqual(await mapPool([], 4, async (n: number) => n), []);
  });
});

describe('Slots', () => {
  it('lets at most `limit` tasks hold a slot and hands a freed slot to the next waiter', async () => {
    const slots = new Slots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        slots.use(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          order.push(n);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order.sort(), [1, 2, 3, 4, 5]);
  });

  it('frees the slot when a task throws', async () => {
    const slots = new Slots(1);
    await assert.rejects(
      slots.use(async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await slots.use(async () => 'next'), 'next');
  });
});
