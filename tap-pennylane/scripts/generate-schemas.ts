/**
 * Development tool, run by hand when Pennylane publishes a new OpenAPI file:
 *   node --import tsx tap-pennylane/scripts/generate-schemas.ts <path/to/pennylane-openapi.json>
 * Writes tap-pennylane/schemas/<stream>.json (Singer JSON Schemas) and the fixture
 * tap-pennylane/test/fixtures/openapi-fields.json (every item field per stream, which the schema tests
 * check against). The committed files are the source of truth: the tap never reads the OpenAPI file.
 * Review the diff after running it: amounts, the newer fields and the export columns are decided below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_PREFIX, CHILD_RESOURCES, childOpenApiPath, LIST_RESOURCES } from '../../pennylane/src/api.js';
import { AGL_COLUMNS, FEC_COLUMNS } from '../../pennylane/src/export-formats.js';
import type { JsonSchema } from '../../singer/src/messages.js';
import { packageRoot } from '../../singer/src/paths.js';
import { STREAMS } from '../src/streams/definitions.js';

type OpenApi = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };
type Node = Record<string, unknown>;

/** Money and rates: strings in the API, exact decimals for us. Paths use `[]` for array items. */
const DECIMALS: Record<string, string[]> = {
  customer_invoices: [
    'amount',
    'currency_amount',
    'currency_amount_before_tax',
    'exchange_rate',
    'currency_tax',
    'tax',
    'discount.value',
    'remaining_amount_with_tax',
    'remaining_amount_without_tax',
  ],
  supplier_invoices: [
    'amount',
    'currency_amount',
    'currency_amount_before_tax',
    'exchange_rate',
    'currency_tax',
    'tax',
    'remaining_amount_with_tax',
    'remaining_amount_without_tax',
  ],
  products: ['price_before_tax', 'price'],
  transactions: [
    'outstanding_balance',
    'currency_amount',
    'amount',
    'currency_fee',
    'fee',
    'categories[].weight',
  ],
  ledger_entry_lines: ['debit', 'credit', 'categories[].weight'],
  ledger_entries: ['categories[].weight'],
  bank_accounts: ['balance'],
  trial_balance: ['debits', 'credits'],
  customer_invoice_lines: [
    'quantity',
    'amount',
    'currency_amount',
    'currency_amount_before_tax',
    'currency_tax',
    'tax',
    'raw_currency_unit_price',
    'discount.value',
  ],
  supplier_invoice_lines: ['amount', 'currency_amount', 'currency_amount_before_tax', 'currency_tax', 'tax'],
  quotes: [
    'amount',
    'currency_amount',
    'currency_amount_before_tax',
    'exchange_rate',
    'currency_tax',
    'tax',
    'discount.value',
  ],
};

const nullable = (type: string): string[] => [type, 'null'];
const str = (format?: string): JsonSchema => ({ type: nullable('string'), ...(format ? { format } : {}) });
const decimal: JsonSchema = { type: nullable('string'), format: 'singer.decimal' };
const int: JsonSchema = { type: nullable('integer') };

/**
 * Fields newer than the April 2026 OpenAPI file (pennylane-api-v2.md §7, tag SPEC+), nullable since an
 * older API answer lacks them. Nested paths add to an existing object.
 */
const NEWER_FIELDS: Record<string, Record<string, JsonSchema>> = {
  customer_invoices: {
    factur_x: { type: nullable('boolean') },
    schematron_validation_status: str(),
    'e_invoicing.flow': { type: nullable('object'), properties: { id: str() } },
  },
  supplier_invoices: {
    paid: { type: nullable('boolean') },
    'e_invoicing.flow': { type: nullable('object'), properties: { id: str() } },
    'e_invoicing.source_file_url': str(),
  },
  products: { substance: str() },
};

/** What the tap adds to the API's fields. */
const EXTRA_FIELDS: Record<string, Record<string, JsonSchema>> = {
  trial_balance: {
    fiscal_year_id: { type: 'integer' },
    period_start: str('date'),
    period_end: str('date'),
  },
  // Lists per parent: the parent's id, which the item itself does not carry.
  ...Object.fromEntries(
    Object.entries(CHILD_RESOURCES).map(([name, c]) => [name, { [c.parentField]: { type: 'integer' } }]),
  ),
};
/**
 * The delete marker: changelog streams emit deletes as records carrying it; export streams use it for the
 * lines of a year's previous export beyond the end of a shorter new one.
 */
const DELETE_MARKER: Record<string, JsonSchema> = { _sdc_deleted_at: str('date-time') };

function resolver(doc: OpenApi) {
  return function resolve(s: Node): Node {
    let node = s;
    while (typeof node.$ref === 'string') {
      let target: unknown = doc;
      for (const part of node.$ref.replace(/^#\//, '').split('/')) target = (target as Node)[part];
      node = target as Node;
    }
    return node;
  };
}

function withNull(schema: JsonSchema): JsonSchema {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0 || types.includes('null')) return schema;
  return { ...schema, type: [...types, 'null'] };
}

/** OpenAPI 3.0 item schema → Singer JSON Schema: types with null, date formats, no enums/required/examples. */
function converter(doc: OpenApi) {
  const resolve = resolver(doc);
  const convert = (raw: Node, path: string, decimals: Set<string>): JsonSchema => {
    const s = resolve(raw);
    const variants = (s.oneOf ?? s.anyOf) as Node[] | undefined;
    if (s.allOf || variants) {
      const parts = ((s.allOf as Node[]) ?? variants!).map(resolve);
      const isNullEnum = (p: Node) => Array.isArray(p.enum) && p.enum.length === 1 && p.enum[0] === null;
      const real = parts.filter((p) => !isNullEnum(p));
      const hasNull = real.length < parts.length || s.nullable === true;
      let out: JsonSchema;
      if (real.every((p) => p.type === 'object' || p.properties)) {
        // Union of objects (customers: company | individual): a field missing from one variant is nullable.
        const merged: Record<string, JsonSchema> = {};
        const seen: Record<string, number> = {};
        for (const p of real) {
          const conv = convert(p, path, decimals);
          for (const [k, v] of Object.entries(conv.properties ?? {})) {
            merged[k] ??= v;
            seen[k] = (seen[k] ?? 0) + 1;
          }
        }
        for (const k of Object.keys(merged))
          if (variants && seen[k]! < real.length) merged[k] = withNull(merged[k]!);
        out = { type: 'object', properties: merged };
      } else {
        const convs = real.map((p) => convert(p, path, decimals));
        const types = [
          ...new Set(convs.flatMap((c) => (Array.isArray(c.type) ? c.type : [c.type as string]))),
        ];
        out = { ...convs[0], type: types.length === 1 ? types[0] : types };
      }
      return hasNull ? withNull(out) : out;
    }
    let out: JsonSchema;
    const type = s.type as string | undefined;
    if (type === 'object' || s.properties) {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Node>))
        properties[k] = convert(v, path ? `${path}.${k}` : k, decimals);
      out = { type: 'object', properties };
    } else if (type === 'array') {
      out = { type: 'array', items: convert(s.items as Node, `${path}[]`, decimals) };
    } else if (type === 'string') {
      const format = s.format === 'date' || s.format === 'date-time' ? s.format : undefined;
      out = decimals.has(path) ? { type: 'string', format: 'singer.decimal' } : { type: 'string' };
      if (format) out.format = format;
      decimals.delete(path);
    } else if (type === 'integer' || type === 'number' || type === 'boolean') {
      out = { type };
    } else {
      throw new Error(`${path}: unhandled OpenAPI schema ${JSON.stringify(s).slice(0, 200)}`);
    }
    return s.nullable === true ? withNull(out) : out;
  };
  return convert;
}

/** Dotted paths of every property of an OpenAPI item schema (`[]` marks array items). */
function fieldPaths(doc: OpenApi, raw: Node, prefix = ''): string[] {
  const resolve = resolver(doc);
  const s = resolve(raw);
  const parts = (s.allOf ?? s.oneOf ?? s.anyOf) as Node[] | undefined;
  if (parts) return [...new Set(parts.flatMap((p) => fieldPaths(doc, p, prefix)))];
  if (s.type === 'array') return fieldPaths(doc, s.items as Node, `${prefix}[]`);
  const out: string[] = [];
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Node>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.push(path, ...fieldPaths(doc, v, path));
  }
  return out;
}

function itemSchema(doc: OpenApi, path: string): Node {
  const resolve = resolver(doc);
  const op = doc.paths[`${API_PREFIX}${path}`]?.get as Node | undefined;
  if (!op) throw new Error(`no GET ${path} in the OpenAPI file`);
  const envelope = resolve(
    (((op.responses as Node)['200'] as Node).content as Node)['application/json'] as Node,
  ).schema as Node;
  const top = resolve(envelope);
  const parts = (top.allOf as Node[] | undefined)?.map(resolve) ?? [top];
  for (const part of parts) {
    const items = (part.properties as Record<string, Node> | undefined)?.items;
    if (items) return resolve(items).items as Node;
  }
  throw new Error(`GET ${path}: no items in the response envelope`);
}

function setPath(schema: JsonSchema, dotted: string, value: JsonSchema): void {
  const keys = dotted.split('.');
  let node = schema;
  for (const key of keys.slice(0, -1)) {
    const next = node.properties?.[key];
    if (!next?.properties) throw new Error(`cannot add ${dotted}: ${key} is not an object`);
    node = next;
  }
  node.properties![keys.at(-1)!] = value;
}

const exportSchemas = (): Record<string, JsonSchema> => {
  const common = (row: string): Record<string, JsonSchema> => ({
    fiscal_year_id: { type: 'integer' },
    [row]: { type: 'integer' },
    export_id: int,
    exported_at: str('date-time'),
  });
  const fecType = (c: string): JsonSchema =>
    /Date$|^DateLet$/.test(c) ? str('date') : /^(Debit|Credit|Montantdevise)$/.test(c) ? decimal : str();
  const aglType = (t: string): JsonSchema =>
    t === 'date' ? str('date') : t === 'decimal' ? decimal : t === 'integer' ? int : str();
  return {
    fec: {
      type: 'object',
      properties: {
        ...common('line_number'),
        ...Object.fromEntries(FEC_COLUMNS.map((c) => [c, fecType(c)])),
      },
    },
    analytical_ledger: {
      type: 'object',
      properties: {
        ...common('row_number'),
        ...Object.fromEntries(AGL_COLUMNS.map((c) => [c.key, aglType(c.type)])),
      },
    },
  };
};

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: generate-schemas.ts <path/to/pennylane-openapi.json>');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApi;
  const convert = converter(doc);
  const fields: Record<string, string[]> = {};
  const exports = exportSchemas();
  for (const def of STREAMS) {
    let schema: JsonSchema;
    if (def.kind === 'export') {
      schema = exports[def.name]!;
      Object.assign(schema.properties!, DELETE_MARKER);
    } else {
      const item = itemSchema(
        doc,
        'child' in def ? childOpenApiPath(def.child) : LIST_RESOURCES[def.resource].path,
      );
      const decimals = new Set(DECIMALS[def.name] ?? []);
      schema = convert(item, '', decimals);
      if (decimals.size > 0)
        throw new Error(`${def.name}: decimal fields not found: ${[...decimals].join(', ')}`);
      fields[def.name] = fieldPaths(doc, item).sort();
      for (const [path, value] of Object.entries(NEWER_FIELDS[def.name] ?? {})) setPath(schema, path, value);
      Object.assign(schema.properties!, EXTRA_FIELDS[def.name] ?? {});
      if (def.kind === 'changelog' || def.kind === 'child_changelog')
        Object.assign(schema.properties!, DELETE_MARKER);
    }
    // Key properties first, so the table's columns start with its primary key.
    const props = schema.properties!;
    const ordered: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries([
        ...def.key.map((k) => [k, props[k]]),
        ...Object.entries(props).filter(([k]) => !def.key.includes(k)),
      ]),
    };
    writeFileSync(
      join(packageRoot, 'tap-pennylane/schemas', `${def.name}.json`),
      `${JSON.stringify(ordered, null, 2)}\n`,
    );
  }
  const fixture = {
    $comment:
      'Item field paths per stream from Pennylane OpenAPI v2 (April 2026, /work/shared/reference/pennylane-openapi.json), written by tap-pennylane/scripts/generate-schemas.ts. `[]` marks array items.',
    streams: fields,
  };
  writeFileSync(
    join(packageRoot, 'tap-pennylane/test/fixtures/openapi-fields.json'),
    `${JSON.stringify(fixture, null, 2)}\n`,
  );
}

main();
