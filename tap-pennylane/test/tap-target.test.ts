import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Sandbox } from '../../sandbox/src/types.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { fecRecord } from '../src/exports/fec-reader.js';
import {
  byKey,
  CHANGELOG_STREAMS,
  catalogOf,
  expected,
  LIST_STREAMS,
  sandbox,
  sandboxSettings,
} from './support/harness.js';
import { tapToTarget } from './support/pipe.js';
import { sandboxTrialBalance, vanishAccount, type Year } from './support/trial-balance.js';

const SIZE = {
  customers: 12,
  suppliers: 8,
  products: 4,
  customerInvoices: 20,
  supplierInvoices: 12,
  transactions: 20,
  bankAccounts: 1,
  fiscalYears: 2,
};
const SCHEMA = 'pennylane';
type Row = Record<string, unknown>;

/**
 * A table read back in the API's own notation: timestamps as `…T…mmmmmmZ`, numerics, dates, ids and
 * booleans as their text, JSON columns parsed. Equal rows then mean the values survived exactly.
 */
async function tableRows(client: pg.Client, table: string): Promise<Row[]> {
  const { rows: columns } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 AND column_name NOT LIKE '\\_sdc\\_%' ORDER BY ordinal_position`,
    [SCHEMA, table],
  );
  const select = columns.map(({ column_name: c, data_type: t }) => {
    const q = `"${c.replace(/"/g, '""')}"`;
    return t === 'timestamp with time zone'
      ? `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${q}`
      : `${q}::text AS ${q}`;
  });
  const { rows } = await client.query(`SELECT ${select.join(', ')} FROM "${SCHEMA}"."${table}"`);
  const json = new Set(columns.filter((c) => c.data_type === 'jsonb').map((c) => c.column_name));
  return rows.map((r: Row) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, json.has(k) && v !== null ? JSON.parse(v as string) : v]),
    ),
  );
}

/** The API's record in the same notation (scalars as text, nested values as they are). */
const asText = (row: Row): Row =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v === null || typeof v === 'object' ? v : String(v)]),
  );

describe('tap-pennylane | target-postgres into a real PostgreSQL', () => {
  let sb: Sandbox;
  let db: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let configFile: string;

  before(async () => {
    sb = await sandbox({ size: SIZE, seed: 31 });
    db = await createTestDatabase('tap_target');
    dir = mkdtempSync(join(tmpdir(), 'tap-target-'));
    configFile = join(dir, 'tap.json');
    writeFileSync(configFile, JSON.stringify(sandboxSettings(sb)));
    env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(TAP_PENNYLANE_|PENNYLANE_|TARGET_POSTGRES_)/.test(k)),
      ),
      TARGET_POSTGRES_DATABASE_URL: db.url,
      TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: SCHEMA,
    };
  });
  after(async () => {
    await sb.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The streams read per parent (invoice lines, categories), compared like the lists. */
  const PER_PARENT = ['customer_invoice_lines', 'supplier_invoice_lines', 'categories'];

  const check = async (streams: readonly string[]) => {
    for (const name of streams) {
      const actual = byKey(await tableRows(db.client, name));
      const columns = Object.keys(actual[0] ?? {});
      // a field absent from a record (first_name of a company customer) is a NULL column
      const nulls = Object.fromEntries(columns.map((c) => [c, null]));
      const want = expected(sb, name).map((r) => ({ ...nulls, ...asText(r) }));
      assert.equal(actual.length, want.length, `${name}: row count`);
      for (const [i, row] of actual.entries()) assert.deepEqual(row, want[i], `${name} id ${row.id}`);
    }
  };

  let state: unknown;

  it('a first run ends with exactly the sandbox data in every table', async () => {
    const r = await tapToTarget(['--config', configFile], env);
    assert.equal(r.tapCode, 0, r.tapStderr);
    assert.equal(r.targetCode, 0, r.targetStderr);
    await check([...LIST_STREAMS, ...PER_PARENT]);
    for (const y of sb.control.records('fiscal_years') as Row[]) {
      const { rows } = await db.client.query(
        `SELECT * FROM "${SCHEMA}".fec WHERE fiscal_year_id = $1 ORDER BY line_number`,
        [y.id],
      );
      const want = sb.control.fecRows(y.start as string, y.finish as string).map(fecRecord);
      assert.equal(rows.length, want.length);
      assert.equal(
        rows.map((x) => String(x.Debit ?? '')).join(),
        want.map((x) => x.Debit ?? '').join(),
        'exact amounts',
      );
    }
    const { rows: tb } = await db.client.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".trial_balance`);
    assert.ok(tb[0].n > 0);
    const { rows: unstamped } = await db.client.query(
      `SELECT count(*)::int AS n FROM "${SCHEMA}".customers WHERE _sdc_extracted_at IS NULL`,
    );
    assert.equal(unstamped[0].n, 0, 'every record carries time_extracted');
    state = r.states.at(-1);
    assert.ok(state, 'the target printed a state');
  });

  it('an incremental run with the state the target printed brings inserts, updates and deletes', async () => {
    const c = sb.control;
    c.create('customers');
    c.create('customer_invoices');
    for (const r of CHANGELOG_STREAMS) c.update(r as never, c.records(r as never)[0]!.id as number, {});
    c.remove('products', c.records('products').at(-1)!.id as number);
    c.remove('supplier_invoices', c.records('supplier_invoices').at(-1)!.id as number);
    // A line removed from an invoice, another edited: the table must lose the one, change the other.
    // An invoice the first run read, of a closed year: the open year's FEC, which a later test shortens
    // by deleting entries, stays as it was.
    const openStart = (c.records('fiscal_years') as Year[]).find((y) => y.status === 'open')!.start;
    const invoice = c
      .records('customer_invoices')
      .filter((i) => (i.date as string) < openStart)
      .find((i) => c.invoiceLines('customer_invoices', i.id as number).length > 1)!;
    const [first, second] = c.invoiceLines('customer_invoices', invoice.id as number);
    c.changeInvoiceLines('customer_invoices', invoice.id as number, {
      remove: [first!.id as number],
      edit: [{ id: second!.id as number, quantity: 11 }],
    });
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, JSON.stringify(state));
    const r = await tapToTarget(['--config', configFile, '--state', stateFile], env);
    assert.equal(r.tapCode, 0, r.tapStderr);
    assert.equal(r.targetCode, 0, r.targetStderr);
    await check([...LIST_STREAMS.filter((s) => s !== 'ledger_entries'), ...PER_PARENT]);
    assert.match(r.tapStderr, /tap-pennylane: 20\/20 streams ok, \d+ records \([1-9]\d* deleted\)/);
    state = r.states.at(-1);
  });

  it("an account whose entries were deleted leaves the open year's trial balance: the table equals Pennylane's, debits = credits", async () => {
    const open = (sb.control.records('fiscal_years') as Year[]).find((y) => y.status === 'open')!;
    const gone = await vanishAccount(sb, open);
    sb.control.advanceClock(3600_000);
    const stateFile = join(dir, 'state-tb.json');
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    const catalogFile = join(dir, 'catalog-tb.json');
    writeFileSync(catalogFile, JSON.stringify(catalogOf(['fiscal_years', 'trial_balance'])));
    const r = await tapToTarget(
      ['--config', configFile, '--state', stateFile, '--catalog', catalogFile],
      env,
    );
    assert.equal(r.tapCode, 0, r.tapStderr);
    assert.equal(r.targetCode, 0, r.targetStderr);
    assert.match(r.tapStderr, /trial_balance: ok, \d+ records \(1 deleted\)/, 'read between full passes');
    const { rows } = await db.client.query(
      `SELECT number, formatted_number, label, debits::text AS debits, credits::text AS credits
       FROM "${SCHEMA}".trial_balance WHERE fiscal_year_id = $1 ORDER BY number`,
      [open.id],
    );
    assert.ok(!rows.some((x) => x.number === gone), `account ${gone} is gone from the table`);
    const want = (await sandboxTrialBalance(sb, open)).map((x) => ({
      number: x.number,
      formatted_number: x.formatted_number,
      label: x.label,
      debits: x.debits,
      credits: x.credits,
    }));
    assert.deepEqual(rows, want);
    const { rows: sums } = await db.client.query(
      `SELECT sum(debits) = sum(credits) AS balanced FROM "${SCHEMA}".trial_balance WHERE fiscal_year_id = $1`,
      [open.id],
    );
    assert.equal(sums[0].balanced, true, 'debits = credits');
    state = r.states.at(-1);
  });

  it("the open year's FEC exported again with fewer lines: the table holds exactly the new export", async () => {
    const open = (sb.control.records('fiscal_years') as Year[]).find((y) => y.status === 'open')!;
    const before = await db.client.query(
      `SELECT count(*)::int AS n FROM "${SCHEMA}".fec WHERE fiscal_year_id = $1`,
      [open.id],
    );
    // Entries of the year deleted since its last export make the new one shorter (the test above deleted
    // some, the incremental run created some: delete more until the file is shorter, whatever the data).
    const entries = sb.control
      .records('ledger_entries')
      .filter((e) => (e.date as string) >= open.start && (e.date as string) <= open.finish);
    while (entries.length > 0 && sb.control.fecRows(open.start, open.finish).length >= before.rows[0].n)
      sb.control.remove('ledger_entries', entries.pop()!.id as number);
    const want = sb.control.fecRows(open.start, open.finish).map(fecRecord);
    assert.ok(want.length < before.rows[0].n, 'the entries deleted above left the export shorter');
    // The CLI's clock is the real one: export_max_age_hours 0 makes the open year's export due again.
    const fecConfig = join(dir, 'tap-fec.json');
    writeFileSync(fecConfig, JSON.stringify({ ...sandboxSettings(sb), export_max_age_hours: 0 }));
    const stateFile = join(dir, 'state-fec.json');
    writeFileSync(stateFile, JSON.stringify(state));
    const catalogFile = join(dir, 'catalog-fec.json');
    writeFileSync(catalogFile, JSON.stringify(catalogOf(['fiscal_years', 'fec'])));
    const r = await tapToTarget(['--config', fecConfig, '--state', stateFile, '--catalog', catalogFile], env);
    assert.equal(r.tapCode, 0, r.tapStderr);
    assert.equal(r.targetCode, 0, r.targetStderr);
    assert.match(r.tapStderr, /fec: ok, \d+ records \([1-9]\d* deleted\)/);
    const { rows } = await db.client.query(
      `SELECT "EcritureNum", "CompteNum", "Debit"::text AS "Debit", "Credit"::text AS "Credit"
       FROM "${SCHEMA}".fec WHERE fiscal_year_id = $1 ORDER BY line_number`,
      [open.id],
    );
    assert.equal(rows.length, want.length, 'no stale line is left');
    assert.deepEqual(
      rows.map((x) => [x.EcritureNum, x.CompteNum, x.Debit ?? '', x.Credit ?? ''].join('|')),
      want.map((x) => [x.EcritureNum, x.CompteNum, x.Debit ?? '', x.Credit ?? ''].join('|')),
    );
  });
});
