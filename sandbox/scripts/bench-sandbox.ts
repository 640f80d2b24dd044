/**
 * `npm run bench:sandbox [-- --size large|small] [--pages N]`
 *
 * The sandbox must never be what a tap benchmark measures. This prints:
 * - generation time and retained heap of the chosen size (large: ~490,000 ledger entry lines);
 * - the time to read N pages of `/ledger_entry_lines?limit=100&sort=id` (cursor loop, as the tap does),
 *   against a baseline measured in the same run: a bare node:http server answering the same number of
 *   requests with a pre-serialised page of the same size. The ratio is the sandbox's own overhead
 *   (query, render, serialise); it should stay small (≲ 2–3×) whatever the size.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '../src/index.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const size = option('size', 'large') as 'large' | 'small';
const pages = Number(option('pages', '300'));
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let t = performance.now();
const sandbox = await startSandbox({ size, rateLimit: false, seed: 1 });
const generationMs = performance.now() - t;
gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
const headers = { authorization: `Bearer ${sandbox.token}` };

// Sandbox: a cursor loop over the lines.
let cursor: string | null = null;
let bytes = 0;
let sample = '';
t = performance.now();
for (let i = 0; i < pages; i++) {
  const url = new URL(`${sandbox.baseUrl}/ledger_entry_lines`);
  url.searchParams.set('limit', '100');
  url.searchParams.set('sort', 'id');
  if (cursor) url.searchParams.set('cursor', cursor);
  const text = await (await fetch(url, { headers })).text();
  bytes += text.length;
  sample = text;
  cursor = (JSON.parse(text) as { next_cursor: string | null }).next_cursor;
  if (!cursor) break;
}
const sandboxMs = performance.now() - t;

// Baseline: the same number of requests answered with a fixed page of the same size.
const page = Buffer.from(sample);
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': page.length });
  res.end(page);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/ledger_entry_lines`;
t = performance.now();
for (let i = 0; i < pages; i++) JSON.parse(await (await fetch(bareUrl, { headers })).text());
const baselineMs = performance.now() - t;
bare.close();
await sandbox.close();

const out = {
  size,
  generation_ms: Math.round(generationMs),
  heap_mb: gc ? Math.round(heapMb) : 'run with node --expose-gc for a retained-heap figure',
  pages,
  page_kb: Math.round(bytes / pages / 1024),
  sandbox_ms_per_page: +(sandboxMs / pages).toFixed(2),
  baseline_ms_per_page: +(baselineMs / pages).toFixed(2),
  ratio: +(sandboxMs / baselineMs).toFixed(2),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
