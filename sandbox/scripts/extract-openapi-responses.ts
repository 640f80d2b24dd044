/**
 * Extracts the response schemas the sandbox contract test needs from Pennylane's OpenAPI file into
 * `sandbox/test/fixtures/pennylane-openapi-responses.json`, so the tests never read the reference copy.
 *
 *   node --import tsx sandbox/scripts/extract-openapi-responses.ts /path/to/pennylane-openapi.json
 *
 * Operations: `/me`, every list, every single object (`GET /customers/{id}`…), every changelog, and the
 * export jobs. Keeps, per operation, the JSON schema of its success response (200 or 201) with every `$ref` inlined
 * and documentation-only keywords (description, example, deprecated…) dropped. OpenAPI's `nullable` is
 * kept as is: the test converts it to JSON Schema.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  API_PREFIX,
  CHANGELOG_RESOURCES,
  CHILD_RESOURCES,
  type ChildResourceName,
  childOpenApiPath,
  EXPORT_RESOURCES,
  LIST_RESOURCES,
  SINGLE_RECORD_RESOURCES,
} from '../../pennylane/src/api.js';

const PREFIX = API_PREFIX;
const OPERATIONS: [method: 'get' | 'post', path: string, status: '200' | '201'][] = [
  ['get', '/me', '200'],
  ...Object.values(LIST_RESOURCES).map((r): ['get', string, '200'] => ['get', r.path, '200']),
  ...CHANGELOG_RESOURCES.map((r): ['get', string, '200'] => ['get', `/changelogs/${r}`, '200']),
  ...Object.values(EXPORT_RESOURCES).flatMap((e): [['post', string, '201'], ['get', string, '200']] => [
    ['post', e.path, '201'],
    ['get', `${e.path}/{id}`, '200'],
  ]),
  // Single objects last, so the fixture's earlier operations keep their place.
  ...SINGLE_RECORD_RESOURCES.map((r): ['get', string, '200'] => [
    'get',
    `${LIST_RESOURCES[r].path}/{id}`,
    '200',
  ]),
  // Lists per parent (invoice lines, categories of a group), added later: last, for the same reason.
  ...(Object.keys(CHILD_RESOURCES) as ChildResourceName[]).map((r): ['get', string, '200'] => [
    'get',
    childOpenApiPath(r),
    '200',
  ]),
];
const DROP = new Set([
  'description',
  'example',
  'examples',
  'deprecated',
  'title',
  'externalDocs',
  'x-readme',
]);

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: extract-openapi-responses.ts <pennylane-openapi.json>\n');
  process.exit(2);
}
const raw = readFileSync(source);
const spec = JSON.parse(raw.toString('utf8'));

function resolveRef(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Record<string, unknown>, key) => node[key] as Record<string, unknown>, spec);
}

function inline(node: unknown, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, seen));
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    if (seen.includes(obj.$ref)) throw new Error(`recursive $ref ${obj.$ref}`);
    return inline(resolveRef(obj.$ref), [...seen, obj.$ref]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (DROP.has(key)) continue;
    // `properties` holds names, not keywords: never drop a property called "description" or "title".
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, inline(v, seen)]))
        : inline(value, seen);
  }
  return out;
}

const ERROR_STATUSES = ['400', '401', '403', '404', '422'];
const responses: Record<string, unknown> = {};
const errors: Record<string, unknown> = {};
for (const [method, path, status] of OPERATIONS) {
  const op = spec.paths[PREFIX + path]?.[method];
  const schema = op?.responses?.[status]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no ${status} JSON schema for ${method.toUpperCase()} ${path}`);
  responses[`${method.toUpperCase()} ${path}`] = inline(schema);
  for (const code of ERROR_STATUSES) {
    const error = op.responses?.[code]?.content?.['application/json']?.schema;
    if (error) errors[`${method.toUpperCase()} ${path} ${code}`] = inline(error);
  }
}

const fixture = {
  $comment:
    'Response schemas extracted from Pennylane\'s OpenAPI "Accounting" v2.0 (OpenAPI 3.0.1), the file readme.io serves at ' +
    'https://pennylane.readme.io/openapi/accounting.json; copy taken from GitHub bastien-aster/pennylane-mcp ' +
    'docs/pennylane-openapi.json at commit c37ca1d2a32a690de1b6df07527d91fb1a4a9c9d (2026-04-20), ' +
    `${raw.length} bytes, sha256 ${createHash('sha256').update(raw).digest('hex')}. ` +
    'Extracted by sandbox/scripts/extract-openapi-responses.ts: success response schema of each operation ' +
    '(`responses`) and its 400/401/403/404/422 JSON schemas (`errors`, keyed "<METHOD> <path> <status>"), ' +
    '$refs inlined, description/example/deprecated/title dropped; OpenAPI `nullable` kept (the test converts it).',
  responses,
  errors,
};
const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '../test/fixtures/pennylane-openapi-responses.json',
);
writeFileSync(out, `${JSON.stringify(fixture, null, 1)}\n`);
process.stderr.write(
  `wrote ${out} (${Object.keys(responses).length} operations, ${Object.keys(errors).length} error schemas)\n`,
);
