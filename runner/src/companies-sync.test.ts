import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Company } from './companies.js';
import { type CompanyOutcome, companyLine, failed, runCompany, totalsLine } from './companies-sync.js';

const company = (name: string): Company => ({
  name,
  token: 't',
  tokenSource: 'x',
  schema: `pennylane_${name}`,
});
const ok = (name: string): CompanyOutcome => ({
  company: company(name),
  stateFile: `/srv/state/${name}.json`,
  result: {
    runId: 3,
    mode: 'incremental',
    outcome: 'succeeded',
    streams: ['customers'],
    rows: { customers: { inserted: 2, updated: 1, deleted: 0 } },
    seconds: 4.2,
    statesSaved: 1,
    aborted: false,
  },
});

describe('one line per company, and the totals', () => {
  it("tags the single-company summary with the company's name", () => {
    assert.equal(
      companyLine(ok('acme')),
      'pennylane-sync [acme]: incremental run #3 succeeded in 4.2 s: 1 stream, 2 inserted, 1 updated, 0 deleted; state saved to /srv/state/acme.json',
    );
    const locked: CompanyOutcome = {
      company: company('beta'),
      stateFile: '/x',
      locked: 'another sync is already running',
    };
    assert.equal(companyLine(locked), 'pennylane-sync [beta]: SKIPPED: another sync is already running');
    assert.equal(failed(locked), true);
  });

  it('counts failures, names the failed companies, and counts a reporting error as a failure', () => {
    const bad = ok('gamma');
    bad.result = { ...bad.result!, outcome: 'failed', error: 'tap-pennylane: 401' };
    const reporting = ok('delta');
    reporting.result = { ...reporting.result!, reportingError: 'a user view depends on it' };
    assert.equal(
      totalsLine([ok('acme'), bad, reporting], 12.34),
      'pennylane-sync: 3 companies in 12.3 s: 1 succeeded, 2 failed (gamma, delta)',
    );
    assert.equal(totalsLine([ok('acme')], 1), 'pennylane-sync: 1 company in 1.0 s: 1 succeeded, 0 failed');
  });

  it('does not start a company once a stop was requested', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await runCompany(
      company('acme'),
      { mode: 'incremental' },
      {
        connection: { host: '127.0.0.1', port: 1 },
        childEnv: {},
        stateDir: '/tmp',
        parallel: 1,
        reportingSchema: null,
        allCompanies: [],
        signal: controller.signal,
      },
    );
    assert.equal(outcome.result?.outcome, 'failed');
    assert.equal(outcome.result?.error, 'not started: a stop was requested (SIGINT/SIGTERM)');
  });
});
