import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOrder, loadViewFiles, parseViewFile, withSchemas } from './view-files.js';

const view = (name: string, needs: string, body = `CREATE OR REPLACE VIEW reporting.${name} AS SELECT 1;`) =>
  `-- view: reporting.${name}\n-- needs: ${needs}\n${body}`;

describe('reporting view files', () => {
  it('reads the header: the view, the synced tables and the views it needs', () => {
    assert.deepEqual(parseViewFile('x.sql', view('b', 'pennylane.t1, reporting.a, pennylane.t2')), {
      name: 'b',
      file: 'x.sql',
      tables: ['t1', 't2'],
      views: ['a'],
      sql: view('b', 'pennylane.t1, reporting.a, pennylane.t2'),
    });
  });

  it('names the file and the fix for a malformed header', () => {
    assert.throws(
      () => parseViewFile('x.sql', 'SELECT 1'),
      /^Error: x\.sql: first line must be "-- view: reporting\.<name>"/,
    );
    assert.throws(
      () =>
        parseViewFile('x.sql', view('b', 'pennylane.t', 'CREATE OR REPLACE VIEW reporting.c AS SELECT 1;')),
      /x\.sql: declares reporting\.b but has no "CREATE OR REPLACE VIEW reporting\.b AS"/,
    );
    assert.throws(
      () => parseViewFile('x.sql', view('b', 'public.t')),
      /"-- needs:" item "public\.t" must be/,
    );
  });

  it('refuses a view that needs one defined later or twice', () => {
    const a = parseViewFile('01_a.sql', view('a', 'reporting.b'));
    const b = parseViewFile('02_b.sql', view('b', 'pennylane.t'));
    assert.throws(() => checkOrder([a, b]), /01_a\.sql: needs reporting\.b, which no earlier file defines/);
    assert.throws(() => checkOrder([b, b]), /reporting\.b is defined twice/);
    assert.doesNotThrow(() => checkOrder([b, a]));
  });

  it('renames the two schema qualifiers only, quoting a name that needs it', () => {
    const sql = 'SELECT x.a FROM pennylane.t x JOIN reporting.v USING (a) -- mypennylane.t stays';
    assert.equal(withSchemas(sql, 'pennylane', 'reporting'), sql);
    assert.equal(
      withSchemas(sql, 'Compta 2025', 'bi'),
      'SELECT x.a FROM "Compta 2025".t x JOIN bi.v USING (a) -- mypennylane.t stays',
    );
  });

  it('ships the fourteen views in dependency order, each with its header', () => {
    const { setup, views } = loadViewFiles();
    assert.deepEqual(
      setup.map((s) => s.file),
      ['00_indexes.sql'],
    );
    assert.deepEqual(
      views.map((v) => v.name),
      [
        'calendar',
        'accounts',
        'ledger_lines',
        'account_balances',
        'income_statement',
        'balance_sheet',
        'receivables',
        'payables',
        'cash_flows',
        'vat_by_month',
        'analytic_lines',
        'sig',
        'sales_lines',
        'purchase_lines',
      ],
    );
  });
});
