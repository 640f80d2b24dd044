import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { acquireRunLock } from '../../runner/src/run-lock.js';
import { collect, type Harness, lastLine, runSyncCli, startHarness } from '../../runner/test/harness.js';
import { packageRoot } from '../../singer/src/paths.js';
import { nodeArgs } from '../../test/support/cli.js';
import { applyReporting, ReportingConflictError, ReportingLayoutError } from '../src/apply.js';
import { loadViewFiles } from '../src/view-files.js';

/**
 * The layer's life around the syncs: off when asked, built by `npm run reporting`, rebuilt after each
 * sync without touching what users built on it, refreshed by incremental syncs (updates, deletes),
 * partial when streams are missing, and refusing a layout it cannot read.
 */
describe('the reporting layer across syncs', () => {
  let h: Harness;
  const q = async <R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await h.db.client.query(sql, params)).rows as R[];
  const reportingCli = (args: string[] = []) =>
    collect(
      spawn(
        process.execPath,
        [...nodeArgs('runner/src/reporting-cli.ts'), '--dotenv', join(h.dir, 'no.env'), ...args],
        { cwd: packageRoot, env: h.env(), stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
  /** What a rebuild could change: each view's definition and the comments. */
  const layer = () =>
    q(
      `SELECT c.relname, pg_get_viewdef(c.oid) AS def, obj_description(c.oid, 'pg_class') AS comment,
              (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || coalesce(col_description(c.oid, a.attnum), ''), ',' ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'reporting' AND c.relkind = 'v' ORDER BY 1`,
    );

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('PENNYLANE_REPORTING=false: the sync builds no view', async () => {
    const res = await runSyncCli(h, [], { PENNYLANE_REPORTING: 'false' });
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /reporting:/);
    assert.deepEqual(await q(`SELECT 1 FROM pg_namespace WHERE nspname = 'reporting'`), []);
  });

  it('npm run reporting builds the fourteen views; a second run changes nothing', async () => {
    const first = await reportingCli();
    assert.equal(first.code, 0, first.stderr);
    assert.match(lastLine(first.stderr), /^reporting: 14 views built in schema "reporting" in [\d.]+ s$/);
    const built = await layer();
    assert.equal(built.length, 14);
    const indexes = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'pennylane' AND indexname LIKE '%_reporting_idx'`,
    );
    assert.equal(indexes[0]?.n, 7);
    const second = await reportingCli();
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(await layer(), built);
  });

  it('npm run reporting waits for no sync: while one holds the run lock it exits 3 and says so', async () => {
    const holder = new pg.Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      await acquireRunLock(holder, 'pennylane');
      const res = await reportingCli();
      assert.equal(res.code, 3, res.stderr);
      assert.match(
        res.stderr,
        /another sync is already running .*\(the sync rebuilds the views when it ends\)/,
      );
    } finally {
      await holder.end();
    }
  });

  it("keeps a user's view on top of ledger_lines through a rebuild, and refuses a change that would drop it", async () => {
    await q(
      `CREATE VIEW public.my_totals AS SELECT account_number, sum(solde) AS solde FROM reporting.ledger_lines GROUP BY 1`,
    );
    const before = await q('SELECT * FROM public.my_totals ORDER BY 1');
    assert.ok(before.length > 10);
    const res = await reportingCli();
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await q('SELECT * FROM public.my_totals ORDER BY 1'), before);

    // A release whose ledger_lines loses a column: PostgreSQL can only drop the view, and the user's with it.
    const files = loadViewFiles();
    const changed = {
      setup: files.setup,
      views: files.views.map((v) =>
        v.name === 'ledger_lines'
          ? {
              ...v,
              sql: v.sql
                .replace('  j.label AS journal_label,\n', '')
                .replace(/COMMENT ON COLUMN reporting\.ledger_lines\.journal_label[^\n]*\n/, ''),
            }
          : v,
      ),
    };
    const layerBefore = await layer();
    await assert.rejects(
      applyReporting(h.db.client, {
        sourceSchema: 'pennylane',
        reportingSchema: 'reporting',
        files: changed,
      }),
      (err: Error) =>
        err instanceof ReportingConflictError &&
        /reporting\.ledger_lines changes its columns .* your view public\.my_totals depends on it: .*nothing was changed/.test(
          err.message,
        ),
    );
    assert.deepEqual(await layer(), layerBefore, 'nothing changed');
    assert.deepEqual(await q('SELECT * FROM public.my_totals ORDER BY 1'), before);

    // Without the user's view, the same change goes through (ours are rebuilt on top), and back again.
    await q('DROP VIEW public.my_totals');
    await applyReporting(h.db.client, {
      sourceSchema: 'pennylane',
      reportingSchema: 'reporting',
      files: changed,
    });
    const [col] = await q(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'reporting' AND table_name = 'ledger_lines' AND column_name = 'journal_label'`,
    );
    assert.deepEqual(col, { n: 0 });
    await applyReporting(h.db.client, { sourceSchema: 'pennylane', reportingSchema: 'reporting' });
    assert.deepEqual(await layer(), layerBefore);
  });

  it('after an incremental sync with a new invoice, an update and a delete, the views reflect them', async () => {
    const c = h.sandbox.control;
    c.advanceClock(60_000);
    const customer = c.records('customers')[0]!;
    const invoice = c.create('customer_invoices', { customer: { id: customer.id } });
    const gone = c.records('supplier_invoices').find((i) => Number(i.remaining_amount_with_tax) !== 0)!;
    const goneEntry = (gone.ledger_entry as { id: number }).id;
    const goneLines = c
      .records('ledger_entry_lines')
      .filter((l) => (l.ledger_entry as { id: number }).id === goneEntry)
      .map((l) => Number(l.id));
    assert.ok(goneLines.length > 0);
    c.remove('supplier_invoices', Number(gone.id));
    c.update('customers', Number(customer.id), { name: 'Client renommé SAS' });
    c.advanceClock(60_000);

    const res = await runSyncCli(h, []);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /reporting: 14 views built/);

    const stale = await q('SELECT line_id FROM reporting.ledger_lines WHERE line_id = ANY($1::bigint[])', [
      goneLines,
    ]);
    assert.deepEqual(stale, [], 'the deleted entry is gone from the ledger');
    assert.deepEqual(await q('SELECT 1 FROM reporting.payables WHERE invoice_id = $1', [gone.id]), []);
    const newEntry = (invoice.ledger_entry as { id: number }).id;
    const fresh = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM reporting.ledger_lines WHERE entry_id = $1',
      [newEntry],
    );
    assert.ok((fresh[0]?.n ?? 0) >= 2, 'the new invoice is in the ledger');
    const [open] = await q<{ customer_name: string }>(
      'SELECT customer_name FROM reporting.receivables WHERE invoice_id = $1',
      [invoice.id],
    );
    assert.equal(open?.customer_name, 'Client renommé SAS');
    const unbalanced = await q(
      `SELECT fiscal_year_id FROM reporting.balance_sheet GROUP BY 1
       HAVING sum(amount) FILTER (WHERE side = 'actif') <> sum(amount) FILTER (WHERE side = 'passif')`,
    );
    assert.deepEqual(unbalanced, []);
  });

  it('skips, with one line each, the views whose synced table does not exist, and builds the others', async () => {
    await q('CREATE SCHEMA partial');
    await q('CREATE TABLE partial.fiscal_years AS SELECT * FROM pennylane.fiscal_years');
    await q('CREATE TABLE partial.ledger_accounts AS SELECT * FROM pennylane.ledger_accounts');
    const lines: string[] = [];
    const result = await applyReporting(h.db.client, {
      sourceSchema: 'partial',
      reportingSchema: 'partial_reporting',
      warn: (line) => lines.push(line),
    });
    assert.deepEqual(result.built, ['calendar', 'accounts']);
    assert.equal(result.skipped.length, 12);
    assert.equal(lines.length, 12);
    assert.match(
      lines[0]!,
      /^reporting: skipped partial_reporting\.ledger_lines: its source tables partial\.ledger_entry_lines, partial\.ledger_entries, partial\.journals do not exist \(streams ledger_entry_lines, ledger_entries, journals not selected or not synced yet\); the other views are built$/,
    );
    assert.ok(
      lines.some((l) =>
        /skipped partial_reporting\.sig: it reads partial_reporting\.ledger_lines, skipped/.test(l),
      ),
    );
    const [days] = await q<{ n: number }>('SELECT count(*)::int AS n FROM partial_reporting.calendar');
    assert.ok((days?.n ?? 0) > 365);
  });

  it('a sync into unflattened tables succeeds, says in one line why the views were not built, and exits 1', async () => {
    const res = await runSyncCli(h, [], {
      TARGET_POSTGRES_FLATTENING_ENABLED: 'false',
      TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: 'raw',
      PENNYLANE_REPORTING_SCHEMA: 'raw_reporting',
      PENNYLANE_SYNC_STATE_FILE: join(h.dir, 'raw-state.json'),
    });
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /\nreporting: the views in schema "raw_reporting" were NOT rebuilt \(the synced data is committed\): raw\.\w+ has a column \w+ \(jsonb\) but no \w+__\w+: the views read the tables as the runner loads them/,
    );
    assert.match(lastLine(res.stderr), /^pennylane-sync: incremental run #1 succeeded/);
    assert.deepEqual(await q(`SELECT 1 FROM pg_namespace WHERE nspname = 'raw_reporting'`), []);
  });

  it('says which table is not in the runner’s layout (not flattened) and changes nothing', async () => {
    await q('CREATE SCHEMA nested');
    await q(
      'CREATE TABLE nested.ledger_entry_lines (id bigint, ledger_account jsonb, _sdc_deleted_at timestamptz)',
    );
    await assert.rejects(
      applyReporting(h.db.client, { sourceSchema: 'nested', reportingSchema: 'nested_reporting' }),
      (err: Error) =>
        err instanceof ReportingLayoutError &&
        /^nested\.ledger_entry_lines has a column ledger_account \(jsonb\) but no ledger_account__number: .*TARGET_POSTGRES_FLATTENING_ENABLED=true.*nothing was changed$/.test(
          err.message,
        ),
    );
    assert.deepEqual(await q(`SELECT 1 FROM pg_namespace WHERE nspname = 'nested_reporting'`), []);
  });
});
