import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PluginInfo } from '../../singer/src/settings.js';
import { connectionSpecification, connectorSpecification } from './spec.js';

const info: PluginInfo = {
  name: 'tap-x',
  description: 'x',
  version: '1.0.0',
  capabilities: [],
  envPrefix: 'TAP_X_',
  settings: [
    { name: 'api_token', kind: 'string', required: true, sensitive: true, description: 'Token.' },
    { name: 'start_date', kind: 'date_iso8601', description: 'Start.' },
    { name: 'mode', kind: 'options', options: ['a', 'b'], default: 'a', description: 'Mode.' },
    { name: 'limit', kind: 'integer', default: 5, description: 'Limit.' },
  ],
};

test('settings become a JSON Schema with secrets flagged, required keys, defaults, enums and a date pattern', () => {
  const s = connectionSpecification(info);
  assert.deepEqual(s.required, ['api_token']);
  assert.deepEqual(s.properties!.api_token, {
    title: 'Api token',
    description: 'Token.',
    order: 0,
    type: 'string',
    airbyte_secret: true,
  });
  assert.equal(s.properties!.start_date!.type, 'string');
  assert.match('2024-01-31', new RegExp(String(s.properties!.start_date!.pattern)));
  assert.deepEqual(s.properties!.mode!.enum, ['a', 'b']);
  assert.equal(s.properties!.limit!.default, 5);
  assert.equal(s.properties!.limit!.type, 'integer');
});

test('a destination spec lists its sync modes; a source spec says it supports incremental', () => {
  assert.deepEqual(
    connectorSpecification(info, { destinationSyncModes: ['append'] }).supported_destination_sync_modes,
    ['append'],
  );
  assert.equal(connectorSpecification(info, { supportsIncremental: true }).supportsIncremental, true);
});
