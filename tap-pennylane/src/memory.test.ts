import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../singer/src/paths.js';

const MEMORY_TS = join(packageRoot, 'tap-pennylane/src/memory.ts');

/**
 * The tap's allocation pattern in small: pages of 100 API records wait (here 400 pages, as on a loaded
 * machine where the writer falls behind the listings side by side) while the oldest is serialized.
 * They survive young GCs, are promoted, then die: the old space fills with dead pages. Prints the
 * largest heap V8 kept.
 */
const CHURN = `
import { getHeapStatistics } from 'node:v8';
if (process.argv[1] === 'with') await import(${JSON.stringify(pathToFileURL(MEMORY_TS).href)});
const record = (i) => ({ id: i, label: 'VIR SEPA ' + i + ' ' + 'x'.repeat(i % 40), date: '2025-01-01',
  amount: i + '.00', currency: 'EUR', journal: { id: i % 7, url: 'http://h/journals/' + (i % 7) }, categories: [] });
const waiting = [];
let peak = 0;
for (let p = 0; p < 3000; p++) {
  waiting.push(Array.from({ length: 100 }, (_, i) => record(p * 100 + i)));
  if (waiting.length > 400) for (const r of waiting.shift()) JSON.stringify(r);
  await new Promise(setImmediate);
  peak = Math.max(peak, getHeapStatistics().total_heap_size);
}
console.log(Math.round(peak / 1048576));
`;

const peakHeapMb = (mode: 'with' | 'without'): number => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHURN, mode], {
    cwd: packageRoot,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
};

describe('memory settings', () => {
  it('keep the heap near what the tap holds when records are promoted and die (V8 defaults keep far more)', () => {
    const without = peakHeapMb('without');
    const withSettings = peakHeapMb('with');
    // About 45 MB live at the end: 74 MB with the settings, 116–121 MB without on Node 20.
    assert.ok(withSettings <= 90, `the heap reached ${withSettings} MB with the settings`);
    // The control: the same work under V8's defaults shows what the settings are for.
    assert.ok(
      without >= withSettings * 1.35,
      `without the settings ${without} MB, with them ${withSettings} MB: the settings no longer make a difference`,
    );
  });

  it('are applied by the CLI before any other module loads', () => {
    const cli = readFileSync(join(packageRoot, 'tap-pennylane/src/cli.ts'), 'utf8');
    const firstImport = /^import .*$/m.exec(cli)?.[0];
    assert.equal(firstImport, "import './memory.js';");
  });
});
