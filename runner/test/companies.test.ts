import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadViewFiles } from '../../reporting/src/view-files.js';
import { STREAMS } from '../../tap-pennylane/src/streams/definitions.js';
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
        new RegExp(`incremental run #1 succeeded in [\\d.]+ s: ${STREAMS.length} streams, [\\d,]+ inserted`),
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

  it('npm run reporting rebuilds every company views, and the consolidated ones follow the companies file', async () => {
    const two = join(h.dir, 'two.json');
    writeFileSync(
      two,
      JSON.stringify({ companies: JSON.parse(readFileSync(h.file, 'utf8')).companies.slice(0, 2) }),
      {
        mode: 0o600,
      },
    );
    const removed = await collect(h.spawnCli('runner/src/reporting-cli.ts', ['--companies', two]));
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stderr, /\[acme\] reporting: \d+ views built in schema "pennylane_acme_reporting"/);
    // Every view of reporting/sql, plus sync_runs.
    const views = loadViewFiles().views.length + 1;
    assert.match(
      removed.stderr,
      new RegExp(`reporting \\(all companies\\): ${views} views built in schema "reporting"`),
    );
    const companiesIn = async () =>
      (await h.db.client.query('SELECT DISTINCT company FROM reporting.ledger_lines ORDER BY 1')).rows.map(
        (r) => r.company,
      );
    assert.deepEqual(await companiesIn(), ['acme', 'beta'], 'gamma left the file: it left the views');
    assert.ok((await ids(h.db, 'compta_gamma', 'customers')).length > 0, "gamma's own tables are kept");

    const back = await collect(h.spawnCli('runner/src/reporting-cli.ts', []));
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await companiesIn(), ['acme', 'beta', 'gamma'], 'back in the file: back in the views');
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
});
