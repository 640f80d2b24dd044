import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { packageRoot } from '../singer/src/paths.js';
import { assembleReadme } from './build-readme.js';

it('README.md is the assembly of docs/manual/*.md (run `npm run readme` after editing a section)', () => {
  assert.equal(readFileSync(join(packageRoot, 'README.md'), 'utf8'), assembleReadme());
});
