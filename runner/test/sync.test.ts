import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ID_LIST_RESOURCES } from '../../pennylane/src/api.js';
import { counts, type Harness, lastLine, runSyncCli, startHarness, syncRuns } from './harness.js';

const LIST_STREAMS = ID_LIST_RESOURCES;

const ids = async (h: Harness, table: string): Promise<number[]> =>
  (await h.db.client.query<{ id: string }>(`SELECT id FROM pennylane."${table}" ORDER BY id`)).rows.map((r) =>
    Number(r.id),
  );
const sandboxIds = (h: Harness, resource: (typeof LIST_STREAMS)[number]): number[] =>
  h.sandbox.control
    .records(resource)
    .map((r) => Number(r.id))
    .sort((a, b) => a - b);

describe('npm run sync against the sandbox and a real PostgreSQL', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('loads every stream on a first run, saves the state and records the run in sync_runs', async () => {
    assert.equal(existsSync(h.stateFile), false);
    const res = await runSyncCli(h, []);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      lastLine(res.stderr),
      /^pennylane-sync: incremental run #1 succeeded in [\d.]+ s: 20 streams, [\d,]+ inserted, 0 updated, 0 deleted; state saved to \//,
    );
    assert.ok(JSON.parse(readFileSync(h.stateFile, 'utf8')), 'the state file holds the last state');

    const tables = await counts(h.db.client);
    for (const stream of LIST_STREAMS) {
      assert.deepEqual(await ids(h, stream), sandboxIds(h, stream), `${stream} matches the API`);
    }
    for (const stream of ['fec', 'analytical_ledger', 'trial_balance'])
      assert.ok((tables[stream] ?? 0) > 0, stream);

    // nested objects are flattened into plain columns for Power BI (the runner's default for the target)
    const columns = await h.db.client.query<{ c: string }>(
      `SELECT table_name || '.' || column_name || ' ' || data_type AS c FROM information_schema.columns
       WHERE table_schema = 'pennylane' AND table_name IN ('customer_invoices', 'ledger_entry_lines')
         AND column_name IN ('customer', 'customer__id', 'ledger_entry__id', 'ledger_account__number') ORDER BY 1`,
    );
    assert.deepEqual(
      columns.rows.map((r) => r.c),
      [
        'customer_invoices.customer__id bigint',
        'customer_invoices.ledger_entry__id bigint',
        'ledger_entry_lines.ledger_account__number text',
        'ledger_entry_lines.ledger_entry__id bigint',
      ],
    );

    const [run] = await syncRuns(h.db.client);
    assert.equal(run?.outcome, 'succeeded');
    assert.equal(run?.mode, 'incremental');
    assert.equal(run?.pid !== undefined && run.host.length > 0, true);
    assert.ok(run?.finished_at instanceof Date);
    assert.equal(run?.rows?.customers?.inserted, sandboxIds(h, 'customers').length);
    assert.equal(run?.streams?.length, 20);
  });

  it('applies creations, updates and deletions on an incremental run, reading only what changed', async () => {
    const c = h.sandbox.control;
    c.advanceClock(60_000);
    const created = c.create('customers', { name: 'Boulangerie Martin' });
    const supplier = c.records('suppliers')[0]!;
    c.update('suppliers', Number(supplier.id), { name: 'Fournisseur renommé' });
    const product = c.records('products')[0]!;
    c.remove('products', Number(product.id));
    const invoice = c.records('customer_invoices')[0]!;
    c.remove('customer_invoices', Number(invoice.id));
    c.advanceClock(60_000);

    const res = await runSyncCli(h, []);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await ids(h, 'customers'), sandboxIds(h, 'customers'));
    assert.ok((await ids(h, 'customers')).includes(Number(created.id)));
    const name = await h.db.client.query('SELECT name FROM pennylane.suppliers WHERE id = $1', [supplier.id]);
    assert.equal(name.rows[0]?.name, 'Fournisseur renommé');
    assert.deepEqual(await ids(h, 'products'), sandboxIds(h, 'products'));
    assert.deepEqual(await ids(h, 'customer_invoices'), sandboxIds(h, 'customer_invoices'));
    assert.deepEqual(await ids(h, 'ledger_entry_lines'), sandboxIds(h, 'ledger_entry_lines'));

    const run = (await syncRuns(h.db.client)).at(-1)!;
    assert.equal(run.outcome, 'succeeded');
    assert.equal(run.rows?.customers?.inserted, 1);
    assert.ok((run.rows?.products?.deleted ?? 0) >= 1, JSON.stringify(run.rows?.products));
    // incremental: the changelog streams carry only the changed objects, not the whole lists again
    const customersSeen = (run.rows?.customers?.inserted ?? 0) + (run.rows?.customers?.updated ?? 0);
    assert.ok(customersSeen < sandboxIds(h, 'customers').length, `customers re-read: ${customersSeen}`);
  });

  it('reloads everything with --full, restoring rows lost on the database side', async () => {
    const victim = (await ids(h, 'customers'))[0]!;
    await h.db.client.query('DELETE FROM pennylane.customers WHERE id = $1', [victim]);
    const res = await runSyncCli(h, ['--full']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(lastLine(res.stderr), /full run #3 succeeded/);
    assert.deepEqual(await ids(h, 'customers'), sandboxIds(h, 'customers'));
    const run = (await syncRuns(h.db.client)).at(-1)!;
    assert.equal(run.mode, 'full');
  });
});
