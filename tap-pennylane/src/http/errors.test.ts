import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
