import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateObservation } from './response-headers.js';

describe('rateObservation', () => {
  it("reads an epoch reset against the server's date header, not our clock", () => {
    const seen = rateObservation({
      'ratelimit-limit': '25',
      'ratelimit-remaining': '7',
      'ratelimit-reset': String(Date.parse('2020-01-01T00:00:03Z') / 1000),
      date: 'Wed, 01 Jan 2020 00:00:00 GMT',
    });
    assert.deepEqual(seen, { limit: 25, remaining: 7, resetInMs: 3000 });
  });
  it('reads a delta reset as seconds from now and ignores garbage', () => {
    assert.deepEqual(rateObservation({ 'ratelimit-reset': '2', 'ratelimit-remaining': 'many' }), {
      limit: undefined,
      remaining: undefined,
      resetInMs: 2000,
    });
  });
});
