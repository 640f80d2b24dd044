import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  apiIds,
  COMPANIES,
  type CompaniesHarness,
  ids,
  lineOf,
  startCompaniesHarness,
} from './companies-harness.js';
import { collect, snapshot } from './harness.js';

describe('npm run sync with a companies file (three sandbox companies)', () => {
  let h: CompaniesHarness;
  before(async () => {
    h = await startCompaniesHarness();
  });
  after(() => h.close());

  it('loads each company into its own schema, with its own state file, sync_runs rows and summary line', async () => {
    const res = await h.run();
    assert.equal(res.code, 0, res.stderr);
    for (const name of ['acme', 'beta', 'gamma']) {
      assert.match(
        lineOf(res, name),
        /incremental run #1 succeeded in [\d.]+ s: 15 streams, [\d,]+ inserted/,
      );
      assert.ok(existsSync(join(h.dir, 'state', `${name}.json`)), `${name}'s state file`);
    }
    assert.match(res.stderr, /\npennylane-sync: 3 companies in [\d.]+ s: 3 succeeded, 0 failed\n$/);
    for (const [name, schema] of [
      ['acme', 'pennylane_acme'],
      ['beta', 'pennylane_beta'],
      ['gamma', 'compta_gamma'],
    ] as const) {
      for (const table of ['customers', 'suppliers', 'customer_invoices'] as const) {
        assert.deepEqual(
          await ids(h.db, schema, table),
          apiIds(h.control(name), table),
          `${schema}.${table}`,
        );
      }
      const runs = await h.db.client.query(`SELECT company, outcome, mode FROM ${schema}.sync_runs`);
      assert.deepEqual(runs.rows, [{ company: name, outcome: 'succeeded', mode: 'incremental' }]);
    }
    assert.notDeepEqual(
      apiIds(h.control('acme'), 'customers'),
      apiIds(h.control('beta'), 'customers'),
      'different data per company',
    );
    for (const c of COMPANIES) assert.doesNotMatch(res.stderr, new RegExp(c.token), 'no token in the output');
  });

  it('builds each company views in <schema>_reporting and consolidated views with a leading company column', async () => {
    const cols = await h.db.client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = 'reporting' AND table_name = 'ledger_lines' ORDER BY ordinal_position LIMIT 1`,
    );
    assert.equal(cols.rows[0]?.column_name, 'company');
    for (const [name, schema] of [
      ['acme', 'pennylane_acme'],
      ['beta', 'pennylane_beta'],
      ['gamma', 'compta_gamma'],
    ]) {
      const own = await h.db.client.query(`SELECT * FROM ${schema}_reporting.ledger_lines`);
      const consolidated = await h.db.client.query(
        `SELECT * FROM reporting.ledger_lines WHERE company = $1`,
        [name],
      );
      assert.ok(own.rows.length > 0);
      assert.deepEqual(
        consolidated.rows.map(({ company: _c, ...rest }) => rest),
        own.rows,
        `${name}: the consolidated view holds exactly its own view's rows`,
      );
      const balances = await h.db.client.query(
        `SELECT count(*)::int AS n FROM reporting.account_balances WHERE company = $1`,
        [name],
      );
      assert.ok((balances.rows[0] as { n: number }).n > 0, `${name} in reporting.account_balances`);
    }
    const runs = await h.db.client.query(`SELECT company, outcome FROM reporting.sync_runs ORDER BY company`);
    assert.deepEqual(
      runs.rows.map((r) => r.company),
      ['acme', 'beta', 'gamma'],
    );
  });

  it('applies one company changes on an incremental run and leaves the others as they were', async () => {
    const beforeBeta = await snapshot(h.db.client, 'pennylane_beta');
    const c = h.control('acme');
    c.advanceClock(60_000);
    const created = c.create('customers', { name: 'Boulangerie Martin' });
    c.remove('suppliers', Number(c.records('suppliers')[0]!.id));
    c.advanceClock(60_000);
    const res = await h.run();
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      lineOf(res, 'acme'),
      /incremental run #2 succeeded .* [1-9]\d* inserted, \d+ updated, [1-9]\d* deleted/,
    );
    assert.deepEqual(await ids(h.db, 'pennylane_acme', 'customers'), apiIds(h.control('acme'), 'customers'));
    assert.ok((await ids(h.db, 'pennylane_acme', 'customers')).includes(Number(created.id)));
    assert.deepEqual(await ids(h.db, 'pennylane_acme', 'suppliers'), apiIds(h.control('acme'), 'suppliers'));
    assert.deepEqual(await snapshot(h.db.client, 'pennylane_beta'), beforeBeta);
  });

  it('goes on when one company token is revoked mid-run, reports and records it, exits 1, and recovers', async () => {
    const beta = h.control('beta');
    beta.resetCounters();
    const child = h.spawnCli('runner/src/sync-cli.ts', ['--full']);
    const done = collect(child);
    // Revoke once beta's run is under way (its /me answered and listings started).
    while (beta.counters().total < 4) await new Promise((r) => setTimeout(r, 10));
    beta.revokeToken();
    const res = await done;
    assert.equal(res.code, 1, res.stderr);
    assert.match(lineOf(res, 'acme'), /full run #3 succeeded/);
    assert.match(lineOf(res, 'gamma'), /full run #3 succeeded/);
    assert.match(lineOf(res, 'beta'), /full run #3 FAILED after [\d.]+ s: .*401/);
    assert.match(res.stderr, /3 companies in [\d.]+ s: 2 succeeded, 1 failed \(beta\)\n$/);
    assert.doesNotMatch(res.stderr, new RegExp(COMPANIES[1].token));
    const last = await h.db.client.query(
      'SELECT company, outcome, error FROM pennylane_beta.sync_runs ORDER BY id DESC LIMIT 1',
    );
    assert.equal(last.rows[0].company, 'beta');
    assert.equal(last.rows[0].outcome, 'failed');
    assert.match(last.rows[0].error, /401/);

    beta.restoreToken();
    const again = await h.run(['--company', 'beta']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(lineOf(again, 'beta'), /incremental run #4 succeeded/);
    assert.match(again.stderr, /1 company in [\d.]+ s: 1 succeeded, 0 failed\n$/);
    assert.deepEqual(await ids(h.db, 'pennylane_beta', 'customers'), apiIds(h.control('beta'), 'customers'));
  });
});
