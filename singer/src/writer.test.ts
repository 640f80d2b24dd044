import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NdjsonWriter } from './writer.js';

describe('NdjsonWriter', () => {
  it('lets many concurrent producers wait for a slow consumer through one drain listener, lines intact', async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        setTimeout(done, 1);
      },
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const writer = new NdjsonWriter(slow);
    let maxListeners = 0;
    const producers = Array.from({ length: 20 }, async (_, p) => {
      for (let i = 0; i < 5; i++) {
        await writer.write({ p, i });
        maxListeners = Math.max(maxListeners, slow.listenerCount('drain'));
      }
    });
    await Promise.all(producers);
    await writer.close();
    await sleep(10);
    process.off('warning', onWarning);
    const lines = chunks
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { p: number; i: number });
    assert.equal(lines.length, 100);
    for (let p = 0; p < 20; p++) {
      assert.deepEqual(
        lines.filter((l) => l.p === p).map((l) => l.i),
        [0, 1, 2, 3, 4],
      );
    }
    assert.ok(maxListeners <= 1, `drain listeners: ${maxListeners}`);
    assert.deepEqual(
      warnings.map((w) => w.name),
      [],
    );
  });
});
