/**
 * `npm run sandbox -- --port 8787 --size small [--seed N] [--token T] [--no-rate-limit]`: serves the fake
 * Pennylane API until Ctrl-C and prints where (base URL, token, control URL).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_SEED, DEFAULT_TOKEN, startSandbox } from './index.js';

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
  .strict()
  .help()
  .parse();

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
const stop = () => {
  sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
