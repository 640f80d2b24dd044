import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CopyChunk } from './copy-chunk.js';

describe('CopyChunk', () => {
  it('collects lines as UTF-8 and says when the chunk is full', () => {
    const chunk = new CopyChunk(16);
    assert.equal(chunk.add('abc\tdéf\n'), false);
    assert.equal(chunk.add('— 12345\n'), true);
    const bytes = chunk.take();
    assert.equal(bytes.toString('utf8'), 'abc\tdéf\n— 12345\n');
    assert.equal(chunk.bytes, 0);
    assert.equal(chunk.take().length, 0);
  });

  it('grows for a line longer than its buffer and keeps what it held', () => {
    const chunk = new CopyChunk(4);
    chunk.add('ab');
    const long = `${'€'.repeat(50)}\n`;
    assert.equal(chunk.add(long), true);
    assert.equal(chunk.take().toString('utf8'), `ab${long}`);
  });

  it('hands out buffers that later lines do not overwrite', () => {
    const chunk = new CopyChunk(4);
    chunk.add('first\n');
    const first = chunk.take();
    chunk.add('second\n');
    assert.equal(first.toString('utf8'), 'first\n');
  });
});
