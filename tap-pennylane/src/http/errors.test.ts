import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateObservation } from './client.js';
import { apiMessageFrom, MissingScopeError, scopeFromMessage } from './errors.js';

describe('apiMessageFrom', () => {
  it('reads the spec shape, the validator shape, the guide shape and plain text', () => {
    assert.equal(apiMessageFrom('{"error":"Not Found","status":404}'), 'Not Found');
    assert.equal(
      apiMessageFrom('{"message":"must be <= 100","field":"limit","code":"MoreThanMaximum"}'),
      'must be <= 100, field limit, code MoreThanMaximum',
    );
    assert.equal(
      apiMessageFrom('{"error":"unprocessable_entity","message":"bad","details":{"field":"x"}}'),
      'bad, {"field":"x"}',
    );
    assert.equal(
      apiMessageFrom('Rate limit exceeded.\nPlease retry in 2 seconds.'),
      'Rate limit exceeded. Please retry in 2 seconds.',
    );
    assert.equal(apiMessageFrom('  '), undefined);
  });
  it('masks the token and bounds the length', () => {
    assert.equal(
      apiMessageFrom('{"error":"token abc123secret invalid"}', 'abc123secret'),
      'token *** invalid',
    );
    assert.equal(apiMessageFrom('x'.repeat(1000))?.length, 301);
  });
});

describe('scopeFromMessage', () => {
  it('finds the scope in the usual phrasings', () => {
    assert.equal(scopeFromMessage('Access to this resource requires scope "ledger".'), 'ledger');
    assert.equal(scopeFromMessage('Missing scope: customers:readonly'), 'customers:readonly');
    assert.equal(scopeFromMessage('Forbidden'), undefined);
  });
});

describe('PennylaneApiError', () => {
  it('is one line naming the request, the stream, the status and the fix', () => {
    const err = new MissingScopeError(
      { method: 'GET', path: '/customers', stream: 'customers' },
      {
        status: 403,
        summary: 'the token lacks scope "customers:readonly"',
        hint: 'grant it',
        scope: 'customers:readonly',
      },
    );
    assert.equal(
      err.message,
      'GET /customers (stream customers): 403 the token lacks scope "customers:readonly" — grant it',
    );
    assert.equal(err.name, 'MissingScopeError');
  });
});

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
