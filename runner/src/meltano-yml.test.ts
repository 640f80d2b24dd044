import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCompanies } from './companies.js';
import { meltanoEnvName, meltanoYml } from './meltano-yml.js';

describe('meltano.yml for a companies file', () => {
  const companies = parseCompanies(
    JSON.stringify({
      companies: [
        { name: 'acme', api_token_env: 'ACME_TOKEN' },
        {
          name: 'beta_co',
          api_token: 'tok-beta-secret',
          base_url: 'https://sandbox.example/api/external/v2',
        },
      ],
    }),
    '/x/companies.json',
    {},
    [],
    false,
  );
  const yml = meltanoYml(companies);

  it('adds one extractor per company inheriting tap-pennylane, with its own schema and config', () => {
    assert.ok(
      yml.includes(
        [
          '    - name: tap-pennylane--acme',
          '      inherit_from: tap-pennylane',
          '      load_schema: pennylane_acme',
          '      config:',
          '        api_token: "$ACME_TOKEN"',
        ].join('\n'),
      ),
      yml,
    );
    assert.ok(
      yml.includes(
        [
          '    - name: tap-pennylane--beta_co',
          '      inherit_from: tap-pennylane',
          '      load_schema: pennylane_beta_co',
          '      # token: set TAP_PENNYLANE__BETA_CO_API_TOKEN (never in this file)',
          '      config:',
          '        base_url: "https://sandbox.example/api/external/v2"',
        ].join('\n'),
      ),
    );
  });

  it('adds one job per company, and never writes a token', () => {
    assert.ok(
      yml.endsWith(
        [
          'jobs:',
          '  - name: sync-acme',
          '    tasks:',
          '      - tap-pennylane--acme target-postgres',
          '  - name: sync-beta-co',
          '    tasks:',
          '      - tap-pennylane--beta_co target-postgres',
          '',
        ].join('\n'),
      ),
    );
    assert.doesNotMatch(yml, /tok-beta-secret/);
    assert.equal(meltanoYml().includes('jobs:'), false, 'without companies: as before');
  });

  it("derives Meltano's variable names as Meltano does", () => {
    assert.equal(meltanoEnvName('tap-pennylane--acme', 'api_token'), 'TAP_PENNYLANE__ACME_API_TOKEN');
  });
});
