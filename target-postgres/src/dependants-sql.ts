/**
 * The statements that drop and recreate the views and materialized views depending on a column the
 * target widens (see widening.ts for the transaction around them). Pure: the catalog facts come in as
 * a `Dependant`, the SQL goes out as `Step`s, each naming the object it concerns for the error line.
 */
import { qualified, quoteIdent } from './identifiers.js';

export type DependantKind = 'view' | 'materialized view';

/** One privilege of an ACL, as `aclexplode` lists it; `grantee` null is PUBLIC. */
export type AclItem = { grantor: string; grantee: string | null; privilege: string; grantable: boolean };

export type DependantColumn = {
  name: string;
  comment: string | null;
  /** A view column's default (`ALTER VIEW … ALTER COLUMN … SET DEFAULT`), as pg_get_expr prints it. */
  default: string | null;
  /** Column-level privileges (`GRANT SELECT (col) …`). */
  acl: AclItem[];
};

export type DependantIndex = {
  name: string;
  definition: string;
  tablespace: string | null;
  comment: string | null;
};

/** A view or materialized view as the catalog describes it, everything needed to recreate it. */
export type Dependant = {
  oid: string;
  kind: DependantKind;
  schema: string;
  name: string;
  owner: string;
  /** pg_get_viewdef under `search_path = pg_catalog`, so every name in it is schema-qualified. */
  definition: string;
  /** reloptions, `key=value` (security_barrier, check_option, security_invoker, storage parameters). */
  options: string[];
  /** Materialized views: table access method, tablespace (null: the default), whether it holds data. */
  accessMethod: string | null;
  tablespace: string | null;
  populated: boolean;
  comment: string | null;
  columns: DependantColumn[];
  /** Relation privileges with the default ones made explicit (`acldefault` when relacl is NULL). */
  acl: AclItem[];
  indexes: DependantIndex[];
  /** pg_get_ruledef / pg_get_triggerdef / pg_get_statisticsobjdef of the relation's own objects. */
  rules: string[];
  triggers: string[];
  statistics: string[];
  /** The oids of the other dependants this one's definition reads. */
  dependsOn: string[];
};

/**
 * One statement, the object it concerns (`view reporting.sales`) and the role it runs as (the owner, or
 * a grantor), for the error line.
 */
export type Step = { sql: string; object: string; role: string };

/** `view reporting.sales`: how an object is named in log and error lines. */
export const describe = (d: Pick<Dependant, 'kind' | 'schema' | 'name'>): string =>
  `${d.kind} ${d.schema}.${d.name}`;

/** A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1: only quotes double). */
export const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

const target = (d: Dependant): string => qualified(d.schema, d.name);
const keyword = (d: Dependant): string => (d.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW');
const role = (name: string | null): string => (name === null ? 'PUBLIC' : quoteIdent(name));

/** pg_get_*def texts end with a semicolon; statements are sent one at a time without it. */
const bare = (sql: string): string => sql.trim().replace(/;\s*$/, '');

/** `WITH (security_barrier='true', check_option='local')`, or nothing. */
export function optionsClause(options: string[]): string {
  if (options.length === 0) return '';
  const items = options.map((o) => {
    const eq = o.indexOf('=');
    const key = eq === -1 ? o : o.slice(0, eq);
    const value = eq === -1 ? 'true' : o.slice(eq + 1);
    if (!/^[a-z_][a-z0-9_.]*$/.test(key)) throw new Error(`unexpected relation option ${JSON.stringify(o)}`);
    return `${key}=${quoteLiteral(value)}`;
  });
  return ` WITH (${items.join(', ')})`;
}

/**
 * Dependants ordered so each comes after every dependant it reads (creation order; drop in reverse).
 * Ties keep the input order, so the statements are the same from one run to the next.
 */
export function creationOrder(dependants: Dependant[]): Dependant[] {
  const byOid = new Map(dependants.map((d) => [d.oid, d]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Dependant[] = [];
  const visit = (d: Dependant): void => {
    if (done.has(d.oid)) return;
    if (visiting.has(d.oid)) throw new Error(`${describe(d)} depends on itself`);
    visiting.add(d.oid);
    for (const oid of d.dependsOn) {
      const on = byOid.get(oid);
      if (on) visit(on);
    }
    visiting.delete(d.oid);
    done.add(d.oid);
    out.push(d);
  };
  for (const d of dependants) visit(d);
  return out;
}

/** DROP without CASCADE, dependants before what they read: anything we did not plan for stops it. */
export const dropSteps = (ordered: Dependant[]): Step[] =>
  [...ordered]
    .reverse()
    .map((d) => ({ sql: `DROP ${keyword(d)} ${target(d)}`, object: describe(d), role: d.owner }));

/**
 * Recreates one dependant as its owner (so it is owned, and its defaults and grants are recorded, as
 * before): the relation with its options, then its column defaults, indexes, rules, triggers,
 * statistics and comments. Privileges come after, once the new relation's own ACL is known (aclSteps).
 */
export function recreateSteps(d: Dependant): Step[] {
  const object = describe(d);
  const t = target(d);
  const steps: string[] = [`SET LOCAL ROLE ${quoteIdent(d.owner)}`];
  if (d.kind === 'view') {
    steps.push(`CREATE VIEW ${t}${optionsClause(d.options)} AS ${bare(d.definition)}`);
  } else {
    const using = d.accessMethod ? ` USING ${quoteIdent(d.accessMethod)}` : '';
    const space = d.tablespace ? ` TABLESPACE ${quoteIdent(d.tablespace)}` : '';
    const data = d.populated ? 'WITH DATA' : 'WITH NO DATA';
    steps.push(
      `CREATE MATERIALIZED VIEW ${t}${using}${optionsClause(d.options)}${space} AS ${bare(d.definition)} ${data}`,
    );
  }
  for (const c of d.columns) {
    if (c.default !== null) {
      steps.push(`ALTER VIEW ${t} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${c.default}`);
    }
  }
  for (const i of d.indexes) {
    steps.push(bare(i.definition));
    const index = qualified(d.schema, i.name);
    if (i.tablespace) steps.push(`ALTER INDEX ${index} SET TABLESPACE ${quoteIdent(i.tablespace)}`);
    if (i.comment !== null) steps.push(`COMMENT ON INDEX ${index} IS ${quoteLiteral(i.comment)}`);
  }
  for (const def of [...d.rules, ...d.triggers, ...d.statistics]) steps.push(bare(def));
  if (d.comment !== null) steps.push(`COMMENT ON ${keyword(d)} ${t} IS ${quoteLiteral(d.comment)}`);
  for (const c of d.columns) {
    if (c.comment !== null) {
      steps.push(`COMMENT ON COLUMN ${t}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)}`);
    }
  }
  steps.push('RESET ROLE');
  return steps.map((sql) => ({ sql, object, role: d.owner }));
}

const itemKey = (i: AclItem): string => JSON.stringify([i.grantor, i.grantee, i.privilege]);

/**
 * The GRANTs and REVOKEs that turn the new relation's privileges (`current`: the owner's defaults and
 * any ALTER DEFAULT PRIVILEGES) into the saved ones, each run as its grantor so the ACL reads exactly
 * as before. Grants by the owner come first: another grantor needs the grant option they give.
 */
export function aclSteps(d: Dependant, current: AclItem[]): Step[] {
  const object = describe(d);
  const t = target(d);
  const have = new Map(current.map((i) => [itemKey(i), i]));
  const want = new Map(d.acl.map((i) => [itemKey(i), i]));
  const out: { grantor: string; sql: string }[] = [];
  for (const [key, i] of have) {
    const w = want.get(key);
    if (!w)
      out.push({ grantor: i.grantor, sql: `REVOKE ${i.privilege} ON TABLE ${t} FROM ${role(i.grantee)}` });
    else if (i.grantable && !w.grantable) {
      out.push({
        grantor: i.grantor,
        sql: `REVOKE GRANT OPTION FOR ${i.privilege} ON TABLE ${t} FROM ${role(i.grantee)}`,
      });
    }
  }
  const grants: AclItem[] = [];
  for (const [key, w] of want) {
    const h = have.get(key);
    if (!h || (w.grantable && !h.grantable)) grants.push(w);
  }
  const columnGrants = d.columns.flatMap((c) => c.acl.map((i) => ({ ...i, column: c.name })));
  for (const g of grantOrder([...grants, ...columnGrants], d.owner)) {
    const cols = 'column' in g ? ` (${quoteIdent(g.column as string)})` : '';
    const option = g.grantable ? ' WITH GRANT OPTION' : '';
    out.push({
      grantor: g.grantor,
      sql: `GRANT ${g.privilege}${cols} ON TABLE ${t} TO ${role(g.grantee)}${option}`,
    });
  }
  const steps: Step[] = [];
  let as: string | undefined;
  for (const s of out) {
    if (s.grantor !== as) {
      steps.push({ sql: `SET LOCAL ROLE ${quoteIdent(s.grantor)}`, object, role: s.grantor });
      as = s.grantor;
    }
    steps.push({ sql: s.sql, object, role: s.grantor });
  }
  if (as !== undefined) steps.push({ sql: 'RESET ROLE', object, role: d.owner });
  return steps;
}

/** Grants by the owner first, then each grant once its grantor holds a grant option (chains of any length). */
function grantOrder<T extends AclItem>(grants: T[], owner: string): T[] {
  const canGrant = new Set([owner]);
  const out: T[] = [];
  let left = grants;
  while (left.length > 0) {
    const ready = left.filter((g) => canGrant.has(g.grantor));
    // A grantor nobody gives an option to (a role that was the owner before): keep the order, let
    // PostgreSQL say what it refuses.
    const next = ready.length > 0 ? ready : left;
    for (const g of next) {
      out.push(g);
      if (g.grantable && g.grantee !== null) canGrant.add(g.grantee);
    }
    left = left.filter((g) => !next.includes(g));
  }
  return out;
}
