import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ID_LIST_RESOURCES } from '../../pennylane/src/api.js';
import { type Sandbox, startSandbox } from '../src/index.js';
import { client, type Json, START } from './support.js';

const cents = (s: string) => {
  assert.match(s, /^-?\d+\.\d{2}$/, `amount ${s}`);
  return Math.round(Number(s) * 100);
};

describe('generated company', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ seed: 31, startTime: START, rateLimit: false });
  });
  after(() => sandbox.close());

  it('is deterministic: the same seed and day give the same data, another seed different data', async () => {
    const twin = await startSandbox({
      seed: 31,
      startTime: new Date(START.getTime() + 3_600_000),
      rateLimit: false,
    });
    const other = await startSandbox({ seed: 32, startTime: START, rateLimit: false });
    try {
      for (const name of ID_LIST_RESOURCES) {
        const strip = (records: unknown[]) => JSON.stringify(records).replaceAll(/127\.0\.0\.1:\d+/g, 'host');
        assert.equal(strip(twin.control.records(name)), strip(sandbox.control.records(name)), name);
      }
      assert.notDeepEqual(other.control.records('customers'), sandbox.control.records('customers'));
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it('has about 7,500 records in the small size, ids int64 above 2^32 and below 2^53, unique per resource', () => {
    let total = 0;
    for (const name of ID_LIST_RESOURCES) {
      const records = sandbox.control.records(name) as { id: number }[];
      total += records.length;
      const ids = records.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, name);
      assert.ok(
        ids.every((id) => Number.isSafeInteger(id) && id > 2 ** 32),
        name,
      );
    }
    assert.ok(total > 6_500 && total < 9_000, `total ${total}`);
  });

  it('timestamps are UTC with microseconds', () => {
    for (const name of ['customers', 'ledger_entry_lines', 'fiscal_years'] as const) {
      for (const r of sandbox.control.records(name).slice(0, 50)) {
        assert.match(String(r.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        assert.ok(String(r.updated_at) >= String(r.created_at));
      }
    }
  });

  it("keeps the books: every entry balances, every invoice equals its entry's third-party line, lettered lines pair up", () => {
    const lines = sandbox.control.records('ledger_entry_lines') as Json[];
    const balance = new Map<number, number>();
    for (const l of lines)
      balance.set(
        l.ledger_entry.id,
        (balance.get(l.ledger_entry.id) ?? 0) + cents(l.debit) - cents(l.credit),
      );
    assert.equal(balance.size, sandbox.control.records('ledger_entries').length);
    assert.ok([...balance.values()].every((b) => b === 0));
    const byEntry = new Map<number, Json[]>();
    for (const l of lines) byEntry.set(l.ledger_entry.id, [...(byEntry.get(l.ledger_entry.id) ?? []), l]);
    for (const invoice of sandbox.control.records('customer_invoices') as Json[]) {
      const own = byEntry.get(invoice.ledger_entry.id)!;
      const receivable = own.find((l) => l.ledger_account.number.startsWith('411'))!;
      assert.equal(cents(receivable.debit) - cents(receivable.credit), cents(invoice.amount));
      assert.equal(cents(invoice.amount), cents(invoice.currency_amount_before_tax) + cents(invoice.tax));
      if (invoice.paid && invoice.status !== 'credit_note')
        assert.equal(receivable.lettered_ledger_entry_lines.ids.length, 2);
    }
    const ids = new Set(lines.map((l) => l.id));
    for (const l of lines) for (const id of l.lettered_ledger_entry_lines.ids) assert.ok(ids.has(id));
  });

  it('has closed and open fiscal years, the PCG chart with auxiliaries, VT/HA/BQ/OD journals, credit notes and both customer kinds', () => {
    const years = sandbox.control.records('fiscal_years') as Json[];
    assert.ok(years.some((y) => y.status === 'closed') && years.some((y) => y.status === 'open'));
    const accounts = sandbox.control.records('ledger_accounts') as Json[];
    const numbers = accounts.map((a) => a.number);
    const numberOf = new Map(accounts.map((a) => [a.id, a.number]));
    for (const n of ['401', '411', '512', '44566', '44571', '6064', '706'])
      assert.ok(
        numbers.some((x) => x.startsWith(n)),
        n,
      );
    const customers = sandbox.control.records('customers') as Json[];
    assert.ok(customers.every((c) => /^411\d{4}$/.test(numberOf.get(c.ledger_account.id))));
    const suppliers = sandbox.control.records('suppliers') as Json[];
    assert.ok(suppliers.every((c) => /^401\d{4}$/.test(numberOf.get(c.ledger_account.id))));
    assert.deepEqual((sandbox.control.records('journals') as Json[]).map((j) => j.code).sort(), [
      'BQ',
      'BQ2',
      'HA',
      'OD',
      'VT',
    ]);
    const invoices = sandbox.control.records('customer_invoices') as Json[];
    assert.ok(invoices.some((i) => i.status === 'credit_note' && i.credited_invoice !== null));
    assert.deepEqual(new Set(customers.map((c) => c.customer_type)), new Set(['company', 'individual']));
  });

  it('computes the trial balance from the lines: total debits equal total credits, auxiliaries rolled up unless asked', async () => {
    const api = client(sandbox);
    const lines = sandbox.control.records('ledger_entry_lines') as Json[];
    for (const year of sandbox.control.records('fiscal_years') as Json[]) {
      const query = { period_start: year.start, period_end: year.finish, limit: 1000 };
      const rolled = await api.all('/trial_balance', query);
      const detailed = await api.all('/trial_balance', { ...query, is_auxiliary: 'true' });
      const sum = (rows: Json[], key: string) => rows.reduce((s, r) => s + cents(r[key]), 0);
      const inYear = lines.filter((l) => l.date >= year.start && l.date <= year.finish);
      assert.equal(
        sum(rolled, 'debits'),
        inYear.reduce((s, l) => s + cents(l.debit), 0),
      );
      assert.equal(sum(rolled, 'debits'), sum(rolled, 'credits'));
      assert.equal(sum(detailed, 'credits'), sum(rolled, 'credits'));
      assert.ok(rolled.some((r) => r.number === '411') && !rolled.some((r) => /^411\d+/.test(r.number)));
      assert.ok(detailed.some((r) => /^411\d{4}/.test(r.number)));
      assert.equal(rolled.find((r) => r.number === '512')?.formatted_number, undefined);
      assert.equal(rolled.find((r) => r.number === '5121')?.formatted_number, '51210000');
    }
    assert.equal((await api.get('/trial_balance', { period_start: '2025-01-01' })).status, 400);
  });

  it('honours explicit counts', async () => {
    const tiny = await startSandbox({
      seed: 1,
      startTime: START,
      rateLimit: false,
      size: {
        customers: 3,
        suppliers: 2,
        products: 2,
        customerInvoices: 10,
        supplierInvoices: 4,
        transactions: 9,
        bankAccounts: 1,
        fiscalYears: 2,
      },
    });
    try {
      assert.equal(tiny.control.records('customers').length, 3);
      assert.equal(tiny.control.records('customer_invoices').length, 10);
      assert.equal(tiny.control.records('transactions').length, 9);
      assert.equal(tiny.control.records('fiscal_years').length, 2);
      assert.deepEqual(
        tiny.control
          .records('journals')
          .map((j) => j.code)
          .sort(),
        ['BQ', 'HA', 'OD', 'VT'],
      );
    } finally {
      await tiny.close();
    }
    await assert.rejects(startSandbox({ size: { customers: -1 } }), /customers/);
    await assert.rejects(startSandbox({ size: { invoices: 5 } as never }), /unknown count invoices/);
  });
});
