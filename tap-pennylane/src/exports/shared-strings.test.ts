import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../../singer/src/paths.js';
import { SharedStrings } from './shared-strings.js';

describe('SharedStrings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shared-strings-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives back every text exactly, in any order, from a file only its user can read, removed on close', async () => {
    const path = join(dir, 'a.strings');
    const table = new SharedStrings(path);
    const texts = Array.from({ length: 20_000 }, (_, i) =>
      i % 3 ? `Écriture ${i} — Œuvres d’été ${'€'.repeat(i % 4)} 😀` : i % 2 ? '' : `${i}`,
    );
    for (const text of texts) table.add(text);
    assert.equal(table.length, texts.length);
    for (const i of [19_999, 0, 1, 7_777, 2, 19_998, 1]) assert.equal(table.get(i), texts[i], `string ${i}`);
    for (let i = 0; i < texts.length; i += 1) assert.equal(table.get(i), texts[i]);
    assert.equal(table.get(texts.length), undefined);
    assert.equal(table.get(-1), undefined);
    assert.equal(table.get(1.5), undefined);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(path)).size, Buffer.byteLength(texts.join('')));
    table.close();
    table.close();
    assert.deepEqual(await readdir(dir), []);
  });

  it('holds 8 bytes per text in memory, not the texts (a large AGL year has 100,000+ distinct labels)', () => {
    // 300,000 distinct labels of ~45 characters: about 20 MB as JavaScript strings.
    const child = `
      import { getHeapStatistics } from 'node:v8';
      const { SharedStrings } = await import(${JSON.stringify(pathToFileURL(join(packageRoot, 'tap-pennylane/src/exports/shared-strings.ts')).href)});
      const used = () => { globalThis.gc(); return getHeapStatistics().used_heap_size; };
      const before = used();
      const table = new SharedStrings(${JSON.stringify(join(dir, 'big.strings'))});
      for (let i = 0; i < 300000; i++) table.add('VIR SEPA ' + i + ' NATHAN MICHEL F-2026-' + (i * 7919));
      const grown = used() - before;
      if (table.get(299999) !== 'VIR SEPA 299999 NATHAN MICHEL F-2026-' + 299999 * 7919) throw new Error('wrong text');
      table.close();
      console.log(Math.round(grown / 1024));
    `;
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', child],
      { cwd: packageRoot, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const grownKb = Number(run.stdout.trim());
    assert.ok(grownKb < 6 * 1024, `the table took ${grownKb} kB of heap for 300,000 texts`);
  });
});
