import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema } from '../../../singer/src/messages.js';
import { packageRoot } from '../../../singer/src/paths.js';

/** Where the stream schemas live, from source (tsx) and from dist/ alike: they are not compiled. */
export const SCHEMAS_DIR = join(packageRoot, 'tap-pennylane', 'schemas');

const cache = new Map<string, JsonSchema>();

/** The JSON Schema of a stream, read once from `tap-pennylane/schemas/<name>.json`. */
export function streamSchema(name: string): JsonSchema {
  let schema = cache.get(name);
  if (!schema) {
    const file = join(SCHEMAS_DIR, `${name}.json`);
    try {
      schema = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    } catch (err) {
      throw new Error(`stream ${name}: cannot read its schema ${file} (${(err as Error).message})`);
    }
    cache.set(name, schema);
  }
  // A copy, so no caller can change what the next one reads.
  return structuredClone(schema);
}
