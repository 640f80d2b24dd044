import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { FEC_COLUMNS } from '../../pennylane/src/export-formats.js';
import { decodeIso885915 } from '../../pennylane/src/iso-8859-15.js';
import { writeFec } from '../src/exports/fec-writer.js';
import { type Sandbox, startSandbox } from '../src/index.js';
import { client, START } from './support.js';

const YEAR = { period_start: '2025-01-01', period_end: '2025-12-31' };
const cents = (s: string) => Math.round(Number(s) * 100);
/** Long, so that a loaded machine's real time never makes a job ready before the test moves the clock. */
const DELAY = 60_000;

async function readyUrl(sandbox: Sandbox, kind: string, body: object): Promise<string> {
  const api = client(sandbox);
  const created = await api.post(`/exports/${kind}`, body);
  assert.equal(created.status, 201, created.text);
  sandbox.control.advanceClock(DELAY);
  const job = (await api.get(`/exports/${kind}/${created.json().id}`)).json();
  assert.equal(job.status, 'ready');
  return job.file_url;
}

describe('exports', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof client>;
  before(async () => {
    sandbox = await startSandbox({ seed: 17, startTime: START, rateLimit: false, exportDelayMs: DELAY });
    api = client(sandbox);
  });
  after(() => sandbox.close());

  it('POST → 201 pending; pending until exportDelayMs of sandbox time; then ready with a localhost /_files/ URL', async () => {
    const created = await api.post('/exports/fecs', YEAR);
    assert.equal(created.status, 201);
    assert.equal(created.json().status, 'pending');
    const path = `/exports/fecs/${created.json().id}`;
    const pending = (await api.get(path)).json();
    assert.deepEqual([pending.status, pending.file_url], ['pending', null]);
    sandbox.control.advanceClock(DELAY / 2);
    assert.equal((await api.get(path)).json().status, 'pending');
    sandbox.control.advanceClock(DELAY / 2);
    const ready = (await api.get(path)).json();
    assert.equal(ready.status, 'ready');
    const url = new URL(ready.file_url);
    assert.equal(url.hostname, 'localhost');
    assert.match(url.pathname, /^\/_files\//);
    assert.equal((await api.get('/exports/analytical_general_ledgers/' + created.json().id)).status, 404);
  });

  it('serves the FEC the ledger entry lines of the period make: same rows as fecRows, balanced, one per line', async () => {
    const url = await readyUrl(sandbox, 'fecs', YEAR);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const rows = sandbox.control.fecRows(YEAR.period_start, YEAR.period_end);
    assert.deepEqual(bytes, writeFec(rows, { separator: '\t', encoding: 'utf-8' }));
    const text = bytes.toString('utf8').split('\r\n').filter(Boolean);
    assert.equal(text[0], FEC_COLUMNS.join('\t'));
    assert.equal(text.length - 1, rows.length);
    const lines = await api.all('/ledger_entry_lines', {
      limit: 100,
      filter: JSON.stringify([
        { field: 'date', operator: 'gteq', value: YEAR.period_start },
        { field: 'date', operator: 'lteq', value: YEAR.period_end },
      ]),
    });
    assert.equal(rows.length, lines.length);
    const byEntry = new Map<string, number>();
    for (const row of rows)
      byEntry.set(
        row.EcritureNum,
        (byEntry.get(row.EcritureNum) ?? 0) + cents(row.Debit) - cents(row.Credit),
      );
    assert.ok(
      [...byEntry.values()].every((balance) => balance === 0),
      'every entry balances',
    );
    const totalDebit = lines.reduce((s, l) => s + cents(l.debit), 0);
    assert.equal(
      rows.reduce((s, r) => s + cents(r.Debit), 0),
      totalDebit,
    );
  });

  it('writes the FEC in the configured dialect (| and ISO-8859-15)', async () => {
    const pipe = await startSandbox({
      seed: 17,
      startTime: START,
      rateLimit: false,
      exportDelayMs: DELAY,
      fecDialect: { separator: '|', encoding: 'iso-8859-15' },
    });
    try {
      const bytes = Buffer.from(await (await fetch(await readyUrl(pipe, 'fecs', YEAR))).arrayBuffer());
      const text = decodeIso885915(bytes);
      assert.ok(text.startsWith(FEC_COLUMNS.join('|')));
      assert.ok(text.includes('Achats'));
      assert.ok(bytes.includes(0xe9), 'é as one ISO-8859-15 byte');
      assert.equal(bytes.includes(Buffer.from('é', 'utf8')), false);
    } finally {
      await pipe.close();
    }
  });

  it('serves the AGL as an xlsx workbook holding the aglRows of the period', async () => {
    const period = { period_start: '2026-01-01', period_end: '2026-03-31' };
    const res = await fetch(
      await readyUrl(sandbox, 'analytical_general_ledgers', { ...period, mode: 'in_line' }),
    );
    assert.equal(res.status, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    const rows = sandbox.control.aglRows(period.period_start, period.period_end);
    assert.ok(rows.length > 0);
    assert.equal(sheet.actualRowCount, rows.length + 1);
    const ids = new Set(rows.map((r) => r.ledger_entry_line_id));
    const lines = await api.all('/ledger_entry_lines', {
      limit: 100,
      filter: JSON.stringify([
        { field: 'date', operator: 'gteq', value: period.period_start },
        { field: 'date', operator: 'lteq', value: period.period_end },
      ]),
    });
    assert.deepEqual(ids, new Set(lines.map((l) => l.id)));
    assert.ok(
      rows.some((r) => r.category_label !== null),
      'some lines carry an analytical category',
    );
  });

  it('lays the AGL zip out as Excel does (the sheet before the shared strings) with aglPartOrder excel', async () => {
    const excel = await startSandbox({
      seed: 17,
      startTime: START,
      rateLimit: false,
      exportDelayMs: DELAY,
      aglPartOrder: 'excel',
    });
    try {
      const period = { period_start: '2026-01-01', period_end: '2026-03-31', mode: 'in_line' };
      const download = async (sb: Sandbox) =>
        Buffer.from(
          await (await fetch(await readyUrl(sb, 'analytical_general_ledgers', period))).arrayBuffer(),
        );
      // The first occurrence of a part's name is its local header: the order of the parts in the file.
      const sheetFirst = (file: Buffer) =>
        file.indexOf('xl/worksheets/sheet1.xml') < file.indexOf('xl/sharedStrings.xml');
      assert.equal(sheetFirst(await download(excel)), true);
      assert.equal(sheetFirst(await download(sandbox)), false, 'the default order is unchanged');
    } finally {
      await excel.close();
    }
  });

  it('a download carrying Authorization gets 400; after fileUrlTtlMs of sandbox time, 403; an unknown link 404', async () => {
    const url = await readyUrl(sandbox, 'fecs', { period_start: '2026-01-01', period_end: '2026-01-31' });
    const withAuth = await fetch(url, { headers: { authorization: `Bearer ${sandbox.token}` } });
    assert.equal(withAuth.status, 400);
    assert.equal((await fetch(url)).status, 200);
    sandbox.control.advanceClock(30 * 60_000);
    assert.equal((await fetch(url)).status, 403);
    assert.equal((await fetch(url.replace(/_files\/[0-9a-f]+/, '_files/0000'))).status, 404);
  });

  it('an export created while the exportError fault is on ends in error, with no file_url', async () => {
    sandbox.control.setFaults({ exportError: true });
    const created = await api.post('/exports/analytical_general_ledgers', YEAR);
    sandbox.control.clearFaults();
    sandbox.control.advanceClock(DELAY);
    const job = (await api.get(`/exports/analytical_general_ledgers/${created.json().id}`)).json();
    assert.deepEqual([job.status, job.file_url], ['error', null]);
  });

  it('validates the POST body (400) and requires the export scope (403)', async () => {
    for (const body of [
      {},
      { period_start: '2025-01-01' },
      { ...YEAR, fiscal_year_id: 1 },
      { period_start: '2025-13-01', period_end: '2025-12-31' },
      { ...YEAR, mode: 'in_line' },
    ]) {
      assert.equal((await api.post('/exports/fecs', body)).status, 400, JSON.stringify(body));
    }
    assert.equal(
      (await api.post('/exports/analytical_general_ledgers', { ...YEAR, mode: 'sideways' })).status,
      400,
    );
    sandbox.control.setScopes(['exports:agl']);
    const denied = await api.post('/exports/fecs', YEAR);
    sandbox.control.setScopes(['exports:fec', 'exports:agl']);
    assert.equal(denied.status, 403);
    assert.match(denied.json().error, /exports:fec/);
  });

  it('the singular paths the seed project used are 404', async () => {
    assert.equal((await api.post('/exports/fec', YEAR)).status, 404);
    assert.equal((await api.post('/exports/analytical_general_ledger', YEAR)).status, 404);
  });
});
