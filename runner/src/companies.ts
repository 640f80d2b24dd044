import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { registerSecret } from '../../singer/src/log.js';
import { ConfigError } from '../../singer/src/settings.js';

/**
 * The companies file (PENNYLANE_COMPANIES_FILE or --companies): one Pennylane company per entry, each
 * with its own token (a Pennylane token is bound to one company), its own schema, state file and lock.
 * Without the file the runner syncs the one company of PENNYLANE_API_TOKEN, as before.
 */
export type Company = {
  /** Slug: lowercase letters, digits and _; names the schema, the state file and the summary line. */
  name: string;
  token: string;
  /** Where the token came from, for messages that must never show the token itself. */
  tokenSource: string;
  /** The variable named by `api_token_env`, when the token comes from one. */
  tokenEnv?: string;
  baseUrl?: string;
  schema: string;
};

const FIELDS = new Set(['name', 'api_token', 'api_token_env', 'base_url', 'schema']);
/** Short enough that `pennylane_<name>_reporting` stays under PostgreSQL's 63-byte identifiers. */
const SLUG = /^[a-z0-9_]{1,40}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,52}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Refused like an SSH key: the file may hold tokens, so no one but its owner may read it. */
export function checkFileMode(path: string, mode: number): void {
  if ((mode & 0o077) === 0) return;
  throw new ConfigError(
    `companies file ${path}: readable by other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); ` +
      `it may hold API tokens: run \`chmod 600 ${path}\``,
  );
}

/**
 * Parses and checks the file's text. Each problem is one line naming the file, the company (position
 * and name) and the field, and what to write instead. `env` resolves `api_token_env`.
 */
export function parseCompanies(
  text: string,
  path: string,
  env: NodeJS.ProcessEnv,
  reservedSchemas: string[] = [],
  /** False when only the layout matters (meltano.yml generation): a variable may be unset here. */
  needTokens = true,
): Company[] {
  const fail = (what: string): never => {
    throw new ConfigError(`companies file ${path}: ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message}); expected {"companies": [{"name": …}, …]}`);
  }
  const list = (doc as { companies?: unknown } | null)?.companies;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(list)) {
    return fail('expected an object {"companies": [{"name": "acme", "api_token_env": "ACME_TOKEN"}, …]}');
  }
  if (list.length === 0) return fail('"companies" is empty: list at least one company');
  const names = new Map<string, number>();
  const schemas = new Map<string, string>();
  return list.map((entry: unknown, i: number): Company => {
    const at = `company #${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return fail(`${at}: expected an object with "name" and "api_token" or "api_token_env"`);
    }
    const e = entry as Record<string, unknown>;
    const name = e.name;
    if (typeof name !== 'string' || !SLUG.test(name)) {
      return fail(
        `${at}: field "name" ${name === undefined ? 'is missing' : `is ${JSON.stringify(name)}`}: ` +
          'use a short slug of lowercase letters, digits and _ (at most 40), e.g. "acme"',
      );
    }
    const where = `${at} "${name}"`;
    const unknown = Object.keys(e).filter((k) => !FIELDS.has(k));
    if (unknown.length > 0) {
      fail(`${where}: unknown field "${unknown[0]}": the fields are ${[...FIELDS].join(', ')}`);
    }
    const first = names.get(name);
    if (first !== undefined) fail(`${where}: field "name" repeats company #${first}: names must be unique`);
    names.set(name, i + 1);

    let token: string;
    let tokenSource: string;
    if (e.api_token !== undefined && e.api_token_env !== undefined) {
      return fail(`${where}: both "api_token" and "api_token_env" are set: keep one`);
    }
    if (e.api_token_env !== undefined) {
      const variable = e.api_token_env;
      if (typeof variable !== 'string' || !ENV_NAME.test(variable)) {
        return fail(
          `${where}: field "api_token_env" must be an environment variable name, e.g. "ACME_TOKEN"`,
        );
      }
      const value = needTokens ? env[variable]?.trim() : '';
      if (needTokens && !value) {
        return fail(
          `${where}: field "api_token_env": the variable ${variable} is not set: put ${variable}=<token> in .env or the environment`,
        );
      }
      token = value ?? '';
      tokenSource = `environment variable ${variable}`;
    } else if (e.api_token !== undefined) {
      if (typeof e.api_token !== 'string' || e.api_token.trim() === '') {
        return fail(`${where}: field "api_token" must be a non-empty string (the company's Pennylane token)`);
      }
      token = e.api_token.trim();
      tokenSource = `"api_token" in ${basename(path)}`;
    } else {
      return fail(
        `${where}: no token: set "api_token_env" (the name of a variable holding the token) or "api_token"`,
      );
    }
    if (/\s/.test(token))
      fail(`${where}: the token (${tokenSource}) contains whitespace: paste the token alone`);

    let baseUrl: string | undefined;
    if (e.base_url !== undefined) {
      const raw = e.base_url;
      let ok = false;
      if (typeof raw === 'string') {
        try {
          const u = new URL(raw);
          ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
        } catch {}
      }
      if (!ok) fail(`${where}: field "base_url" must be an http(s) URL without credentials`);
      baseUrl = raw as string;
    }

    const schema = e.schema === undefined ? `pennylane_${name}` : e.schema;
    if (typeof schema !== 'string' || !SCHEMA.test(schema)) {
      return fail(
        `${where}: field "schema" must be lowercase letters, digits and _ (at most 53, not starting with a digit)`,
      );
    }
    if (reservedSchemas.includes(schema)) {
      fail(`${where}: field "schema" is "${schema}", the schema of the consolidated views: choose another`);
    }
    const other = schemas.get(schema);
    if (other !== undefined)
      fail(`${where}: schema "${schema}" is also company "${other}"'s: schemas must differ`);
    schemas.set(schema, name);
    return {
      name,
      token,
      tokenSource,
      schema,
      ...(typeof e.api_token_env === 'string' ? { tokenEnv: e.api_token_env } : {}),
      ...(baseUrl ? { baseUrl } : {}),
    };
  });
}

/** Reads, checks the mode of, and parses the companies file; every token is registered for redaction. */
export function loadCompaniesFile(
  file: string,
  env: NodeJS.ProcessEnv,
  reservedSchemas: string[] = [],
  needTokens = true,
): Company[] {
  const path = resolve(file);
  let text: string;
  try {
    checkFileMode(path, statSync(path).mode);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`companies file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
  }
  const companies = parseCompanies(text, path, env, reservedSchemas, needTokens);
  for (const c of companies) registerSecret(c.token);
  return companies;
}

/** `--company NAME` (repeatable, comma lists allowed): the chosen companies, in the file's order. */
export function pickCompanies(companies: Company[], names: string[] | undefined): Company[] {
  if (!names || names.length === 0) return companies;
  const wanted = new Set(
    names
      .flatMap((n) => n.split(','))
      .map((n) => n.trim())
      .filter(Boolean),
  );
  const unknown = [...wanted].filter((n) => !companies.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new ConfigError(
      `--company ${unknown.join(', ')}: not in the companies file (known: ${companies.map((c) => c.name).join(', ')})`,
    );
  }
  return companies.filter((c) => wanted.has(c.name));
}

/**
 * The programs' environment for one company: its token and base URL, and nothing of another company's
 * (the single-company PENNYLANE_API_TOKEN is removed so it can never stand in for a missing one).
 */
export function companyEnv(base: NodeJS.ProcessEnv, company: Company): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, TAP_PENNYLANE_API_TOKEN: company.token };
  delete env.PENNYLANE_API_TOKEN;
  if (company.baseUrl) env.TAP_PENNYLANE_BASE_URL = company.baseUrl;
  env.TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA = company.schema;
  return env;
}

/** `<state dir>/<name>.json`. */
export const companyStateFile = (stateDir: string, company: Company): string =>
  join(stateDir, `${company.name}.json`);

/** `--record out/run.ndjson.gz` with companies: `out/run.acme.ndjson.gz`, one file per company. */
export function companyRecordFile(file: string, company: Company): string {
  const name = basename(file);
  const gz = name.endsWith('.gz') ? '.gz' : '';
  const stem = name.slice(0, name.length - gz.length);
  const ext = extname(stem);
  return join(dirname(file), `${stem.slice(0, stem.length - ext.length)}.${company.name}${ext}${gz}`);
}
