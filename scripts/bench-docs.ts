import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../singer/src/paths.js';

export const BENCH_DOC = join(packageRoot, 'docs/manual/target-benchmarks.md');

/**
 * Replaces the part of docs/manual/target-benchmarks.md between `<!-- name -->` and `<!-- /name -->`
 * (appending it when absent), so each benchmark rewrites its own figures and keeps the others'.
 */
export function writeDocSection(name: string, markdown: string): void {
  const open = `<!-- ${name} -->`;
  const close = `<!-- /${name} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const current = existsSync(BENCH_DOC) ? readFileSync(BENCH_DOC, 'utf8') : '# Benchmarks: target-postgres\n';
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + block + current.slice(end + close.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCH_DOC, next.endsWith('\n') ? next : `${next}\n`);
}
