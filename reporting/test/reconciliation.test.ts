import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, lastLine, runSyncCli, startHarness } from '../../runner/test/harness.js';
import { cents, componentOf, groupOf, sectionOf } from './support.js';

/**
 * The reporting layer against the sandbox: one sync as a user runs it (npm run sync, which rebuilds
 * the views at its end), then every statement reconciled with what it must equal — Pennylane's own
 * trial balance and FEC, the raw synced tables, and the rules re-written in support.ts.
 */
type Row = Record<string, string | null>;

describe('the reporting views reconcile with the sandbox company', () => {
  let h: Harness;
  const q = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await h.db.client.query<Row>(sql, params)).rows;
  const sum = (rows: Row[], col: string) => rows.reduce((s, r) => s + cents(r[col] ?? null), 0n);

  before(async () => {
    h = await startHarness();
    const res = await runSyncCli(h, []);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /reporting: 14 views built in schema "reporting"/);
    assert.match(lastLine(res.stderr), /^pennylane-sync: incremental run #1 succeeded/);
  });
  after(() => h.close());

  it('account_balances = the trial_balance stream per fiscal year and account (auxiliaries rolled up), exact', async () => {
    const tb = await q(
      `SELECT fiscal_year_id::text, number, debits::text, credits::text FROM pennylane.trial_balance
       WHERE _sdc_deleted_at IS NULL`,
    );
    const balances = await q(
      'SELECT fiscal_year_id::text, account_number, debit::text, credit::text FROM reporting.account_balances',
    );
    assert.ok(tb.length > 20 && balances.length > 20);
    // The stream rolls auxiliary accounts (4110001) into their collective one (411), as the API does.
    const numbers = new Set(tb.map((r) => r.number!));
    const rolled = new Map<string, { debit: bigint; credit: bigint }>();
    for (const b of balances) {
      const n = numbers.has(b.account_number!)
        ? b.account_number!
        : [...numbers].filter((x) => b.account_number!.startsWith(x)).sort((x, y) => y.length - x.length)[0];
      assert.ok(n, `account ${b.account_number} has no trial balance row`);
      const key = `${b.fiscal_year_id}/${n}`;
      const s = rolled.get(key) ?? { debit: 0n, credit: 0n };
      s.debit += cents(b.debit!);
      s.credit += cents(b.credit!);
      rolled.set(key, s);
    }
    const expected = new Map(
      tb.map((r) => [
        `${r.fiscal_year_id}/${r.number}`,
        { debit: cents(r.debits!), credit: cents(r.credits!) },
      ]),
    );
    assert.deepEqual(rolled, expected);
  });

  it('income_statement: Σ amount per year = Σ(credit − debit) of its class 6-7 lines; each account in its section; non_classe empty', async () => {
    const lines = await q(
      `SELECT y.id::text AS fiscal_year_id, sum(l.credit - l.debit)::text AS result
       FROM pennylane.ledger_entry_lines l JOIN pennylane.fiscal_years y ON l.date BETWEEN y.start AND y.finish
       WHERE l._sdc_deleted_at IS NULL AND left(l.ledger_account__number, 1) IN ('6', '7') GROUP BY 1 ORDER BY 1`,
    );
    const statement = await q(
      `SELECT fiscal_year_id::text, sum(amount)::text AS result FROM reporting.income_statement GROUP BY 1 ORDER BY 1`,
    );
    assert.equal(lines.length, 2);
    assert.deepEqual(statement, lines);
    const rows = await q(
      `SELECT DISTINCT account_number, section_code, section_group FROM reporting.income_statement ORDER BY 1`,
    );
    for (const r of rows) {
      assert.equal(r.section_code, sectionOf(r.account_number!), r.account_number!);
      assert.equal(r.section_group, groupOf(r.section_code!), r.account_number!);
    }
    // Each line lands once: as many (year, month, account) rows as the lines have.
    const [keys] = await q(
      `SELECT (SELECT count(*) FROM (SELECT DISTINCT fiscal_year_id, month_start, account_number FROM reporting.ledger_lines WHERE pcg_class IN ('6','7')) k)::text AS lines,
              (SELECT count(*) FROM reporting.income_statement)::text AS statement`,
    );
    assert.equal(keys?.statement, keys?.lines);
    assert.deepEqual(
      await q(`SELECT * FROM reporting.income_statement WHERE section_code = 'non_classe'`),
      [],
    );
    // The sandbox company covers every section the issue names.
    const sections = new Set(rows.map((r) => r.section_code));
    for (const s of [
      'ventes',
      'subventions_exploitation',
      'autres_produits',
      'reprises_exploitation',
      'achats',
      'charges_externes',
      'impots_taxes',
      'charges_personnel',
      'dotations_exploitation',
      'autres_charges',
      'charges_financieres',
      'produits_financiers',
      'charges_exceptionnelles',
      'produits_exceptionnels',
      'participation_impots',
    ])
      assert.ok(sections.has(s), `the sandbox has no ${s} account`);
    // …and the prefixes whose longest-match rules differ from their class (781 vs 78, 681 vs 68…).
    for (const prefix of [
      '781',
      '791',
      '681',
      '6037',
      '707',
      '66',
      '76',
      '67',
      '77',
      '69',
      '74',
      '63',
      '65',
      '75',
    ])
      assert.ok(
        rows.some((r) => r.account_number!.startsWith(prefix)),
        `the sandbox has no ${prefix}x account`,
      );
  });

  it('balance_sheet: Σ actif = Σ passif for every fiscal year, and its result row is the income statement’s', async () => {
    const sides = await q(
      `SELECT fiscal_year_id::text, sum(amount) FILTER (WHERE side = 'actif')::text AS actif,
              sum(amount) FILTER (WHERE side = 'passif')::text AS passif,
              sum(amount) FILTER (WHERE section_code = 'resultat_exercice')::text AS result
       FROM reporting.balance_sheet GROUP BY 1 ORDER BY 1`,
    );
    const results = await q(
      `SELECT fiscal_year_id::text, sum(amount)::text AS result FROM reporting.income_statement GROUP BY 1 ORDER BY 1`,
    );
    assert.equal(sides.length, 2);
    for (const [i, s] of sides.entries()) {
      assert.equal(cents(s.actif!), cents(s.passif!), `fiscal year ${s.fiscal_year_id}`);
      assert.equal(cents(s.result!), cents(results[i]!.result!));
    }
    // Every balance-sheet class and side is present (fixed assets, depreciation, stock, provisions, loans).
    const sections = new Set(
      (await q('SELECT DISTINCT section_code FROM reporting.balance_sheet')).map((r) => r.section_code),
    );
    for (const s of [
      'immobilisations',
      'stocks',
      'creances_clients',
      'autres_creances',
      'capitaux_propres',
      'provisions',
      'dettes_financieres',
      'dettes_fournisseurs',
      'dettes_fiscales_sociales',
    ])
      assert.ok(sections.has(s), `no ${s}`);
    // Depreciation reduces the fixed assets; class 4-5 accounts sit on the side of their balance.
    const placed = await q(
      `SELECT account_number, side, amount::text FROM reporting.balance_sheet
       WHERE account_number LIKE '28%' OR account_number ~ '^[45]'`,
    );
    assert.ok(placed.some((r) => r.account_number!.startsWith('28') && cents(r.amount!) < 0n));
    assert.ok(placed.filter((r) => /^[45]/.test(r.account_number!)).every((r) => cents(r.amount!) >= 0n));
  });

  it('closed fiscal years: Σ Debit and Σ Credit of the FEC = Σ debit and Σ credit of ledger_lines', async () => {
    const fec = await q(
      `SELECT f.fiscal_year_id::text, sum(f."Debit")::text AS debit, sum(f."Credit")::text AS credit
       FROM pennylane.fec f JOIN pennylane.fiscal_years y ON y.id = f.fiscal_year_id
       WHERE y.status = 'closed' AND f._sdc_deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
    );
    assert.ok(fec.length >= 1, 'a closed year with its FEC');
    const ledger = await q(
      `SELECT fiscal_year_id::text, sum(debit)::text AS debit, sum(credit)::text AS credit
       FROM reporting.ledger_lines WHERE fiscal_year_id = ANY($1::bigint[]) GROUP BY 1 ORDER BY 1`,
      [fec.map((r) => r.fiscal_year_id)],
    );
    assert.deepEqual(ledger, fec);
  });

  for (const [view, table, party] of [
    ['receivables', 'customer_invoices', 'draft IS NOT TRUE'],
    ['payables', 'supplier_invoices', "accounting_status IS DISTINCT FROM 'draft'"],
  ] as const) {
    it(`${view}: Σ remaining = Σ remaining_amount_with_tax of the open invoices, partitioned by the aging buckets`, async () => {
      const raw = await q(
        `SELECT id::text, remaining_amount_with_tax::text AS remaining, deadline::text FROM pennylane.${table}
         WHERE _sdc_deleted_at IS NULL AND ${party} AND remaining_amount_with_tax <> 0`,
      );
      const rows = await q(
        `SELECT invoice_id::text, remaining_amount::text, days_overdue, aging_bucket,
                (current_date - deadline) AS late FROM reporting.${view}`,
      );
      assert.ok(raw.length > 0, `the sandbox has open ${table}`);
      assert.equal(rows.length, raw.length);
      assert.equal(sum(rows, 'remaining_amount'), sum(raw, 'remaining'));
      const bucket = (late: number | null) =>
        late === null || late <= 0
          ? 'non_echu'
          : late <= 30
            ? '0-30'
            : late <= 60
              ? '31-60'
              : late <= 90
                ? '61-90'
                : '90+';
      const byBucket = new Map<string, bigint>();
      for (const r of rows) {
        const late = r.late === null ? null : Number(r.late);
        assert.equal(r.aging_bucket, bucket(late), `invoice ${r.invoice_id}`);
        assert.equal(Number(r.days_overdue), Math.max(late ?? 0, 0));
        byBucket.set(r.aging_bucket!, (byBucket.get(r.aging_bucket!) ?? 0n) + cents(r.remaining_amount!));
      }
      assert.equal(
        [...byBucket.values()].reduce((a, b) => a + b, 0n),
        sum(raw, 'remaining'),
      );
    });
  }

  it('sig: each line is its definition, and resultat_net = Σ income_statement per fiscal year', async () => {
    const perAccount = await q(
      `SELECT fiscal_year_id::text, account_number, sum(credit - debit)::text AS amount FROM reporting.ledger_lines
       WHERE pcg_class IN ('6', '7') GROUP BY 1, 2`,
    );
    const c = new Map<string, Record<string, bigint>>();
    for (const r of perAccount) {
      const component = componentOf(r.account_number!);
      assert.ok(component, `account ${r.account_number} has no SIG component`);
      const year = c.get(r.fiscal_year_id!) ?? {};
      year[component] = (year[component] ?? 0n) + cents(r.amount!);
      c.set(r.fiscal_year_id!, year);
    }
    const sig = await q(
      `SELECT fiscal_year_id::text, line_code, min(line_order) AS line_order, sum(amount)::text AS amount
       FROM reporting.sig GROUP BY 1, 2 ORDER BY 1, 3`,
    );
    for (const [year, k] of c) {
      const v = (name: string) => k[name] ?? 0n;
      const va = v('marge') + v('production') + v('consommations');
      const ebe = va + v('ebe');
      const re = ebe + v('exploitation');
      const rcai = re + v('financier');
      const expected = [
        ['marge_commerciale', v('marge')],
        ['production_exercice', v('production')],
        ['consommations_tiers', v('consommations')],
        ['valeur_ajoutee', va],
        ['ebe', ebe],
        ['resultat_exploitation', re],
        ['resultat_courant_avant_impots', rcai],
        ['resultat_exceptionnel', v('exceptionnel')],
        ['resultat_net', rcai + v('exceptionnel') + v('impots')],
      ];
      assert.deepEqual(
        sig.filter((r) => r.fiscal_year_id === year).map((r) => [r.line_code, cents(r.amount!)]),
        expected,
        `fiscal year ${year}`,
      );
      const [statement] = await q(
        'SELECT sum(amount)::text AS amount FROM reporting.income_statement WHERE fiscal_year_id = $1',
        [year],
      );
      assert.equal(expected[8]![1], cents(statement!.amount!));
    }
  });

  it('vat_by_month: vat_due = collected − deductible, from the 4457x and 4456x lines', async () => {
    const rows = await q(
      'SELECT month_start::text, vat_collected::text, vat_deductible::text, vat_due::text FROM reporting.vat_by_month',
    );
    const raw = await q(
      `SELECT to_char(date, 'YYYY-MM-01') AS month_start,
              sum(credit - debit) FILTER (WHERE ledger_account__number LIKE '4457%')::text AS collected,
              sum(debit - credit) FILTER (WHERE ledger_account__number LIKE '4456%')::text AS deductible
       FROM pennylane.ledger_entry_lines WHERE _sdc_deleted_at IS NULL
         AND (ledger_account__number LIKE '4457%' OR ledger_account__number LIKE '4456%') GROUP BY 1`,
    );
    assert.ok(rows.length > 3);
    assert.equal(rows.length, raw.length);
    const byMonth = new Map(raw.map((r) => [r.month_start, r]));
    for (const r of rows) {
      const m = byMonth.get(r.month_start)!;
      assert.equal(cents(r.vat_collected!), cents(m.collected ?? null));
      assert.equal(cents(r.vat_deductible!), cents(m.deductible ?? null));
      assert.equal(cents(r.vat_due!), cents(r.vat_collected!) - cents(r.vat_deductible!));
    }
  });

  it('analytic_lines: per line, the weights sum as the API gives them and the amounts follow', async () => {
    const raw = await q(
      `SELECT l.id::text, (SELECT sum((c->>'weight')::numeric) FROM jsonb_array_elements(l.categories) c)::text AS weights,
              (l.credit - l.debit)::text AS amount
       FROM pennylane.ledger_entry_lines l WHERE l._sdc_deleted_at IS NULL AND jsonb_array_length(l.categories) > 0`,
    );
    const rows = await q(
      `SELECT line_id::text, sum(weight)::text AS weights, sum(amount)::text AS amount, count(*) AS n,
              bool_and(category_id IS NOT NULL AND analytical_code IS NOT NULL AND category_group_id IS NOT NULL) AS complete
       FROM reporting.analytic_lines GROUP BY 1`,
    );
    assert.ok(raw.length > 0);
    assert.equal(rows.length, raw.length);
    const byId = new Map(rows.map((r) => [r.line_id, r]));
    for (const r of raw) {
      const a = byId.get(r.id)!;
      assert.equal(a.weights, r.weights);
      assert.equal(a.complete, true as unknown as string);
      if (r.weights === '1.0') assert.equal(cents(a.amount!), cents(r.amount!));
    }
  });

  it('calendar covers the fiscal years day by day; accounts has one row per number', async () => {
    const [cal] = await q(
      `SELECT count(*)::int AS days, count(DISTINCT date)::int AS distinct_days, min(date)::text AS first, max(date)::text AS last,
              count(*) FILTER (WHERE fiscal_year_id IS NULL)::int AS outside
       FROM reporting.calendar`,
    );
    const [fy] = await q(
      `SELECT min(start)::text AS first, max(finish)::text AS last, sum(finish - start + 1)::int AS days FROM pennylane.fiscal_years`,
    );
    assert.deepEqual(cal, {
      days: fy!.days,
      distinct_days: fy!.days,
      first: fy!.first,
      last: fy!.last,
      outside: 0,
    });
    const [march] = await q(
      `SELECT month_name_fr, month_label, day_of_week FROM reporting.calendar WHERE date = $1`,
      [`${fy!.first!.slice(0, 4)}-03-02`],
    );
    assert.equal(march?.month_name_fr, 'mars');
    const [dup] = await q(
      'SELECT count(*)::int AS n, count(DISTINCT account_number)::int AS d FROM reporting.accounts',
    );
    assert.equal(dup?.n, dup?.d);
  });

  it('every view and every column has a comment', async () => {
    const missing = await q(
      `SELECT c.relname || coalesce('.' || a.attname, '') AS what
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = 'reporting' AND c.relkind = 'v'
         AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))`,
    );
    assert.deepEqual(missing, []);
    const [views] = await q(`SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'reporting'`);
    assert.equal(views?.n, 14);
  });
  for (const [view, side, nonDraft] of [
    ['sales_lines', 'customer', 'i.draft IS NOT TRUE'],
    ['purchase_lines', 'supplier', "i.accounting_status IS DISTINCT FROM 'draft'"],
  ] as const) {
    it(`${view}: Σ lines = the invoice's amount, tax and amount before tax, for every non-draft ${side} invoice`, async () => {
      const invoices = await q(
        `SELECT i.id::text, i.amount::text, i.tax::text, (i.amount - i.tax)::text AS before_tax
         FROM pennylane.${side}_invoices i WHERE i._sdc_deleted_at IS NULL AND ${nonDraft} ORDER BY 1`,
      );
      const sums = await q(
        `SELECT invoice_id::text AS id, sum(amount)::text AS amount, sum(tax)::text AS tax,
                sum(amount_before_tax)::text AS before_tax
         FROM reporting.${view} GROUP BY 1 ORDER BY 1`,
      );
      assert.ok(invoices.length > 10, `${invoices.length} ${side} invoices`);
      const norm = (rows: Row[]) =>
        rows.map((r) => [r.id, cents(r.amount!), cents(r.tax!), cents(r.before_tax!)]);
      assert.deepEqual(norm(sums), norm(invoices));
      const [named] = await q(
        `SELECT count(*) FILTER (WHERE ${side}_name IS NULL)::text AS unnamed, count(*)::text AS n FROM reporting.${view}`,
      );
      assert.equal(named?.unnamed, '0', `every line has its ${side}`);
    });
  }

  it('sales_lines: every line points to a synced product, with its label', async () => {
    const [r] = await q(
      `SELECT count(*)::text AS n, count(*) FILTER (WHERE product_id IS NOT NULL AND product_label IS NULL)::text AS orphans
       FROM reporting.sales_lines`,
    );
    assert.ok(Number(r?.n) > 0);
    assert.equal(r?.orphans, '0');
  });
});
