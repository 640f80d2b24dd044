import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingValues } from './setting-values.js';
import type { PluginInfo } from './settings.js';

const INFO: PluginInfo = {
  name: 'tap-x',
  description: 'x',
  version: '0',
  capabilities: [],
  envPrefix: 'TAP_X_',
  settings: [
    { name: 'page_size', kind: 'integer', description: '', default: 100 },
    { name: 'strict', kind: 'boolean', description: '', default: false },
    { name: 'label', kind: 'string', description: '' },
  ],
};

describe('settingValues', () => {
  it('gives the default for a missing, null or empty value, and reads strings from env vars as numbers and booleans', () => {
    for (const raw of [{}, { page_size: null }, { page_size: '' }]) {
      assert.equal(settingValues(INFO, raw).number('page_size', { integer: true, min: 1 }), 100);
    }
    const s = settingValues(INFO, { page_size: '25', strict: 'TRUE', label: 'a' });
    assert.equal(s.number('page_size', { integer: true, min: 1 }), 25);
    assert.equal(s.boolean('strict'), true);
    assert.equal(s.optionalString('label'), 'a');
    assert.equal(settingValues(INFO, {}).optionalString('label'), undefined);
  });

  it('names the setting, the rule, the value and where to fix it', () => {
    const s = settingValues(INFO, { page_size: 0, strict: 'yes', label: 3 });
    assert.throws(
      () => s.number('page_size', { integer: true, min: 1 }),
      /^ConfigError: setting "page_size" must be an integer ≥ 1, got 0: fix it in the config file or TAP_X_PAGE_SIZE$/,
    );
    assert.throws(
      () => s.number('page_size', { integer: false, min: 0, minExclusive: true }),
      /a number > 0/,
    );
    assert.throws(() => s.boolean('strict'), /setting "strict" must be true or false, got "yes"/);
    assert.throws(() => s.optionalString('label'), /setting "label" must be a string/);
  });
});
