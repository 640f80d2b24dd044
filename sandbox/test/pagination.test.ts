import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.js';
import { client, type Json, START } from './support.js';

const filter = (conditions: unknown[]) => JSON.stringify(conditions);

describe('list endpoints: envelope, limit, sort, filter and cursor', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof client>;
  before(async () => {
    sandbox = await startSandbox({ seed: 5, startTime: START, rateLimit: false });
    api = client(sandbox);
  });
  after(() => sandbox.close());

  it('pages carry {items, has_more, next_cursor}, next_cursor null on the last page, and cover every record once', async () => {
    const seen: number[] = [];
    let pages = 0;
    let last: Json;
    const items = await api.all('/customers', { limit: 7 }, (body) => {
      pages++;
      last = body;
      assert.deepEqual(Object.keys(body).sort(), ['has_more', 'items', 'next_cursor']);
      if (body.has_more) assert.equal(typeof body.next_cursor, 'string');
      seen.push(...body.items.map((i: { id: number }) => i.id));
    });
    assert.equal(last.has_more, false);
    assert.equal(last.next_cursor, null);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(items, sandbox.control.records('customers'));
    assert.equal(pages, Math.ceil(items.length / 7));
  });

  it('journals, ledger_accounts, ledger_entries, fiscal_years and trial_balance add the four legacy keys, all null', async () => {
    for (const path of ['/journals', '/ledger_accounts', '/ledger_entries', '/fiscal_years']) {
      const body = (await api.get(path)).json();
      for (const key of ['total_pages', 'current_page', 'total_items', 'per_page'])
        assert.equal(body[key], null, `${path} ${key}`);
    }
    const lines = (await api.get('/ledger_entry_lines')).json();
    assert.equal('total_pages' in lines, false);
  });

  it('limit defaults to 20 and is validated, not clamped: 400 outside 1..100 (1..1000 on ledger_accounts)', async () => {
    assert.equal((await api.get('/ledger_entry_lines')).json().items.length, 20);
    for (const limit of ['0', '101', '-1', 'abc', '2.5']) {
      const res = await api.get('/customers', { limit });
      assert.equal(res.status, 400, `limit=${limit}`);
      assert.equal(res.json().status, 400);
      assert.match(res.json().error, /limit/);
    }
    assert.equal((await api.get('/ledger_accounts', { limit: 1000 })).status, 200);
    assert.equal((await api.get('/ledger_accounts', { limit: 1001 })).status, 400);
    assert.equal((await api.get('/transactions', { limit: 100 })).status, 200);
  });

  it('sorts by -id by default, and by a declared field when asked; an undeclared one is 400', async () => {
    const ids = (await api.get('/ledger_entries', { limit: 50 }))
      .json()
      .items.map((i: { id: number }) => i.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    const asc = (await api.get('/ledger_entries', { limit: 50, sort: 'id' }))
      .json()
      .items.map((i: { id: number }) => i.id);
    assert.deepEqual(
      asc,
      [...asc].sort((a, b) => a - b),
    );
    const byDate = await api.all('/customer_invoices', { limit: 100, sort: '-date' });
    for (let i = 1; i < byDate.length; i++) assert.ok(byDate[i - 1].date >= byDate[i].date);
    const years = (await api.get('/fiscal_years', { sort: 'start' })).json().items;
    assert.deepEqual(
      years.map((y: { start: string }) => y.start),
      years.map((y: { start: string }) => y.start).sort(),
    );
    assert.equal((await api.get('/customers', { sort: 'name' })).status, 400);
  });

  it('a cursor does not remember filter or sort: a next page sent without them is unfiltered, in default order', async () => {
    const f = filter([{ field: 'customer_type', operator: 'eq', value: 'individual' }]);
    const first = (await api.get('/customers', { filter: f, sort: 'id', limit: 3 })).json();
    assert.ok(first.items.every((c: { customer_type: string }) => c.customer_type === 'individual'));
    const resent = (
      await api.get('/customers', { filter: f, sort: 'id', limit: 50, cursor: first.next_cursor })
    ).json();
    assert.ok(resent.items.every((c: { customer_type: string }) => c.customer_type === 'individual'));
    assert.ok(resent.items[0].id > first.items[2].id);
    const bare = (await api.get('/customers', { limit: 50, cursor: first.next_cursor })).json();
    assert.ok(
      bare.items.some((c: { customer_type: string }) => c.customer_type === 'company'),
      'unfiltered',
    );
    const ids = bare.items.map((c: { id: number }) => c.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'default order -id',
    );
  });

  it('filters with every operator, ANDed; ids and dates compare as numbers and dates', async () => {
    const all = sandbox.control.records('ledger_entry_lines') as {
      id: number;
      date: string;
      journal: { id: number };
    }[];
    const ids = all.slice(10, 15).map((l) => l.id);
    const inIds = await api.all('/ledger_entry_lines', {
      filter: filter([{ field: 'id', operator: 'in', value: ids.map(String) }]),
    });
    assert.deepEqual(inIds.map((l) => l.id).sort(), [...ids].sort());
    const many = all.filter((_, i) => i % 97 === 0).map((l) => l.id);
    const paged = await api.all('/ledger_entry_lines', {
      limit: 7,
      sort: 'date',
      filter: filter([{ field: 'id', operator: 'in', value: [...many, 1, 2] }]),
    });
    assert.deepEqual(new Set(paged.map((l) => l.id)), new Set(many));
    assert.equal(paged.length, many.length);
    for (let i = 1; i < paged.length; i++) assert.ok(paged[i - 1].date <= paged[i].date);
    const window = await api.all('/ledger_entry_lines', {
      limit: 100,
      filter: filter([
        { field: 'date', operator: 'gteq', value: '2025-03-01' },
        { field: 'date', operator: 'lt', value: '2025-04-01' },
        { field: 'journal_id', operator: 'eq', value: all[0]!.journal.id },
      ]),
    });
    const expected = all.filter(
      (l) => l.date >= '2025-03-01' && l.date < '2025-04-01' && l.journal.id === all[0]!.journal.id,
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(window, expected);
    const notIn = await api.all('/journals', {
      filter: filter([{ field: 'type', operator: 'not_in', value: ['bank'] }]),
    });
    assert.deepEqual(notIn.map((j) => j.code).sort(), ['HA', 'OD', 'VT']);
    const customers = sandbox.control.records('customers') as { name: string; emails: string[] }[];
    const prefix = customers[0]!.name.slice(0, 4);
    const byName = await api.all('/customers', {
      filter: filter([{ field: 'name', operator: 'start_with', value: prefix.toLowerCase() }]),
    });
    assert.deepEqual(
      byName,
      customers.filter((c) => c.name.toLowerCase().startsWith(prefix.toLowerCase())),
    );
    const byEmail = await api.all('/customers', {
      filter: filter([{ field: 'emails', operator: 'in', value: customers[1]!.emails }]),
    });
    assert.ok(byEmail.some((c) => c.emails.includes(customers[1]!.emails[0])));
    const credit = await api.all('/customer_invoices', {
      limit: 100,
      filter: filter([{ field: 'credit_note', operator: 'eq', value: true }]),
    });
    assert.ok(credit.length > 0 && credit.every((i) => i.status === 'credit_note' && Number(i.amount) < 0));
    const accounts = await api.all('/ledger_accounts', {
      limit: 1000,
      filter: filter([{ field: 'number', operator: 'start_with', value: '411' }]),
    });
    assert.ok(accounts.length > 1 && accounts.every((a) => a.number.startsWith('411')));
    // Records come newest first: exactly five customers have an id above the sixth one's.
    const sixth = (customers[5] as unknown as { id: number }).id;
    const gt = await api.all('/customers', {
      filter: filter([{ field: 'id', operator: 'gt', value: sixth }]),
    });
    assert.equal(gt.length, 5);
  });

  it('answers 400 on malformed filter JSON, an unknown operator, an operator the field lacks, or an undeclared field', async () => {
    const cases = [
      '[{"field":"id","operator":"eq","value":1}',
      filter([{ field: 'id', operator: 'like', value: 1 }]),
      filter([{ field: 'name', operator: 'gt', value: 'A' }]),
      filter([{ field: 'updated_at', operator: 'gt', value: '2025-01-01' }]),
      filter([{ field: 'id', operator: 'in', value: 5 }]),
      filter([{ field: 'id', operator: 'eq', value: 'abc' }]),
      JSON.stringify({ field: 'id', operator: 'eq', value: 1 }),
    ];
    for (const f of cases) {
      const res = await api.get('/customers', { filter: f });
      assert.equal(res.status, 400, f);
      assert.match(res.json().error, /^filter: /);
    }
    assert.equal(
      (await api.get('/bank_accounts', { filter: filter([{ field: 'id', operator: 'eq', value: 1 }]) }))
        .status,
      400,
    );
  });

  it('answers 404 in the spec shape for an unknown route or id, and a record by id', async () => {
    const unknown = await api.get('/nothing_here');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json(), { error: 'Not Found', status: 404 });
    assert.equal((await api.get('/customers/4294967297')).status, 404);
    const one = sandbox.control.records('supplier_invoices')[0]!;
    assert.deepEqual((await api.get(`/supplier_invoices/${one.id}`)).json(), one);
    const entry = (await api.get(`/ledger_entries/${(one.ledger_entry as { id: number }).id}`)).json();
    const debit = entry.ledger_entry_lines.reduce(
      (s: number, l: { debit: string }) => s + Math.round(Number(l.debit) * 100),
      0,
    );
    const credit = entry.ledger_entry_lines.reduce(
      (s: number, l: { credit: string }) => s + Math.round(Number(l.credit) * 100),
      0,
    );
    assert.equal(debit, credit);
    assert.equal(debit, Math.round(Number(one.amount) * 100));
  });
});
