import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { childPath } from '../../pennylane/src/api.js';
import { type Sandbox, startSandbox } from '../src/index.js';
import { parseCents } from '../src/money.js';
import { client, START } from './support.js';

type Rec = Record<string, unknown> & { id: number };
const cents = (v: unknown) => parseCents(String(v));
const sum = (items: Rec[], key: string) => items.reduce((n, l) => n + cents(l[key]), 0);

/** Invoice lines, quotes and categories: coherent with the invoices, the entries and each other. */
describe('sandbox documents: invoice lines, quotes, categories', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof client>;
  before(async () => {
    sandbox = await startSandbox({
      seed: 11,
      startTime: START,
      rateLimit: false,
      size: {
        customers: 30,
        suppliers: 15,
        products: 12,
        customerInvoices: 120,
        supplierInvoices: 60,
        transactions: 150,
      },
    });
    api = client(sandbox);
  });
  after(() => sandbox.close());

  const linesOf = (side: 'customer_invoices' | 'supplier_invoices', id: number) =>
    api.all(
      childPath(side === 'customer_invoices' ? 'customer_invoice_lines' : 'supplier_invoice_lines', id),
      {
        limit: 100,
      },
    ) as Promise<Rec[]>;

  it('every invoice: its lines sum exactly to its amounts before tax, tax and total', async () => {
    for (const side of ['customer_invoices', 'supplier_invoices'] as const) {
      const invoices = sandbox.control.records(side) as Rec[];
      for (const invoice of invoices) {
        const lines = await linesOf(side, invoice.id);
        assert.ok(lines.length > 0, `${side} ${invoice.id} has lines`);
        assert.equal(sum(lines, 'currency_amount_before_tax'), cents(invoice.currency_amount_before_tax));
        assert.equal(sum(lines, 'tax'), cents(invoice.tax), `${side} ${invoice.id} tax`);
        assert.equal(sum(lines, 'amount'), cents(invoice.amount), `${side} ${invoice.id} amount`);
      }
    }
  });

  it('customer invoice lines point to real products, with French VAT codes', async () => {
    const products = new Set((sandbox.control.records('products') as Rec[]).map((p) => p.id));
    const invoice = (sandbox.control.records('customer_invoices') as Rec[])[0]!;
    const lines = await linesOf('customer_invoices', invoice.id);
    for (const line of lines) {
      assert.ok(products.has((line.product as { id: number }).id));
      assert.match(String(line.vat_rate), /^(FR_\d+|exempt)$/);
    }
  });

  it('quotes: a few dozen, every status, and each invoiced quote named back by its invoice', () => {
    const quotes = sandbox.control.records('quotes') as Rec[];
    assert.ok(quotes.length >= 12 && quotes.length <= 60, `${quotes.length} quotes`);
    assert.deepEqual([...new Set(quotes.map((q) => q.status))].sort(), [
      'accepted',
      'denied',
      'expired',
      'invoiced',
      'pending',
    ]);
    const invoices = sandbox.control.records('customer_invoices') as Rec[];
    for (const quote of quotes.filter((q) => q.status === 'invoiced')) {
      const invoice = invoices.find((i) => (i.quote as { id: number } | null)?.id === quote.id);
      assert.ok(invoice, `quote ${quote.id} has its invoice`);
      assert.equal(invoice.amount, quote.amount);
    }
  });

  it('categories: the ones inline on ledger entry lines, under their group', async () => {
    const groups = (await api.all('/category_groups', { limit: 100 })) as Rec[];
    const categories = new Map<number, Rec>();
    for (const g of groups)
      for (const c of (await api.all(childPath('categories', g.id), { limit: 100 })) as Rec[])
        categories.set(c.id, c);
    const lines = sandbox.control.records('ledger_entry_lines') as Rec[];
    const inline = lines.flatMap((l) => l.categories as Rec[]);
    assert.ok(inline.length > 0);
    for (const c of inline) {
      assert.equal(categories.get(c.id)?.label, c.label);
      assert.ok(groups.some((g) => g.id === (c.category_group as { id: number }).id));
    }
  });

  it('changing lines keeps the invoice, its lines and its entry consistent, with an update event', async () => {
    const c = sandbox.control;
    const invoice = (c.records('customer_invoices') as Rec[])[3]!;
    const lines = c.invoiceLines('customer_invoices', invoice.id) as Rec[];
    const product = (c.records('products') as Rec[])[1]!;
    const eventsBefore = (await api.all('/changelogs/customer_invoices', { limit: 1000 })).length;
    c.advanceClock(60_000);
    const after = c.changeInvoiceLines('customer_invoices', invoice.id, {
      add: [{ product_id: product.id, quantity: 2 }],
      ...(lines.length > 1 ? { remove: [lines[1]!.id] } : {}),
      edit: [{ id: lines[0]!.id, quantity: 7 }],
    }) as Rec[];
    const updated = c.records('customer_invoices').find((i) => i.id === invoice.id) as Rec;
    assert.equal(sum(after, 'amount'), cents(updated.amount));
    assert.equal(sum(after, 'tax'), cents(updated.tax));
    assert.notEqual(updated.updated_at, invoice.updated_at);
    assert.equal((after[0] as Rec).quantity, '7');
    const entryLines = (c.records('ledger_entry_lines') as Rec[]).filter(
      (l) => (l.ledger_entry as { id: number }).id === (updated.ledger_entry as { id: number }).id,
    );
    assert.equal(sum(entryLines, 'debit'), sum(entryLines, 'credit'), 'the entry balances');
    assert.equal(sum(entryLines, 'debit'), Math.abs(cents(updated.amount)), 'and carries the new total');
    const events = (await api.all('/changelogs/customer_invoices', { limit: 1000 })) as Rec[];
    assert.equal(events.length, eventsBefore + 1);
    assert.deepEqual([events.at(-1)!.id, events.at(-1)!.operation], [invoice.id, 'update']);
    assert.throws(() => c.changeInvoiceLines('customer_invoices', invoice.id, { remove: [1] }), /no line 1/);
  });

  it('a deleted invoice takes its lines: its invoice_lines endpoint answers 404', async () => {
    const invoice = (sandbox.control.records('supplier_invoices') as Rec[])[0]!;
    sandbox.control.remove('supplier_invoices', invoice.id);
    const res = await api.get(childPath('supplier_invoice_lines', invoice.id));
    assert.equal(res.status, 404);
  });
});
