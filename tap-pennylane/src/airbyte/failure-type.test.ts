import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../singer/src/settings.js';
import {
  InvalidResponseError,
  MissingScopeError,
  NetworkError,
  RateLimitError,
  ServerError,
  TokenRejectedError,
} from '../http/errors.js';
import { ExportFailedError } from '../sync/export.js';
import { MissingScopesError } from '../sync/scopes.js';
import { failureTypeOf } from './failure-type.js';

const place = { method: 'GET', path: '/customers', stream: 'customers' };
const details = { summary: 's', hint: 'h' };

test('token, scope and setting problems are config errors', () => {
  assert.equal(failureTypeOf(new TokenRejectedError(place, { ...details, status: 401 })), 'config_error');
  assert.equal(failureTypeOf(new MissingScopeError(place, { ...details, status: 403 })), 'config_error');
  assert.equal(failureTypeOf(new MissingScopesError('lacks exports:fec')), 'config_error');
  assert.equal(failureTypeOf(new ConfigError('setting "x"')), 'config_error');
});

test('rate limits, server errors and network failures are transient', () => {
  assert.equal(failureTypeOf(new RateLimitError(place, { ...details, status: 429 })), 'transient_error');
  assert.equal(failureTypeOf(new ServerError(place, { ...details, status: 503 })), 'transient_error');
  assert.equal(failureTypeOf(new NetworkError(place, details)), 'transient_error');
});

test('an export Pennylane failed is transient; one whose file we could not read is not', () => {
  assert.equal(failureTypeOf(new ExportFailedError('export 3 in error; retry later')), 'transient_error');
  const unreadable = new ExportFailedError('fec: bad file', { cause: new TypeError('bad row') });
  assert.equal(failureTypeOf(unreadable), 'system_error');
  const network = new ExportFailedError('fec: download', { cause: new NetworkError(place, details) });
  assert.equal(failureTypeOf(network), 'transient_error');
});

test('a wrapped error keeps its class through the cause chain; anything else is a system error', () => {
  const wrapped = new Error('stream customers failed', { cause: new ServerError(place, details) });
  assert.equal(failureTypeOf(wrapped), 'transient_error');
  assert.equal(failureTypeOf(new InvalidResponseError(place, details)), 'system_error');
  assert.equal(failureTypeOf(new TypeError('x is undefined')), 'system_error');
  assert.equal(failureTypeOf('a string'), 'system_error');
});
