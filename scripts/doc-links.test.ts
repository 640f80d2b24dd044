import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../singer/src/paths.js';
import { brokenLinks, docPages, headingAnchors, headingSlug, relativeLinks } from './doc-links.js';

describe('headingSlug: the anchors GitHub gives headings', () => {
  it('keeps accents and underscores, drops punctuation and code marks', () => {
    assert.equal(headingSlug('Démarrage rapide (français)'), 'démarrage-rapide-français');
    assert.equal(
      headingSlug('Export files: the `fec` and `analytical_ledger` tables'),
      'export-files-the-fec-and-analytical_ledger-tables',
    );
    assert.equal(headingSlug('Performance (`npm run bench:tap`)'), 'performance-npm-run-benchtap');
    assert.equal(headingSlug('tap-pennylane → target-postgres'), 'tap-pennylane--target-postgres');
    assert.equal(headingSlug('See [the manual](docs/x.md)'), 'see-the-manual');
  });

  it('numbers repeated headings and ignores `#` lines inside code blocks', () => {
    const page = '# Tests\n\n```sh\n# not a heading\n```\n\n## Tests\n### Other ##\n';
    assert.deepEqual([...headingAnchors(page)], ['tests', 'tests-1', 'other']);
  });
});

describe('relativeLinks', () => {
  it('finds inline and reference links with their line, skipping URLs and code', () => {
    const page = [
      'See [the manual](docs/manual/runner.md#the-demo) and [site](https://example.com).',
      '`[not](a-link.md)` and [a link split',
      'over two lines](#top "title")',
      '```md',
      '[inside](code.md)',
      '```',
      '[ref]: ../other.md',
    ].join('\n');
    assert.deepEqual(relativeLinks(page), [
      { line: 1, target: 'docs/manual/runner.md#the-demo' },
      { line: 3, target: '#top' },
      { line: 7, target: '../other.md' },
    ]);
  });
});

describe('brokenLinks', () => {
  it('names the page and line of each dead link, what is missing and the fix', () => {
    const root = mkdtempSync(join(tmpdir(), 'doc-links-'));
    try {
      mkdirSync(join(root, 'docs/manual'), { recursive: true });
      writeFileSync(
        join(root, 'README.md'),
        '# Title\n\n[ok](docs/manual/a.md#a-heading) [gone](docs/manual/gone.md)\n[bad](docs/manual/a.md#nope) [self](#title)\n',
      );
      writeFileSync(join(root, 'docs/manual/a.md'), '# A heading\n\n[back](../../README.md#titl)\n');
      assert.deepEqual(brokenLinks(root, ['README.md', 'docs/manual/a.md']), [
        'README.md:3: link (docs/manual/gone.md): no file docs/manual/gone.md; fix the link or restore the page',
        'README.md:4: link (docs/manual/a.md#nope): docs/manual/a.md has no heading with anchor #nope; link to one of its headings (a-heading)',
        'docs/manual/a.md:3: link (../../README.md#titl): README.md has no heading with anchor #titl; link to one of its headings (title)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the project's own pages", () => {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');

  it('every relative link of README.md, ARCHITECTURE.md and docs/**/*.md resolves', () => {
    const pages = docPages(packageRoot);
    assert.ok(pages.includes('docs/manual/runner.md'), `pages checked: ${pages.join(', ')}`);
    assert.deepEqual(brokenLinks(packageRoot, pages), []);
  });

  it('README.md is a short landing page that states the test command CI runs (.ci/run: npm test)', () => {
    const lines = readme.split('\n');
    assert.ok(
      lines.length <= 250,
      `README.md has ${lines.length} lines; keep it ≤ 250, move detail to docs/manual/`,
    );
    assert.match(readme, /^npm test\b/m, 'README.md: state the test command `npm test` in a code block');
    assert.match(readFileSync(join(packageRoot, '.ci/run'), 'utf8'), /^npm test$/m);
    assert.ok(
      lines.slice(0, 10).some((l) => l.includes('docs/manual/quickstart-fr.md')),
      'README.md: link the French quick start within the first 10 lines',
    );
  });

  it('each manual page has a title, links back to the README, and is linked from it', () => {
    const manual = readdirSync(join(packageRoot, 'docs/manual')).filter((f) => f.endsWith('.md'));
    for (const name of manual) {
      const page = readFileSync(join(packageRoot, 'docs/manual', name), 'utf8');
      assert.match(page, /^# \S/, `docs/manual/${name}: start with a "# Title" line`);
      assert.ok(
        page.includes('](../../README.md'),
        `docs/manual/${name}: add a link back to ../../README.md`,
      );
      assert.ok(
        readme.includes(`](docs/manual/${name}`),
        `README.md: link docs/manual/${name} in "The manual"`,
      );
    }
  });
});
