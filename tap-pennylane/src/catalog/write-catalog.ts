/** `npm run catalog`: rewrites catalog.json at the repo root from the definitions and schema files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../singer/src/paths.js';
import { catalogJson } from './discover.js';

const file = join(packageRoot, 'catalog.json');
writeFileSync(file, catalogJson());
process.stderr.write(`wrote ${file}\n`);
