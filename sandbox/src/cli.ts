/**
 * `npm run sandbox -- --port 8787 --size small [--seed N] [--token T] [--no-rate-limit]`: serves the fake
 * Pennylane API until Ctrl-C and prints where (base URL, token, control URL).
 * `--companies N [--companies-file FILE]`: N companies of different sizes and seeds on the one port,
 * one token each (printed, and written as a companies file for `npm run sync`).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveCounts } from './data/sizes.js';
import { DEFAULT_SEED, DEFAULT_TOKEN, startCompaniesSandbox, startSandbox } from './index.js';
import { portfolio, writeCompaniesFile } from './portfolio.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('sandbox')
  .usage('$0 [options]: a local fake of the Pennylane API v2 (see docs/manual/sandbox.md)')
  .option('port', { type: 'number', default: 8787, describe: 'port on 127.0.0.1 (0 = any free port)' })
  .option('size', {
    choices: ['small', 'large'] as const,
    default: 'small' as const,
    describe: 'amount of generated data',
  })
  .option('seed', {
    type: 'number',
    default: DEFAULT_SEED,
    describe: 'data generator seed (same seed, same data)',
  })
  .option('token', { type: 'string', default: DEFAULT_TOKEN, describe: 'the Bearer token the API accepts' })
  .option('rate-limit', {
    type: 'boolean',
    default: true,
    describe: 'enforce 25 requests per 5 s (--no-rate-limit to disable)',
  })
  .option('export-delay-ms', { type: 'number', default: 1500, describe: 'time before an export is ready' })
  .option('fec-separator', { choices: ['tab', 'pipe'] as const, default: 'tab' as const })
  .option('fec-encoding', { choices: ['utf-8', 'iso-8859-15'] as const, default: 'utf-8' as const })
  .option('agl-part-order', {
    choices: ['streaming', 'excel'] as const,
    default: 'streaming' as const,
    describe: 'AGL xlsx zip layout (excel: the sheet before the shared strings)',
  })
  .option('companies', { type: 'number', describe: 'serve N companies on the one port, one token each' })
  .option('companies-file', {
    type: 'string',
    describe: 'with --companies: write a companies file (mode 600) for PENNYLANE_COMPANIES_FILE',
  })
  .strict()
  .help()
  .parse();

/** Ctrl-C or a SIGTERM closes the server, then the process. */
function closeOnSignal(sandbox: { close(): Promise<void> }): void {
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (argv.companies !== undefined) {
  const started = Date.now();
  const companies = portfolio(argv.companies, resolveCounts(argv.size), argv.seed);
  const sandbox = await startCompaniesSandbox(
    companies.map((c) => ({
      ...c,
      rateLimit: argv['rate-limit'] ? undefined : false,
      exportDelayMs: argv['export-delay-ms'],
    })),
    { port: argv.port },
  );
  if (argv['companies-file']) writeCompaniesFile(argv['companies-file'], sandbox.baseUrl, companies);
  process.stdout.write(
    [
      `Pennylane sandbox: ${companies.length} companies (${argv.size}, seeds ${argv.seed}…) ready in ${Date.now() - started} ms`,
      `  base URL:    ${sandbox.baseUrl}`,
      ...companies.map(
        (c) =>
          `  ${c.name}: token ${c.token}, ${c.size.customerInvoices} customer invoices, control ${sandbox.companies.find((s) => s.name === c.name)!.controlUrl}`,
      ),
      ...(argv['companies-file']
        ? [`  companies file: ${argv['companies-file']} (PENNYLANE_COMPANIES_FILE)`]
        : []),
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  closeOnSignal(sandbox);
} else {
  const started = Date.now();
  const sandbox = await startSandbox({
    port: argv.port,
    size: argv.size,
    seed: argv.seed,
    token: argv.token,
    rateLimit: argv['rate-limit'] ? undefined : false,
    exportDelayMs: argv['export-delay-ms'],
    fecDialect: { separator: argv['fec-separator'] === 'pipe' ? '|' : '\t', encoding: argv['fec-encoding'] },
    aglPartOrder: argv['agl-part-order'],
  });
  process.stdout.write(
    [
      `Pennylane sandbox (${argv.size}, seed ${argv.seed}) ready in ${Date.now() - started} ms`,
      `  base URL:    ${sandbox.baseUrl}`,
      `  token:       ${sandbox.token}`,
      `  control URL: ${sandbox.controlUrl}`,
      `  try: curl -H "Authorization: Bearer ${sandbox.token}" ${sandbox.baseUrl}/me`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  closeOnSignal(sandbox);
}
