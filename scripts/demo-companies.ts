/**
 * `npm run demo -- --companies 3`: an accounting firm's first minutes. One sandbox serving N companies
 * of different sizes on one port (one token each, Pennylane's real per-token rate limit), a companies
 * file, a full sync of every company side by side, a change in one company, an incremental round,
 * then each company's schema and the consolidated views (one `company` column) across them all.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadCompaniesFile } from '../runner/src/companies.js';
import {
  type CompaniesContext,
  consolidatedLine,
  runCompanies,
  totalsLine,
} from '../runner/src/companies-sync.js';
import { withProductDefaults } from '../runner/src/config.js';
import { embeddedConnection, startEmbeddedDatabase } from '../runner/src/embedded-database.js';
import { SMALL } from '../sandbox/src/data/sizes.js';
import { startCompaniesSandbox } from '../sandbox/src/index.js';
import { portfolio, writeCompaniesFile } from '../sandbox/src/portfolio.js';
import { createLogger } from '../singer/src/log.js';
import { packageRoot } from '../singer/src/paths.js';

const say = (text = '') => process.stdout.write(`${text}\n`);

export async function demoCompanies(n: number, port: number, keep: boolean): Promise<number> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  say(
    `pennylane-sync demo, ${n} companies: one sandbox, one companies file, one database, consolidated views`,
  );
  say();
  const companies = portfolio(n, SMALL, 42);
  const sandbox = await startCompaniesSandbox(companies.map((c) => ({ ...c, exportDelayMs: 1500 })));
  say(`• sandbox up at ${sandbox.baseUrl}: ${n} companies, one token each, each its own 25 requests / 5 s`);
  for (const c of companies)
    say(`    ${c.name}  token ${c.token}  ${c.size.customerInvoices} customer invoices`);

  const dataDir = join(packageRoot, '.data', 'demo');
  const log = createLogger('demo', (line) => {
    if (!/ INFO {2}/.test(line)) process.stderr.write(line);
  });
  const db = await startEmbeddedDatabase({ dataDir, port, log });
  say(`• local PostgreSQL up on ${db.host}:${db.port}`);
  const connection = embeddedConnection(db);
  const client = new pg.Client(connection);
  await client.connect();
  // Each demo starts from scratch: the sandbox is new, so old tables and bookmarks would not match.
  const old = await client.query<{ s: string }>(
    "SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'pennylane_company%' OR nspname = 'reporting'",
  );
  for (const { s } of old.rows) await client.query(`DROP SCHEMA "${s}" CASCADE`);
  const stateDir = join(dataDir, 'companies-state');
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'companies.json');
  writeCompaniesFile(file, sandbox.baseUrl, companies);
  say(`• companies file ${file} (mode 600): ${companies.map((c) => c.name).join(', ')}`);

  const all = loadCompaniesFile(file, {});
  const ctx: CompaniesContext = {
    connection,
    childEnv: withProductDefaults({
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => !/^(TAP_PENNYLANE_|TARGET_POSTGRES_|PENNYLANE_|MELTANO_|DATABASE_URL$)/.test(k),
        ),
      ),
      LOG_LEVEL: 'warn',
      TAP_PENNYLANE_EXPORT_POLL_INTERVAL_SECONDS: '1',
      TARGET_POSTGRES_DATABASE_URL: db.url,
      TARGET_POSTGRES_SSL_MODE: 'disable',
    }),
    stateDir,
    parallel: n,
    reportingSchema: 'reporting',
    allCompanies: all,
    childLog: (line) => {
      if (/ (WARN|ERROR) |: error: /.test(line)) say(`    ${line}`);
    },
    onLine: (line) => say(`    ${line}`),
    logSink: (line) => {
      if (!/ INFO {2}/.test(line)) process.stderr.write(line);
    },
  };
  let ok = true;
  const round = async (mode: 'full' | 'incremental') => {
    say();
    say(`• ${mode} sync of every company, ${n} at once (${elapsed()} since start)`);
    const roundStart = Date.now();
    const res = await runCompanies(all, { mode }, ctx);
    const line = consolidatedLine('reporting', res);
    if (line) say(`    ${line}`);
    say(`    ${totalsLine(res.outcomes, (Date.now() - roundStart) / 1000)}`);
    ok &&= res.outcomes.every((o) => o.result?.outcome === 'succeeded') && !res.consolidatedError;
  };
  await round('full');

  say();
  const first = sandbox.companies[0]!;
  first.control.advanceClock(60_000);
  const customer = first.control.create('customers', { name: 'Boulangerie Dupont' });
  first.control.create('customer_invoices', { customer: { id: customer.id } });
  first.control.advanceClock(60_000);
  say(`• in ${first.name} only: a new customer "${customer.name}" and an invoice for it`);
  await round('incremental');

  const perCompany = await client.query<{
    company: string;
    lines: string;
    customers: string;
    result: string;
  }>(
    `SELECT l.company, l.lines::text, c.customers::text, coalesce(r.result, 0)::text AS result
     FROM (SELECT company, count(*) AS lines FROM reporting.ledger_lines GROUP BY 1) l
     JOIN (SELECT company, count(*) AS customers FROM reporting.receivables GROUP BY 1) c USING (company)
     LEFT JOIN (SELECT company, sum(amount) AS result FROM reporting.income_statement GROUP BY 1) r USING (company)
     ORDER BY 1`,
  );
  const runs = await client.query<{ company: string; n: string }>(
    "SELECT company, count(*)::text AS n FROM reporting.sync_runs WHERE outcome = 'succeeded' GROUP BY 1 ORDER BY 1",
  );
  await client.end();
  say();
  say(
    '• consolidated views in schema "reporting" (each company\'s own views are in pennylane_<name>_reporting)',
  );
  say('    company      ledger lines  receivable rows  net result, all years');
  for (const r of perCompany.rows) {
    say(
      `    ${r.company.padEnd(12)} ${r.lines.padStart(12)}  ${r.customers.padStart(15)}  ${r.result.padStart(20)}`,
    );
  }
  say(
    `    runs per company (reporting.sync_runs): ${runs.rows.map((r) => `${r.company} ${r.n}`).join(', ')}`,
  );
  say('    SELECT company, fiscal_year_id, sum(amount) FROM reporting.income_statement GROUP BY 1, 2;');
  say();
  say(`• connect: psql "${db.url}"`);
  say(`Done in ${elapsed()}. For your firm: docs/manual/companies.md (a companies file, npm run sync).`);
  if (keep) {
    say('The database and the sandbox stay up until Ctrl-C.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  await sandbox.close();
  await db.stop();
  return ok && perCompany.rows.length === n ? 0 : 1;
}
