import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Sandbox } from '../src/index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Parsed JSON of API responses: the tests assert on its shape, the contract test validates it. */
// biome-ignore lint/suspicious/noExplicitAny: JSON read by tests
export type Json = any;

export type Response = { status: number; headers: Headers; text: string; json: () => Json };

/** A minimal client for the tests: raw fetch, so every status and header stays visible. */
export function client(sandbox: Sandbox, token = sandbox.token) {
  const request = async (
    method: string,
    path: string,
    query: Record<string, string | number> = {},
    body?: unknown,
  ) => {
    const url = new URL(sandbox.baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: () => JSON.parse(text),
    } satisfies Response;
  };
  return {
    get: (path: string, query?: Record<string, string | number>) => request('GET', path, query),
    post: (path: string, body: unknown) => request('POST', path, {}, body),
    /** Every item of a list endpoint, following next_cursor and resending `query` on every page. */
    async all(
      path: string,
      query: Record<string, string | number> = {},
      onPage?: (body: Json) => void,
    ): Promise<Json[]> {
      const items: Json[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10_000; page++) {
        const res = await request('GET', path, { ...query, ...(cursor ? { cursor } : {}) });
        if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${res.text}`);
        const body = res.json();
        onPage?.(body);
        items.push(...body.items);
        if (!body.has_more) return items;
        cursor = body.next_cursor;
      }
      throw new Error('pagination did not end');
    },
  };
}

/**
 * OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a `null` branch (type list and enum gain null;
 * a composed schema gets `anyOf [it, {type: null}]`).
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, toJsonSchema(s)]))
        : toJsonSchema(v);
  }
  if (nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/pennylane-openapi-responses.json', import.meta.url), 'utf8'),
) as { responses: Record<string, unknown>; errors: Record<string, unknown> };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The validator of one operation's success response (`GET /customers`) or error (`GET /customers 403`). */
export function responseValidator(operation: string): ValidateFunction {
  let validate = compiled.get(operation);
  if (!validate) {
    const schema = fixture.responses[operation] ?? fixture.errors[operation];
    if (!schema) throw new Error(`no schema for ${operation} in the fixture`);
    validate = ajv.compile(toJsonSchema(schema) as object);
    compiled.set(operation, validate);
  }
  return validate;
}

/** Operations (and `<operation> <status>` errors) some body passed in this process: the coverage check. */
export const validatedOperations = new Set<string>();

export function assertMatchesSpec(operation: string, body: unknown): void {
  const validate = responseValidator(operation);
  if (!validate(body)) {
    const first = validate.errors
      ?.slice(0, 5)
      .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(`${operation}: response does not match the OpenAPI schema:\n${first?.join('\n')}`);
  }
  validatedOperations.add(operation);
}

export const START = new Date('2026-11-20T09:30:00.000Z');
export const DAY_MS = 86_400_000;
