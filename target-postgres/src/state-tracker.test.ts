import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StateTracker } from './state-tracker.js';

describe('StateTracker', () => {
  it('releases a state only when every stream has committed the records received before it', () => {
    const t = new StateTracker();
    t.recordReceived('a');
    t.recordReceived('b');
    t.stateReceived({ s: 1 });
    t.recordReceived('a');
    assert.deepEqual(t.takeReady(), []);
    t.committedUpTo('a', 2);
    assert.deepEqual(t.takeReady(), [], 'stream b still holds an uncommitted record');
    t.committedUpTo('b', 1);
    assert.deepEqual(t.takeReady(), [{ s: 1 }]);
    assert.equal(t.pending, false);
  });

  it('releases a state received before any record immediately', () => {
    const t = new StateTracker();
    t.stateReceived({ s: 0 });
    assert.deepEqual(t.takeReady(), [{ s: 0 }]);
  });

  it('keeps later states waiting behind an earlier unsafe one, in order', () => {
    const t = new StateTracker();
    t.recordReceived('a');
    t.stateReceived(1);
    t.recordReceived('b');
    t.stateReceived(2);
    t.committedUpTo('b', 1);
    assert.deepEqual(t.takeReady(), []);
    t.committedUpTo('a', 1);
    assert.deepEqual(t.takeReady(), [1, 2]);
  });

  it('prints identical consecutive states once', () => {
    const t = new StateTracker();
    t.stateReceived({ s: 1 });
    t.stateReceived({ s: 1 });
    assert.deepEqual(t.takeReady(), [{ s: 1 }]);
    t.stateReceived({ s: 1 });
    assert.deepEqual(t.takeReady(), []);
    t.stateReceived({ s: 2 });
    t.stateReceived({ s: 1 });
    assert.deepEqual(t.takeReady(), [{ s: 2 }, { s: 1 }]);
  });

  it('lists the streams with uncommitted records', () => {
    const t = new StateTracker();
    t.recordReceived('a');
    t.recordReceived('b');
    t.committedUpTo('a', 1);
    assert.deepEqual(t.uncommittedStreams(), ['b']);
  });
});
