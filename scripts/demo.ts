/**
 * `npm run demo`: a newcomer's first minutes, with nothing to configure. Starts the sandbox (a fake
 * Pennylane with a small French company, the real rate limit on) and a local PostgreSQL (in
 * .data/demo, apart from real data), runs a full sync through the runner, changes a few objects in
 * the sandbox, runs an incremental sync, then prints the tables, the reporting layer's net result and
 * balance sheet totals per fiscal year (built at the end of each run), both run summaries and how to connect.
 * `npm run demo -- --keep` leaves the database up (and the sandbox) until Ctrl-C, to explore it.
 * `npm run demo -- --companies 3`: the same with three companies and the consolidated views (demo-companies.ts).
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, sep } from 'node:path';
import pg from 'pg';
import { withProductDefaults } from '../runner/src/config.js';
import { embeddedConnection, startEmbeddedDatabase } from '../runner/src/embedded-database.js';
import { formatSummary } from '../runner/src/summary.js';
import { runSync, type SyncResult } from '../runner/src/sync.js';
import { startSandbox } from '../sandbox/src/index.js';
import { createLogger } from '../singer/src/log.js';
import { packageRoot } from '../singer/src/paths.js';
import { STREAMS as STREAM_DEFINITIONS } from '../tap-pennylane/src/streams/definitions.js';
import { demoCompanies } from './demo-companies.js';

const keep = process.argv.includes('--keep');
/** Every stream must end up with rows: the demo fails loudly otherwise. */
const STREAMS = STREAM_DEFINITIONS.map((d) => d.name);
// The runner's own INFO lines are for logs; the demo prints its own story, and warnings.
const log = createLogger('demo', (line) => {
  if (!/ INFO {2}/.test(line)) process.stderr.write(line);
});
const say = (text = '') => process.stdout.write(`${text}\n`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** 5434 (next to the real database's 5433) when free, else any free port. */
async function demoPort(): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: got } = server.address() as { port: number };
        server.close(() => resolve(got));
      });
    });
  return (await tryListen(5434)) ?? (await tryListen(0))!;
}

/** The children get the sandbox and the demo database, never the user's own .env settings. */
function demoEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(TAP_PENNYLANE_|TARGET_POSTGRES_|PENNYLANE_|MELTANO_|DATABASE_URL$)/.test(k),
    ),
  );
  return withProductDefaults({ ...clean, LOG_LEVEL: 'info', ...extra });
}

/** Progress worth showing a newcomer: one line per stream, and anything that went wrong. */
function progress(line: string): void {
  const done =
    /tap-pennylane: ([a-z_]+): ok, (\d+) records \((\d+) deleted\), (\d+) requests, ([\d.]+ s)/.exec(line);
  if (done)
    say(
      `    ${done[1]!.padEnd(24)} ${done[2]!.padStart(6)} records  ${done[4]!.padStart(3)} requests  ${done[5]}`,
    );
  else if (/ (WARN|ERROR) |: error: /.test(line)) say(`    ${line}`);
}

type Statement = { label: string; status: string; result: string; actif: string; passif: string };

/** Per fiscal year: the net result (Σ income_statement) and the balance sheet's two totals, as text. */
async function readStatements(client: pg.Client): Promise<Statement[]> {
  const res = await client.query<Statement>(
    `SELECT to_char(y.start, 'YYYY') AS label, y.status,
            coalesce((SELECT sum(amount) FROM reporting.income_statement i WHERE i.fiscal_year_id = y.id), 0)::text AS result,
            coalesce((SELECT sum(amount) FROM reporting.balance_sheet b WHERE b.fiscal_year_id = y.id AND side = 'actif'), 0)::text AS actif,
            coalesce((SELECT sum(amount) FROM reporting.balance_sheet b WHERE b.fiscal_year_id = y.id AND side = 'passif'), 0)::text AS passif
     FROM pennylane.fiscal_years y WHERE y._sdc_deleted_at IS NULL ORDER BY y.start`,
  );
  return res.rows;
}

/** 12345.6 → "12 345,60 €", from the exact decimal text (no float). */
function euros(text: string): string {
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${text.startsWith('-') ? '-' : ''}${grouped},${frac.padEnd(2, '0').slice(0, 2)} €`;
}

async function main(): Promise<number> {
  const companiesAt = process.argv.indexOf('--companies');
  if (companiesAt > 0) {
    const n = Number(process.argv[companiesAt + 1]);
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error('--companies needs a number from 1 to 20');
    return demoCompanies(n, await demoPort(), keep);
  }
  say(
    'pennylane-sync demo: sandbox (fake Pennylane API) → tap-pennylane | target-postgres → local PostgreSQL',
  );
  say();
  const sandbox = await startSandbox({ size: 'small', seed: 42 });
  say(`• sandbox up at ${sandbox.baseUrl} (small company, Pennylane's real rate limit: 25 requests / 5 s)`);

  const dataDir = join(packageRoot, '.data', 'demo');
  const db = await startEmbeddedDatabase({ dataDir, port: await demoPort(), log });
  // As root with the project in a private folder, the cluster lives in /var/lib/pennylane-sync: say where.
  const inProject = db.clusterDir.startsWith(packageRoot + sep);
  say(
    `• local PostgreSQL up on ${db.host}:${db.port} (data in ${inProject ? relative(packageRoot, db.clusterDir) : db.clusterDir}, separate from real data)`,
  );
  const connection = embeddedConnection(db);
  const client = new pg.Client(connection);
  await client.connect();
  // Each demo starts from scratch: the sandbox is new, so the old tables and bookmarks would not match.
  await client.query('DROP SCHEMA IF EXISTS reporting CASCADE');
  await client.query('DROP SCHEMA IF EXISTS pennylane CASCADE');
  const stateFile = join(dataDir, 'state.json');
  rmSync(stateFile, { force: true });

  const ctx = {
    connection,
    schema: 'pennylane',
    stateFile,
    childEnv: demoEnv({
      PENNYLANE_API_TOKEN: sandbox.token,
      TAP_PENNYLANE_BASE_URL: sandbox.baseUrl,
      TAP_PENNYLANE_EXPORT_POLL_INTERVAL_SECONDS: '1',
      TARGET_POSTGRES_DATABASE_URL: db.url,
      TARGET_POSTGRES_SSL_MODE: 'disable',
    }),
    log,
    childLog: progress,
    // Each successful run rebuilds the reporting views (reporting/sql) in schema "reporting".
    reportingSchema: 'reporting',
  };
  const summaries: string[] = [];
  const run = async (mode: 'full' | 'incremental'): Promise<SyncResult> => {
    say();
    say(`• ${mode} sync (${elapsed()} since start)`);
    const result = await runSync({ mode }, ctx);
    summaries.push(formatSummary(result, stateFile));
    say(`  ${summaries.at(-1)}`);
    return result;
  };

  const full = await run('full');

  say();
  say('• changing a few objects in the sandbox, as an accountant would during the day');
  const c = sandbox.control;
  c.advanceClock(60_000);
  const customer = c.create('customers', { name: 'Boulangerie Dupont' });
  say(`    created customer #${customer.id} "${customer.name}"`);
  const invoice = c.create('customer_invoices', { customer: { id: customer.id } });
  say(`    created customer invoice #${invoice.id} (with its ledger entry)`);
  const supplier = c.records('suppliers')[0]!;
  c.update('suppliers', Number(supplier.id), { name: `${supplier.name} (renamed)` });
  say(`    renamed supplier #${supplier.id}`);
  const product = c.records('products')[0]!;
  c.update('products', Number(product.id), { label: `${product.label} — new price` });
  say(`    updated product #${product.id}`);
  const edited = c.records('customer_invoices')[1]!;
  c.changeInvoiceLines('customer_invoices', Number(edited.id), {
    add: [{ product_id: Number(product.id), quantity: 2 }],
  });
  say(`    added a line to customer invoice #${edited.id} (its totals and ledger entry follow)`);
  const gone = c.records('supplier_invoices')[0]!;
  c.remove('supplier_invoices', Number(gone.id));
  say(`    deleted supplier invoice #${gone.id} (and its ledger entry)`);
  c.advanceClock(60_000);

  const incremental = await run('incremental');

  const tables = await client.query<{ name: string; rows: string }>(
    `SELECT c.relname AS name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM pennylane.%I', c.relname), false, true, '')))[1]::text AS rows
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'pennylane' AND c.relkind = 'r' ORDER BY 1`,
  );
  const statements = await readStatements(client);
  await client.end();
  say();
  say('• tables in schema "pennylane"');
  for (const t of tables.rows) say(`    ${t.name.padEnd(24)} ${t.rows.padStart(7)} rows`);
  const empty = [...new Set([...Object.keys(full.rows ?? {}), ...STREAMS])].filter(
    (name) => !tables.rows.some((t) => t.name === name && Number(t.rows) > 0),
  );
  if (empty.length > 0) say(`    NOT LOADED: ${empty.join(', ')}`);
  say();
  say('• reporting views in schema "reporting" (income statement, balance sheet, aged balances…)');
  if (incremental.reportingError) say(`    NOT BUILT: ${incremental.reportingError}`);
  for (const y of statements) {
    say(
      `    fiscal year ${y.label} (${y.status.padEnd(6)})  net result ${euros(y.result).padStart(13)}   ` +
        `bilan: actif ${euros(y.actif).padStart(13)} = passif ${euros(y.passif).padStart(13)}`,
    );
  }
  say(
    '    (SELECT * FROM reporting.income_statement, reporting.balance_sheet, reporting.sig… — see docs/manual/reporting.md)',
  );
  say();
  say('• the two runs');
  for (const s of summaries) say(`    ${s}`);
  say('    (also in the table pennylane.sync_runs: SELECT * FROM pennylane.sync_runs ORDER BY id)');
  say();
  say('• connect (demo database: the password is shown because it only holds sandbox data)');
  say(`    ${db.url}`);
  say(`    psql "${db.url}"`);
  say(
    `    Power BI › Get data › PostgreSQL: server ${db.host}:${db.port}, database ${db.database}, schema pennylane, user ${db.user}`,
  );
  say();
  say(
    `Done in ${elapsed()}. Next: copy .env.example to .env, put your Pennylane token in it, and run \`npm run sync\`.`,
  );

  if (keep) {
    say('The database and the sandbox stay up until Ctrl-C (npm run demo -- --keep).');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } else {
    say('Run `npm run demo -- --keep` to keep the database up and explore it.');
  }
  await sandbox.close();
  await db.stop();
  const balanced = statements.length > 0 && statements.every((y) => y.actif === y.passif);
  return full.outcome === 'succeeded' && incremental.outcome === 'succeeded' && empty.length === 0 && balanced
    ? 0
    : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`demo: error: ${err.message}\n`);
    process.exit(1);
  },
);
