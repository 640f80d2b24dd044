import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.js';
import { client, DAY_MS, START } from './support.js';

describe('changelogs', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof client>;
  before(async () => {
    sandbox = await startSandbox({ seed: 11, startTime: START, rateLimit: false });
    api = client(sandbox);
  });
  after(() => sandbox.close());

  it('lists events ascending by processed_at, from the oldest retained one, cursor alone on next pages', async () => {
    const events = await api.all('/changelogs/ledger_entry_lines', { limit: 37 });
    assert.ok(events.length > 37);
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].processed_at <= events[i].processed_at);
    const oldest = Date.parse(events[0].processed_at);
    assert.ok(oldest >= START.getTime() - 28 * DAY_MS, 'nothing older than 4 weeks');
    for (const e of events) assert.match(e.processed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('create, update and remove produce insert, update and delete events at the sandbox clock', async () => {
    const c = sandbox.control;
    sandbox.control.advanceClock(60_000);
    const before = c.now().getTime();
    const created = c.create('customers', { name: 'Boulangerie Test SARL' });
    const id = created.id as number;
    c.update('customers', id, { notes: 'VIP' });
    c.remove('customers', id);
    const events = (
      await api.get('/changelogs/customers', {
        start_date: new Date(before - 1000).toISOString(),
        limit: 1000,
      })
    ).json().items;
    const mine = events.filter((e: { id: number }) => e.id === id);
    assert.deepEqual(
      mine.map((e: { operation: string }) => e.operation),
      ['insert', 'update', 'delete'],
    );
    for (const e of mine) assert.ok(Math.abs(Date.parse(e.processed_at) - before) < 5_000);
    assert.equal(mine[0].created_at, created.created_at);
    // Gone from the list, 404 by id.
    const all = await api.all('/customers', { limit: 100 });
    assert.equal(
      all.some((x) => x.id === id),
      false,
    );
    assert.equal((await api.get(`/customers/${id}`)).status, 404);
  });

  it('an invoice created through the control surface brings its ledger entry lines, with insert events', async () => {
    const c = sandbox.control;
    const since = new Date(c.now().getTime() - 1000).toISOString();
    const invoice = c.create('customer_invoices');
    const entryId = (invoice.ledger_entry as { id: number }).id;
    const lines = await api.all('/ledger_entry_lines', {
      filter: JSON.stringify([{ field: 'date', operator: 'eq', value: invoice.date }]),
    });
    const own = lines.filter((l) => l.ledger_entry.id === entryId);
    assert.ok(own.length >= 3);
    const events = (
      await api.get('/changelogs/ledger_entry_lines', { start_date: since, limit: 1000 })
    ).json().items;
    assert.deepEqual(
      own.map((l) => l.id).sort(),
      events
        .filter((e: { operation: string }) => e.operation === 'insert')
        .map((e: { id: number }) => e.id)
        .sort(),
    );
    c.remove('customer_invoices', invoice.id as number);
    const after = (await api.get('/changelogs/ledger_entry_lines', { start_date: since, limit: 1000 })).json()
      .items;
    assert.equal(after.filter((e: { operation: string }) => e.operation === 'delete').length, own.length);
    assert.equal((await api.get(`/ledger_entries/${entryId}`)).status, 404);
  });

  it('an edited ledger entry shows through update events of its lines', async () => {
    sandbox.control.advanceClock(10_000);
    const since = new Date(sandbox.control.now().getTime() - 1000).toISOString();
    const entry = sandbox.control.records('ledger_entries')[10]!;
    sandbox.control.update('ledger_entries', entry.id as number, { label: 'Libellé corrigé' });
    assert.equal((await api.get(`/ledger_entries/${entry.id}`)).json().label, 'Libellé corrigé');
    const lines = (await api.get(`/ledger_entries/${entry.id}`))
      .json()
      .ledger_entry_lines.map((l: { id: number }) => l.id);
    const events = (
      await api.get('/changelogs/ledger_entry_lines', { start_date: since, limit: 1000 })
    ).json().items;
    assert.deepEqual(events.map((e: { id: number }) => e.id).sort(), [...lines].sort());
    assert.ok(events.every((e: { operation: string }) => e.operation === 'update'));
  });

  it('start_date older than 4 weeks → 422; start_date with cursor → 400; a malformed start_date → 400', async () => {
    const now = sandbox.control.now().getTime();
    const old = await api.get('/changelogs/customers', {
      start_date: new Date(now - 29 * DAY_MS).toISOString(),
    });
    assert.equal(old.status, 422);
    assert.equal(old.json().status, 422);
    assert.equal(
      (await api.get('/changelogs/customers', { start_date: new Date(now - 27 * DAY_MS).toISOString() }))
        .status,
      200,
    );
    const page = (await api.get('/changelogs/transactions', { limit: 2 })).json();
    assert.equal(page.has_more, true);
    const both = await api.get('/changelogs/transactions', {
      cursor: page.next_cursor,
      start_date: new Date(now - DAY_MS).toISOString(),
    });
    assert.equal(both.status, 400);
    for (const bad of ['2026-11-01', 'yesterday', '2026-11-01T25:00:00Z']) {
      assert.equal((await api.get('/changelogs/customers', { start_date: bad })).status, 400, bad);
    }
  });

  it('accepts limit up to 1000 on changelogs, 400 above', async () => {
    assert.equal((await api.get('/changelogs/ledger_entry_lines', { limit: 1000 })).status, 200);
    assert.equal((await api.get('/changelogs/ledger_entry_lines', { limit: 1001 })).status, 400);
  });

  it('forgets events older than 4 weeks once the clock moves on', async () => {
    const fresh = await startSandbox({ seed: 11, startTime: START, rateLimit: false });
    try {
      const freshApi = client(fresh);
      assert.ok((await freshApi.get('/changelogs/customer_invoices')).json().items.length > 0);
      fresh.control.advanceClock(29 * DAY_MS);
      assert.deepEqual((await freshApi.get('/changelogs/customer_invoices')).json(), {
        items: [],
        has_more: false,
        next_cursor: null,
      });
      const created = fresh.control.create('products');
      const items = (await freshApi.get('/changelogs/products')).json().items;
      assert.deepEqual(
        items.map((e: { id: number }) => e.id),
        [created.id],
      );
    } finally {
      await fresh.close();
    }
  });
});
