import assert from 'node:assert/strict';
import { Transform } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FecRow } from '../../pennylane/src/export-formats.js';
import type { Sandbox } from '../../sandbox/src/types.js';
import type { PennylaneClient } from '../src/http/client.js';
import type { ApiClient } from '../src/sync/context.js';
import { byKey, catalogOf, Replica, type SyncResult, sandbox, sync } from './support/harness.js';

const SIZE = {
  customers: 10,
  suppliers: 6,
  products: 4,
  customerInvoices: 30,
  supplierInvoices: 15,
  transactions: 30,
  bankAccounts: 1,
  fiscalYears: 3,
};
const EXPORTS = ['fiscal_years', 'fec', 'analytical_ledger'];
type Year = { id: number; start: string; finish: string; status: string };
type Row = Record<string, unknown>;

const nullEmpty = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v]));

/** The FEC rows the table must hold for a year: the sandbox's, in file order. */
const fecOf = (sb: Sandbox, y: Year) =>
  sb.control.fecRows(y.start, y.finish).map((r: FecRow) => nullEmpty(r));
/** The analytical ledger rows the table must hold for a year: the sandbox's, in sheet order. */
const aglOf = (sb: Sandbox, y: Year) => sb.control.aglRows(y.start, y.finish).map((r) => nullEmpty(r));
const tableRows = (replica: Replica, stream: string, y: Year, numberField: string): Row[] =>
  byKey(
    replica.rows(stream).filter((r) => r.fiscal_year_id === y.id),
    [numberField],
  ).map(({ fiscal_year_id, export_id, exported_at, [numberField]: _n, ...values }) => values);

const exportPosts = (sb: Sandbox, kind: string) =>
  Object.entries(sb.control.counters().byPath)
    .filter(([path]) => path.endsWith(`/exports/${kind}`))
    .reduce((n, [, c]) => n + c, 0);

function checkYears(sb: Sandbox, replica: Replica): void {
  for (const y of sb.control.records('fiscal_years') as Year[]) {
    assert.deepEqual(tableRows(replica, 'fec', y, 'line_number'), fecOf(sb, y), `fec of year ${y.id}`);
    assert.deepEqual(
      tableRows(replica, 'analytical_ledger', y, 'row_number'),
      aglOf(sb, y),
      `agl of year ${y.id}`,
    );
  }
}

describe('exports (FEC and analytical ledger) against the sandbox', () => {
  let sb: Sandbox;
  const replica = new Replica();
  let last: SyncResult;

  before(async () => {
    // Long enough that the first poll, 50 ms after the POST, finds the job pending on a loaded machine.
    sb = await sandbox({ size: SIZE, seed: 11, exportDelayMs: 1000 });
  });
  after(() => sb.close());

  it('exports each fiscal year in scope, waits for pending jobs, and holds exactly their rows', async () => {
    sb.control.resetCounters();
    last = await sync(sb, { catalog: catalogOf(EXPORTS) });
    assert.equal(last.summary.ok, true, last.summary.error);
    replica.apply(last.messages);
    checkYears(sb, replica);
    const polls = Object.entries(sb.control.counters().byPath).filter(([p]) =>
      /\/exports\/fecs\/\d+$/.test(p),
    );
    assert.ok(
      polls.length === 3 && polls.every(([, n]) => n >= 2),
      `each job polled until ready: ${JSON.stringify(polls)}`,
    );
  });

  it('does not export the closed years again, nor the open one while its export is recent', async () => {
    sb.control.resetCounters();
    const run = await sync(sb, { state: last.state, catalog: catalogOf(EXPORTS) });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.equal(exportPosts(sb, 'fecs') + exportPosts(sb, 'analytical_general_ledgers'), 0);
    assert.equal(run.messages.filter((m) => m.type === 'RECORD' && m.stream === 'fec').length, 0);
    last = run;
  });

  it('re-exports the open year once its export is older than export_max_age_hours, deleting vanished rows', async () => {
    const years = sb.control.records('fiscal_years') as Year[];
    const open = years.find((y) => y.status === 'open')!;
    const before = fecOf(sb, open).length;
    const invoices = sb.control.records('customer_invoices') as Row[];
    const inOpen = invoices.filter((i) => typeof i.date === 'string' && i.date >= open.start);
    for (const inv of inOpen.slice(0, 3)) sb.control.remove('customer_invoices', inv.id as number);
    assert.ok(fecOf(sb, open).length < before, 'the open year lost rows');
    sb.control.advanceClock(25 * 3600 * 1000);
    sb.control.resetCounters();
    const run = await sync(sb, { state: last.state, catalog: catalogOf(EXPORTS) });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.equal(exportPosts(sb, 'fecs'), 1);
    assert.equal(exportPosts(sb, 'analytical_general_ledgers'), 1);
    assert.ok(run.summary.streams.fec!.deleted > 0);
    replica.apply(run.messages);
    checkYears(sb, replica);
    last = run;
  });

  it('fails the stream with one message naming it and the fiscal year when Pennylane reports an export error', async () => {
    sb.control.setFaults({ exportError: true });
    try {
      const run = await sync(sb, { catalog: catalogOf(['fiscal_years', 'fec', 'journals']) });
      assert.equal(run.summary.ok, false);
      assert.equal(run.summary.streams.journals!.status, 'ok');
      assert.equal(run.summary.streams.fec!.status, 'failed');
      assert.match(
        run.summary.error ?? '',
        /^fec: fiscal year \d+ \(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\): Pennylane reports export \d+ in error/,
      );
      // nothing was bookmarked for the failed years
      const fec = (run.state as { bookmarks: { fec?: { years: Record<string, { exported_at: unknown }> } } })
        .bookmarks.fec;
      assert.ok(Object.values(fec?.years ?? {}).every((y) => y.exported_at === null));
    } finally {
      sb.control.clearFaults();
    }
  });

  it('creates the export again once when its file URL expired before the download', async () => {
    let downloads = 0;
    const expireFirst = (client: PennylaneClient): ApiClient => ({
      getJson: (p, q, c) => client.getJson(p, q, c),
      postJson: (p, b, c) => client.postJson(p, b, c),
      paginate: (p, q, c) => client.paginate(p, q, c),
      paginateChangelog: (p, o, c) => client.paginateChangelog(p, o, c),
      download: (url, c) => {
        // the first file waits longer than its URL lives (30 minutes on the sandbox clock)
        if (downloads++ === 0) sb.control.advanceClock(31 * 60 * 1000);
        return client.download(url, c);
      },
    });
    sb.control.resetCounters();
    const state = structuredClone(last.state) as { bookmarks: Record<string, unknown> };
    delete state.bookmarks.fec; // asking for the FEC again: every year in scope is exported anew
    // Only the open year is in scope, so a single file is outstanding when the clock jumps.
    const run = await sync(sb, {
      state,
      catalog: catalogOf(['fiscal_years', 'fec']),
      config: { fiscal_years_back: 0 },
      wrapClient: expireFirst,
    });
    assert.equal(run.summary.ok, true, run.summary.error);
    assert.equal(exportPosts(sb, 'fecs'), 2, 'the open year, exported twice');
    assert.ok(run.logs.some((l) => /the file URL expired before download, exporting again/.test(l)));
    replica.apply(run.messages);
    const open = (sb.control.records('fiscal_years') as Year[]).find((y) => y.status === 'open')!;
    assert.deepEqual(tableRows(replica, 'fec', open, 'line_number'), fecOf(sb, open));
  });
});

describe('a download that breaks off', () => {
  it('is read again from the same file URL, and the table still holds exactly the export', async () => {
    const sb = await sandbox({ size: { ...SIZE, fiscalYears: 1 }, seed: 13 });
    try {
      let downloads = 0;
      const breakFirst = (client: PennylaneClient): ApiClient => ({
        getJson: (p, q, c) => client.getJson(p, q, c),
        postJson: (p, b, c) => client.postJson(p, b, c),
        paginate: (p, q, c) => client.paginate(p, q, c),
        paginateChangelog: (p, o, c) => client.paginateChangelog(p, o, c),
        download: async (url, c) => {
          const body = await client.download(url, c);
          if (downloads++ > 0) return body;
          // the connection dies after 3 kB: some rows were already emitted
          let seen = 0;
          const cut = new Transform({
            transform(chunk: Buffer, _enc, done) {
              seen += chunk.length;
              if (seen > 3000) done(new Error('other side closed'));
              else done(null, chunk);
            },
          });
          return body.pipe(cut);
        },
      });
      sb.control.resetCounters();
      const run = await sync(sb, { catalog: catalogOf(['fec']), wrapClient: breakFirst });
      assert.equal(run.summary.ok, true, run.summary.error);
      assert.ok(
        run.logs.some((l) => /the download broke off \(other side closed\), reading the file again/.test(l)),
      );
      assert.equal(exportPosts(sb, 'fecs'), 1, 'the export was not created again');
      const replica = new Replica().apply(run.messages);
      const [year] = sb.control.records('fiscal_years') as Year[];
      assert.deepEqual(tableRows(replica, 'fec', year!, 'line_number'), fecOf(sb, year!));
    } finally {
      await sb.close();
    }
  });
});

describe('FEC dialects', () => {
  for (const dialect of [
    { separator: '|', encoding: 'iso-8859-15' },
    { separator: '\t', encoding: 'iso-8859-15' },
  ] as const) {
    it(`reads a FEC separated by ${JSON.stringify(dialect.separator)} in ${dialect.encoding}`, async () => {
      const sb = await sandbox({ size: { ...SIZE, fiscalYears: 1 }, seed: 5, fecDialect: dialect });
      try {
        const run = await sync(sb, { catalog: catalogOf(['fec']) });
        assert.equal(run.summary.ok, true, run.summary.error);
        const replica = new Replica().apply(run.messages);
        const [year] = sb.control.records('fiscal_years') as Year[];
        const rows = tableRows(replica, 'fec', year!, 'line_number');
        assert.deepEqual(rows, fecOf(sb, year!));
        assert.ok(
          rows.some((r) => /[éèàç€]/.test(JSON.stringify(r))),
          'accented text survives the encoding',
        );
      } finally {
        await sb.close();
      }
    });
  }
});

describe('an analytical ledger laid out as Excel writes it', () => {
  it('reads a workbook whose zip stores the sheet before the shared strings, and holds exactly its rows', async () => {
    const sb = await sandbox({ size: { ...SIZE, fiscalYears: 1 }, seed: 7, aglPartOrder: 'excel' });
    try {
      const run = await sync(sb, { catalog: catalogOf(['analytical_ledger']) });
      assert.equal(run.summary.ok, true, run.summary.error);
      const replica = new Replica().apply(run.messages);
      const [year] = sb.control.records('fiscal_years') as Year[];
      const rows = aglOf(sb, year!);
      assert.ok(rows.length > 0, 'the year has rows');
      assert.deepEqual(tableRows(replica, 'analytical_ledger', year!, 'row_number'), rows);
    } finally {
      await sb.close();
    }
  });
});
