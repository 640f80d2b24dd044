import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../sandbox/src/types.js';
import type { PennylaneClient } from '../src/http/client.js';
import type { ApiClient } from '../src/sync/context.js';
import { CountingClient } from '../src/sync/counting-client.js';
import { decodeLineIds } from '../src/sync/line-ids.js';
import { byKey, catalogOf, expected, Replica, type SyncResult, sandbox, sync } from './support/harness.js';

/** The five streams of invoice lines, analytical categories and quotes, end to end against the sandbox. */
const STREAMS = [
  'customer_invoice_lines',
  'supplier_invoice_lines',
  'category_groups',
  'categories',
  'quotes',
];
const SIZE = {
  customers: 20,
  suppliers: 10,
  products: 8,
  customerInvoices: 230,
  supplierInvoices: 40,
  transactions: 40,
  bankAccounts: 1,
  fiscalYears: 2,
};
const CONFIG = { changelog_overlap_seconds: 0 };
type Row = Record<string, unknown> & { id: number };

/** Counts the requests per path prefix, and can fail every request after the n-th invoice_lines one. */
class Spy extends CountingClient {
  readonly paths: string[] = [];
  failAfterLines = Number.POSITIVE_INFINITY;
  constructor(inner: ApiClient) {
    super(inner);
  }
  override async *paginate<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    ctx?: { stream?: string },
  ) {
    if (
      path.endsWith('/invoice_lines') &&
      this.paths.filter((p) => p.endsWith('/invoice_lines')).length >= this.failAfterLines
    )
      throw new Error('connection lost (test)');
    this.paths.push(path);
    yield* super.paginate<T>(path, query, ctx);
  }
  override getJson<T>(
    path: string,
    query?: Record<string, string | number | undefined>,
    ctx?: { stream?: string },
  ) {
    this.paths.push(path);
    return super.getJson<T>(path, query, ctx);
  }
}

describe('invoice lines, categories and quotes: full sync, incremental with deletes, resumable pass', () => {
  let sb: Sandbox;
  const replica = new Replica();
  let first: SyncResult;
  const catalog = catalogOf(STREAMS);

  before(async () => {
    sb = await sandbox({ size: SIZE, seed: 21 });
    sb.control.advanceClock(10_000);
    first = await sync(sb, { config: CONFIG, catalog });
    replica.apply(first.messages);
  });
  after(() => sb.close());

  const assertReplicaExact = () => {
    for (const name of STREAMS) assert.deepEqual(byKey(replica.rows(name)), expected(sb, name), name);
  };

  it('a first run lands every line, group, category and quote exactly, lines with their invoice id', () => {
    assert.equal(first.summary.ok, true, first.summary.error);
    assert.equal(first.summary.streamsOk, 5);
    assertReplicaExact();
    const lines = replica.rows('customer_invoice_lines');
    assert.ok(lines.length >= SIZE.customerInvoices);
    assert.ok(lines.every((l) => typeof l.customer_invoice_id === 'number' && typeof l.amount === 'string'));
    // One lines request per invoice (none has over 100 lines), plus its listing pages and one to size the pass.
    assert.equal(first.summary.streams.customer_invoice_lines!.requests, SIZE.customerInvoices + 3 + 1);
  });

  it('an incremental run after line edits, removals, invoice deletes, quote changes and a category rename lands exactly the sandbox', async () => {
    const c = sb.control;
    c.advanceClock(60_000);
    const invoices = c.records('customer_invoices') as Row[];
    const [edited, trimmed, deleted] = [
      invoices[0]!,
      invoices.slice(1).find((i) => c.invoiceLines('customer_invoices', i.id).length > 1)!,
      invoices[7]!,
    ];
    const product = (c.records('products') as Row[])[2]!;
    const editedLines = c.invoiceLines('customer_invoices', edited.id) as Row[];
    c.changeInvoiceLines('customer_invoices', edited.id, {
      add: [{ product_id: product.id, quantity: 3 }],
      edit: [{ id: editedLines[0]!.id, quantity: 9 }],
    });
    const trimmedLines = c.invoiceLines('customer_invoices', trimmed.id) as Row[];
    c.changeInvoiceLines('customer_invoices', trimmed.id, { remove: [trimmedLines[0]!.id] });
    const deletedLines = c.invoiceLines('customer_invoices', deleted.id) as Row[];
    c.remove('customer_invoices', deleted.id);
    const supplierInvoice = (c.records('supplier_invoices') as Row[])[1]!;
    c.changeInvoiceLines('supplier_invoices', supplierInvoice.id, {
      add: [{ label: 'Frais de port', unit_price: '18.90', vat_rate: 'FR_200' }],
    });
    const quotes = c.records('quotes') as Row[];
    c.create('quotes', { amount_before_tax: '1250.00' });
    c.update('quotes', quotes[0]!.id, { status: 'accepted' });
    c.remove('quotes', quotes[1]!.id);
    c.renameCategory((c.categories()[0] as Row).id, 'Conseil stratégique');
    c.advanceClock(10_000);

    const second = await sync(sb, { config: CONFIG, catalog, state: first.state });
    assert.equal(second.summary.ok, true, second.summary.error);
    replica.apply(second.messages);
    assertReplicaExact();
    const tombstones = second.messages.filter(
      (m) => m.type === 'RECORD' && m.stream === 'customer_invoice_lines' && m.record._sdc_deleted_at,
    );
    const gone = new Set(tombstones.map((m) => (m as unknown as { record: Row }).record.id));
    assert.ok(gone.has(trimmedLines[0]!.id), 'the removed line is deleted');
    for (const l of deletedLines) assert.ok(gone.has(l.id), 'the deleted invoice takes its lines');
    // Request budget: the changelog page, then one lines request per changed invoice (2 live; the deleted
    // one costs nothing). Quotes: its changelog page and one refetch for the 2 live ids.
    assert.equal(second.summary.streams.customer_invoice_lines!.requests, 1 + 2);
    assert.equal(second.summary.streams.supplier_invoice_lines!.requests, 1 + 1);
    assert.equal(second.summary.streams.quotes!.requests, 1 + 1);
    assert.equal(second.summary.streams.customer_invoice_lines!.deleted, 1 + deletedLines.length);
  });

  let resumedState: unknown;
  let resumedMessages: SyncResult['messages'] = [];

  it('an interrupted full pass resumes after its last saved invoice and never re-reads one already saved', async () => {
    const spies: Spy[] = [];
    const wrap = (failAfter: number) => (client: PennylaneClient) => {
      const spy = new Spy(client);
      spy.failAfterLines = failAfter;
      spies.push(spy);
      return spy;
    };
    const lines = catalogOf(['customer_invoice_lines']);
    const broken = await sync(sb, {
      config: { ...CONFIG, full_refresh: true },
      catalog: lines,
      wrapClient: wrap(150),
    });
    assert.equal(broken.summary.ok, false);
    const saved = (
      broken.state as {
        bookmarks: Record<string, { pass?: { after_id: number; done: number; lines: string } }>;
      }
    ).bookmarks.customer_invoice_lines?.pass;
    assert.ok(saved, 'the pass saved its place');
    assert.equal(saved.done, 100);
    assert.equal(decodeLineIds(saved.lines).size, 100);

    const resumed = await sync(sb, {
      config: CONFIG,
      catalog: lines,
      state: broken.state,
      wrapClient: wrap(Infinity),
    });
    assert.equal(resumed.summary.ok, true, resumed.summary.error);
    assert.ok(resumed.logs.some((l) => l.includes('resuming the interrupted full pass')));
    const reread = spies[1]!.paths
      .filter((p) => p.endsWith('/invoice_lines'))
      .map((p) => Number(p.split('/')[2]))
      .filter((id) => id <= saved.after_id);
    assert.deepEqual(reread, []);
    const replay = new Replica().apply([...broken.messages, ...resumed.messages]);
    assert.deepEqual(byKey(replay.rows('customer_invoice_lines')), expected(sb, 'customer_invoice_lines'));
    // Both runs' records carry the pass's one version, so its ACTIVATE_VERSION keeps them all.
    const versions = new Set(
      [...broken.messages, ...resumed.messages].flatMap((m) =>
        m.type === 'RECORD' && m.stream === 'customer_invoice_lines' ? [m.version] : [],
      ),
    );
    assert.equal(versions.size, 1);
    resumedState = resumed.state;
    resumedMessages = [...broken.messages, ...resumed.messages];
  });

  it('a bookmark beyond the 4-week changelog starts a new full pass, which clears the lines of invoices deleted meanwhile', async () => {
    sb.control.advanceClock(30 * 24 * 3600 * 1000);
    const gone = (sb.control.records('customer_invoices') as Row[])[4]!;
    const goneLines = sb.control.invoiceLines('customer_invoices', gone.id) as Row[];
    sb.control.remove('customer_invoices', gone.id);
    const lines = catalogOf(['customer_invoice_lines']);
    const run = await sync(sb, { config: CONFIG, catalog: lines, state: resumedState });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.ok(
      run.logs.some((l) => /customer_invoice_lines: full pass \(bookmark is 3\d\.\d days old/.test(l)),
      run.logs.join(''),
    );
    const replica = new Replica().apply([...resumedMessages, ...run.messages]);
    assert.deepEqual(byKey(replica.rows('customer_invoice_lines')), expected(sb, 'customer_invoice_lines'));
    assert.ok(!replica.rows('customer_invoice_lines').some((l) => goneLines.some((g) => g.id === l.id)));
  });
});
