/**
 * `npm run bench:ndjson [-- --lines N]`: our Singer reader (singer/src/reader.ts readSingerMessageChunks:
 * line splitting with line numbers, JSON.parse, envelope checks) against the `ndjson` package's parser
 * (split2 + JSON.parse in a Transform) on the same file of Singer RECORD lines. Prints lines/s for each
 * and the ratio: the figure that justifies keeping our own reader. `--write-docs` puts the figures in
 * docs/manual/target-benchmarks.md.
 */
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import ndjson from 'ndjson';
import { readSingerMessageChunks } from '../singer/src/reader.js';
import { writeDocSection } from './bench-docs.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINES = arg('lines', 1_000_000);
const ROUNDS = arg('rounds', 5);
const WRITE_DOCS = process.argv.includes('--write-docs');

/** Singer RECORD lines shaped like invoices (~300 bytes), written once to a temp file. */
function writeInput(file: string): void {
  const parts: string[] = [];
  for (let i = 0; i < LINES; i++) {
    parts.push(
      JSON.stringify({
        type: 'RECORD',
        stream: 'customer_invoices',
        record: {
          id: 1_000_000 + i,
          invoice_number: `F-2026-${String(i).padStart(7, '0')}`,
          amount: `${(i % 100000) / 100}`,
          currency: 'EUR',
          date: '2026-03-01',
          paid: i % 3 === 0,
          customer: { id: i % 5000, name: `Client ${i % 5000}` },
          label: i % 10 === 0 ? null : `Facture n°${i} — prestation de conseil`,
          updated_at: '2026-03-01T12:34:56.123456Z',
        },
        time_extracted: '2026-03-01T12:35:00.000000Z',
      }),
    );
    if (parts.length === 10_000) {
      writeFileSync(file, `${parts.join('\n')}\n`, { flag: 'a' });
      parts.length = 0;
    }
  }
  if (parts.length > 0) writeFileSync(file, `${parts.join('\n')}\n`, { flag: 'a' });
}

async function ours(file: string): Promise<number> {
  let n = 0;
  // what target-postgres/src/cli.ts does: openInput's read size, one array of messages per chunk
  const input = createReadStream(file, { highWaterMark: 1 << 18 });
  for await (const chunk of readSingerMessageChunks(input, file, { losslessNumbers: true }))
    n += chunk.length;
  return n;
}

async function theirs(file: string): Promise<number> {
  let n = 0;
  const parsed = createReadStream(file, { highWaterMark: 1 << 18 }).pipe(ndjson.parse());
  for await (const _ of parsed) n++;
  return n;
}

async function time(run: (file: string) => Promise<number>, file: string): Promise<number> {
  const started = process.hrtime.bigint();
  const n = await run(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (n !== LINES) throw new Error(`read ${n} lines, expected ${LINES}`);
  return LINES / seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ndjson-'));
try {
  const file = join(dir, 'records.ndjson');
  writeInput(file);
  const mb = statSync(file).size / 1e6;
  process.stderr.write(
    `bench-ndjson: ${LINES.toLocaleString('en')} lines, ${mb.toFixed(0)} MB, best of ${ROUNDS}\n`,
  );
  await ours(file); // warm the page cache and the JIT for both
  await theirs(file);
  let best = { ours: 0, theirs: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    best = {
      ours: Math.max(best.ours, await time(ours, file)),
      theirs: Math.max(best.theirs, await time(theirs, file)),
    };
  }
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  const table = [
    '| reader | lines/s |',
    '|---|---:|',
    `| singer/src/reader.ts readSingerMessageChunks (losslessNumbers, as the target) | ${fmt(best.ours)} |`,
    `| ndjson package: ndjson.parse() (split2 + JSON.parse) | ${fmt(best.theirs)} |`,
  ];
  const ratio = `ratio ours/ndjson: ${(best.ours / best.theirs).toFixed(2)}`;
  const context = `${LINES.toLocaleString('en')} Singer RECORD lines (${mb.toFixed(0)} MB) from a page-cached file, best of ${ROUNDS} rounds each, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, load average (1 min) ${loadavg()[0]!.toFixed(1)}`;
  console.log([...table, '', ratio, context].join('\n'));
  if (WRITE_DOCS) {
    writeDocSection(
      'bench:ndjson',
      [
        '## Reading: our Singer reader against the ndjson package',
        '',
        `Measured with \`npm run bench:ndjson\` on ${new Date().toISOString().slice(0, 10)}: ${context}.`,
        'Our reader also numbers lines (every error names `source:line`) and checks each message envelope.',
        '',
        ...table,
        '',
        `${ratio}.`,
      ].join('\n'),
    );
    process.stderr.write('bench-ndjson: wrote docs/manual/target-benchmarks.md\n');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
