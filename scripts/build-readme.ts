/**
 * `npm run readme`: README.md is assembled from docs/manual/*.md, each kept by the area that owns it
 * (some of them are checked against the code by tests). `--check` exits 1 when README.md is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../singer/src/paths.js';

/** Reading order: the newcomer first, then real use, then each program, then the protocols. */
export const README_PARTS = [
  'intro.md',
  'runner.md',
  'quickstart-fr.md',
  'tap-pennylane.md',
  'tap-sync.md',
  'tap-http.md',
  'export-formats.md',
  'target-postgres.md',
  'target-benchmarks.md',
  'sandbox.md',
  'airbyte.md',
  'development.md',
];

export function assembleReadme(): string {
  const parts = README_PARTS.map((name) =>
    readFileSync(join(packageRoot, 'docs/manual', name), 'utf8').trim(),
  );
  return `${parts.join('\n\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = join(packageRoot, 'README.md');
  const text = assembleReadme();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      process.stderr.write(
        'README.md is stale: run `npm run readme` (it is assembled from docs/manual/*.md)\n',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
  }
}
