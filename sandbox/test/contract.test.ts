import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CHANGELOG_RESOURCES,
  CHILD_RESOURCES,
  type ChildResourceName,
  childOpenApiPath,
  childPath,
  ID_LIST_RESOURCES,
  LIST_RESOURCES,
  SINGLE_RECORD_RESOURCES,
} from '../../pennylane/src/api.js';
import { ROUTES } from '../src/http/api.js';
import { ALL_SCOPES, type Sandbox, startSandbox } from '../src/index.js';
import { assertMatchesSpec, client, START, validatedOperations } from './support.js';

const CHANGELOGS = CHANGELOG_RESOURCES;

describe("every response validates against Pennylane's OpenAPI schema", () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof client>;
  before(async () => {
    sandbox = await startSandbox({
      seed: 3,
      startTime: START,
      rateLimit: false,
      exportDelayMs: 60_000,
      // Half the small company: every variant (credit notes, individuals, e-invoicing, card expenses) in fewer pages.
      size: {
        customers: 60,
        suppliers: 30,
        products: 20,
        customerInvoices: 220,
        supplierInvoices: 140,
        transactions: 350,
      },
    });
    api = client(sandbox);
    // Objects made through the control surface must look like generated ones.
    const c = sandbox.control;
    c.create('customers', { name: 'Nouvelle Cliente SARL' });
    c.create('suppliers');
    c.create('products');
    const invoice = c.create('customer_invoices', { label: 'Facture de contrôle' });
    c.create('supplier_invoices');
    c.create('transactions', { amount: '-42.10', label: 'CB TEST' });
    c.update('customers', (c.records('customers')[3] as { id: number }).id, { notes: 'mise à jour' });
    c.remove('customer_invoices', invoice.id as number);
  });
  after(() => sandbox.close());

  it('the schema check is live: a drifted item (amount as a number, a field missing) is rejected', async () => {
    const body = (await api.get('/customer_invoices', { limit: 1 })).json();
    assertMatchesSpec('GET /customer_invoices', body);
    const asNumber = structuredClone(body);
    asNumber.items[0].amount = Number(asNumber.items[0].amount);
    assert.throws(() => assertMatchesSpec('GET /customer_invoices', asNumber), /amount/);
    const missing = structuredClone(body);
    delete missing.items[0].ledger_entry;
    assert.throws(() => assertMatchesSpec('GET /customer_invoices', missing), /ledger_entry/);
    const customers = (await api.get('/customers', { limit: 1 })).json();
    customers.page = 1;
    assert.throws(() => assertMatchesSpec('GET /customers', customers), /additional/);
  });

  it("error bodies match the spec's error schemas (400, 401, 403, 404, 422)", async () => {
    const now = sandbox.control.now().getTime();
    const cases: [string, () => Promise<{ status: number; json: () => unknown }>][] = [
      ['GET /customers 400', () => api.get('/customers', { limit: 0 })],
      ['GET /customers 400', () => api.get('/customers', { filter: '[' })],
      ['GET /customers 401', () => client(sandbox, 'nope').get('/customers')],
      ['GET /customers 404', () => api.get('/customers/1')],
      ['GET /changelogs/customers 400', () => api.get('/changelogs/customers', { start_date: 'x' })],
      [
        'GET /changelogs/customers 422',
        () => api.get('/changelogs/customers', { start_date: new Date(now - 40 * 86_400_000).toISOString() }),
      ],
      ['POST /exports/fecs 400', () => api.post('/exports/fecs', { period_start: '2025-01-01' })],
      ['GET /exports/fecs/{id} 404', () => api.get('/exports/fecs/123')],
    ];
    for (const [operation, call] of cases) {
      const res = await call();
      assert.equal(String(res.status), operation.split(' ').pop(), operation);
      assertMatchesSpec(operation, res.json());
    }
    sandbox.control.setScopes([]);
    const denied = await api.get('/ledger_accounts');
    sandbox.control.setScopes(ALL_SCOPES);
    assert.equal(denied.status, 403);
    assertMatchesSpec('GET /ledger_accounts 403', denied.json());
  });

  it('GET /me', async () => {
    const res = await api.get('/me');
    assert.equal(res.status, 200);
    assertMatchesSpec('GET /me', res.json());
  });

  for (const name of ID_LIST_RESOURCES) {
    it(`GET /${name}, every page of every item`, async () => {
      const max = name === 'ledger_accounts' ? 1000 : 100;
      let pages = 0;
      const items = await api.all(`/${name}`, { limit: max }, (body) => {
        pages++;
        assertMatchesSpec(`GET /${name}`, body);
      });
      assert.ok(items.length > 0, `${name} has items`);
      assert.ok(pages >= 1);
    });
  }

  for (const name of SINGLE_RECORD_RESOURCES) {
    const path = LIST_RESOURCES[name].path;
    it(`GET ${path}/{id}, for every item of the first list page and an unknown id (404)`, async () => {
      const max = name === 'ledger_accounts' ? 1000 : 100;
      const page = (await api.get(path, { limit: max })).json();
      assert.ok(page.items.length > 0, `${name} has items`);
      for (const item of page.items) {
        const res = await api.get(`${path}/${item.id}`);
        assert.equal(res.status, 200, `${path}/${item.id}`);
        assertMatchesSpec(`GET ${path}/{id}`, res.json());
        assert.equal(res.json().id, item.id);
      }
      const missing = await api.get(`${path}/1`);
      assert.equal(missing.status, 404);
      assertMatchesSpec(`GET ${path}/{id} 404`, missing.json());
    });
  }

  it('GET /fiscal_years/{id} is not in the OpenAPI file: 404 as any unknown route', async () => {
    const id = (await api.all('/fiscal_years'))[0].id;
    const res = await api.get(`/fiscal_years/${id}`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { error: 'Not Found', status: 404 });
  });

  it("every route's 401 (bad token) and 403 (scope missing) bodies match its error schemas", async () => {
    const stranger = client(sandbox, 'nope');
    for (const route of ROUTES) {
      const path = route.operation.split(' ')[1]!.replace(/\{[a-z_]+\}/, '1');
      const call = (c: typeof api) => (route.method === 'GET' ? c.get(path) : c.post(path, {}));
      const unauthorized = await call(stranger);
      assert.equal(unauthorized.status, 401, route.operation);
      assertMatchesSpec(`${route.operation} 401`, unauthorized.json());
      if (!route.scope) continue;
      sandbox.control.setScopes([]);
      const denied = await call(api);
      sandbox.control.setScopes(ALL_SCOPES);
      assert.equal(denied.status, 403, route.operation);
      assertMatchesSpec(`${route.operation} 403`, denied.json());
    }
  });

  it('the validated data covers the optional branches: both customer kinds, credit notes, e-invoicing, card expenses, entry attachments', async () => {
    const items = await api.all('/customers', { limit: 100 });
    const types = new Set(items.map((c) => c.customer_type));
    assert.deepEqual([...types].sort(), ['company', 'individual']);
    const invoices = await api.all('/customer_invoices', { limit: 100 });
    assert.ok(invoices.some((i) => i.credited_invoice !== null));
    assert.ok(invoices.some((i) => i.e_invoicing !== null));
    const transactions = await api.all('/transactions', { limit: 100 });
    assert.ok(transactions.some((t) => t.pro_account_expense !== null));
    assert.ok(transactions.some((t) => t.categories.length > 0));
    // The single-object test walks the first page of entries: with and without an attachment.
    const entries = (await api.get('/ledger_entries', { limit: 100 })).json().items;
    assert.ok(entries.some((e: { attachment: unknown }) => e.attachment !== null));
    assert.ok(entries.some((e: { attachment: unknown }) => e.attachment === null));
  });

  it('GET /trial_balance for every fiscal year, with and without auxiliary accounts', async () => {
    const years = await api.all('/fiscal_years');
    for (const year of years) {
      for (const aux of ['true', 'false']) {
        const items = await api.all(
          '/trial_balance',
          { period_start: year.start, period_end: year.finish, is_auxiliary: aux, limit: 1000 },
          (body) => assertMatchesSpec('GET /trial_balance', body),
        );
        assert.ok(items.length > 0);
      }
    }
  });

  for (const name of CHANGELOGS) {
    it(`GET /changelogs/${name}, every page`, async () => {
      const items = await api.all(`/changelogs/${name}`, { limit: 100 }, (body) =>
        assertMatchesSpec(`GET /changelogs/${name}`, body),
      );
      assert.ok(items.length > 0, `${name} has events in the last 4 weeks`);
    });
  }

  for (const name of Object.keys(CHILD_RESOURCES) as ChildResourceName[]) {
    const facts = CHILD_RESOURCES[name];
    const operation = `GET ${childOpenApiPath(name)}`;
    it(`${operation}, every page for every parent of the first list page, and an unknown parent (404)`, async () => {
      const parents = (await api.get(LIST_RESOURCES[facts.parent].path, { limit: 100 })).json().items;
      assert.ok(parents.length > 0, `${facts.parent} has items`);
      let children = 0;
      for (const parent of parents) {
        // limit 2: several pages per parent, so the cursor is validated too.
        const items = await api.all(childPath(name, parent.id), { limit: 2 }, (body) =>
          assertMatchesSpec(operation, body),
        );
        children += items.length;
      }
      assert.ok(children > 0, `${name} has items`);
      const missing = await api.get(childPath(name, 1));
      assert.equal(missing.status, 404);
      assertMatchesSpec(`${operation} 404`, missing.json());
    });
  }

  it('control-made data validates too: edited invoice lines, a new quote, a renamed category', async () => {
    const c = sandbox.control;
    const invoice = c.records('customer_invoices')[5] as { id: number };
    const product = c.records('products')[0] as { id: number };
    const before = c.invoiceLines('customer_invoices', invoice.id);
    c.changeInvoiceLines('customer_invoices', invoice.id, {
      add: [{ product_id: product.id, quantity: 2 }],
      edit: [{ id: before[0]!.id as number, quantity: 3 }],
    });
    const supplierInvoice = c.records('supplier_invoices')[2] as { id: number };
    c.changeInvoiceLines('supplier_invoices', supplierInvoice.id, {
      add: [{ label: 'Frais de port', unit_price: '12.50', vat_rate: 'FR_200' }],
    });
    const quote = c.create('quotes');
    c.renameCategory((c.categories()[0] as { id: number }).id, 'Conseil et audit');
    assertMatchesSpec(
      'GET /customer_invoices/{customer_invoice_id}/invoice_lines',
      (await api.get(childPath('customer_invoice_lines', invoice.id), { limit: 100 })).json(),
    );
    assertMatchesSpec(
      'GET /supplier_invoices/{supplier_invoice_id}/invoice_lines',
      (await api.get(childPath('supplier_invoice_lines', supplierInvoice.id), { limit: 100 })).json(),
    );
    assertMatchesSpec('GET /quotes/{id}', (await api.get(`/quotes/${quote.id}`)).json());
  });

  for (const kind of ['fecs', 'analytical_general_ledgers']) {
    it(`POST and GET /exports/${kind} (pending, ready, error, unknown id)`, async () => {
      const created = await api.post(`/exports/${kind}`, {
        period_start: '2025-01-01',
        period_end: '2025-12-31',
      });
      assert.equal(created.status, 201);
      assertMatchesSpec(`POST /exports/${kind}`, created.json());
      const pending = await api.get(`/exports/${kind}/${created.json().id}`);
      assert.equal(pending.json().status, 'pending');
      assertMatchesSpec(`GET /exports/${kind}/{id}`, pending.json());
      sandbox.control.advanceClock(60_000);
      const ready = await api.get(`/exports/${kind}/${created.json().id}`);
      assert.equal(ready.json().status, 'ready');
      assertMatchesSpec(`GET /exports/${kind}/{id}`, ready.json());
      sandbox.control.setFaults({ exportError: true });
      const failing = await api.post(`/exports/${kind}`, {
        period_start: '2025-01-01',
        period_end: '2025-01-31',
      });
      sandbox.control.clearFaults();
      sandbox.control.advanceClock(60_000);
      const failed = await api.get(`/exports/${kind}/${failing.json().id}`);
      assert.equal(failed.json().status, 'error');
      assertMatchesSpec(`GET /exports/${kind}/{id}`, failed.json());
      const unknown = await api.get(`/exports/${kind}/123`);
      assert.equal(unknown.status, 404);
      assertMatchesSpec(`GET /exports/${kind}/{id} 404`, unknown.json());
    });
  }

  // Runs last: a route added to the sandbox without a contract check above fails here.
  it('every route the sandbox serves was validated above (and its 404 when it takes an id)', () => {
    const expected = ROUTES.flatMap((r) => [
      r.operation,
      `${r.operation} 401`,
      ...(r.scope ? [`${r.operation} 403`] : []),
      ...(r.operation.includes('{') ? [`${r.operation} 404`] : []),
    ]);
    assert.deepEqual(
      expected.filter((op) => !validatedOperations.has(op)),
      [],
    );
  });
});
