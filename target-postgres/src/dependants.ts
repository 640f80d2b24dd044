/**
 * Reads from pg_catalog what depends on columns about to be widened: the views and materialized
 * views to drop and recreate (recursively: views on views, in any schema), everything needed to
 * recreate them, and the objects that cannot be kept that way (blockers). Run inside the widening
 * transaction, after its locks, with `search_path = pg_catalog` so every definition is schema-qualified.
 */
import type pg from 'pg';
import type { AclItem, Dependant, DependantColumn, DependantIndex } from './dependants-sql.js';

/** An object that depends on the column (or on a dependant) and that the target does not recreate. */
export type Blocker = {
  /** pg_identify_object: `trigger`, `rule`, `policy`, `function`, `table column`… */
  type: string;
  /** pg_identify_object's identity: `audit on s.orders`, `s.f(integer)`, `reporting.v`. */
  identity: string;
  /** What it depends on, as pg_describe_object says it (`column quantity of table s.orders`). */
  on: string;
};

export type Found = { dependants: Dependant[]; blockers: Blocker[] };

/** The views and materialized views reading the columns, and those reading them, at any depth. */
const CLOSURE_SQL = `
WITH RECURSIVE closure(oid) AS (
  SELECT r.ev_class
    FROM pg_depend d
    JOIN pg_rewrite r ON r.oid = d.objid
    JOIN pg_class v ON v.oid = r.ev_class
   WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
     AND d.refobjid = $1::oid AND d.refobjsubid = ANY($2::int2[]) AND v.relkind IN ('v', 'm')
  UNION
  SELECT r.ev_class
    FROM closure
    JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = closure.oid
    JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    JOIN pg_class v ON v.oid = r.ev_class
   WHERE v.relkind IN ('v', 'm') AND r.ev_class <> closure.oid
)
SELECT oid::text FROM closure`;

/**
 * What the target does not recreate: on the widened columns, the objects PostgreSQL refuses to carry
 * through ALTER COLUMN TYPE besides views (rules on the table, triggers, policies, functions with a
 * SQL-standard body, publication column lists); on the dependants, anything but their internal parts
 * (row type, toast table, _RETURN rule), their own rules, indexes, triggers, column defaults and
 * statistics, and the other dependants (a DROP would take those with it, or refuse).
 */
const BLOCKERS_SQL = `
WITH deps AS (
  SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
    FROM pg_depend d
   WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = $1::oid AND d.refobjsubid = ANY($2::int2[])
     AND d.deptype = 'n'
     AND d.classid IN ('pg_rewrite'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass,
                       'pg_proc'::regclass, 'pg_publication_rel'::regclass)
  UNION ALL
  SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
    FROM pg_depend d
   WHERE (d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($3::oid[]))
      OR (d.refclassid = 'pg_type'::regclass
          AND d.refobjid IN (SELECT reltype FROM pg_class WHERE oid = ANY($3::oid[])))
)
SELECT DISTINCT o.type, o.identity, pg_describe_object(deps.refclassid, deps.refobjid, deps.refobjsubid) AS on
  FROM deps
  LEFT JOIN pg_rewrite r ON deps.classid = 'pg_rewrite'::regclass AND r.oid = deps.objid
  LEFT JOIN pg_class i ON deps.classid = 'pg_class'::regclass AND i.oid = deps.objid
  LEFT JOIN pg_trigger tg ON deps.classid = 'pg_trigger'::regclass AND tg.oid = deps.objid
  LEFT JOIN pg_attrdef ad ON deps.classid = 'pg_attrdef'::regclass AND ad.oid = deps.objid
  LEFT JOIN pg_statistic_ext st ON deps.classid = 'pg_statistic_ext'::regclass AND st.oid = deps.objid
  CROSS JOIN LATERAL pg_identify_object(deps.classid, deps.objid, deps.objsubid) o
 WHERE NOT (r.oid IS NOT NULL AND r.ev_class = ANY($3::oid[]))
   AND deps.deptype <> 'i'
   AND NOT (i.oid IS NOT NULL AND i.relkind = 'i' AND deps.refobjid = ANY($3::oid[]))
   AND NOT (tg.oid IS NOT NULL AND tg.tgrelid = ANY($3::oid[]))
   AND NOT (ad.oid IS NOT NULL AND ad.adrelid = ANY($3::oid[]))
   AND NOT (st.oid IS NOT NULL AND st.stxrelid = ANY($3::oid[]))
 ORDER BY 1, 2`;

const ACL_JSON = (acl: string) => `
  COALESCE((SELECT json_agg(json_build_object(
      'grantor', pg_get_userbyid(x.grantor),
      'grantee', CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END,
      'privilege', x.privilege_type, 'grantable', x.is_grantable) ORDER BY x.grantor, x.grantee, x.privilege_type)
    FROM aclexplode(${acl}) x), '[]'::json)`;

const RELATIONS_SQL = `
SELECT c.oid::text, n.nspname AS schema, c.relname AS name,
       CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind,
       pg_get_userbyid(c.relowner) AS owner, pg_get_viewdef(c.oid) AS definition,
       COALESCE(c.reloptions, '{}') AS options,
       CASE WHEN c.relkind = 'm' THEN am.amname END AS "accessMethod", ts.spcname AS tablespace,
       c.relispopulated AS populated, obj_description(c.oid, 'pg_class') AS comment,
       ${ACL_JSON("COALESCE(c.relacl, acldefault('r', c.relowner))")} AS acl
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_am am ON am.oid = c.relam
  LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
 WHERE c.oid = ANY($1::oid[])`;

const COLUMNS_SQL = `
SELECT a.attrelid::text AS rel, a.attname AS name, col_description(a.attrelid, a.attnum) AS comment,
       pg_get_expr(d.adbin, d.adrelid) AS default,
       ${ACL_JSON('a.attacl')} AS acl
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

const INDEXES_SQL = `
SELECT i.indrelid::text AS rel, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
       ts.spcname AS tablespace, obj_description(i.indexrelid, 'pg_class') AS comment
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
 WHERE i.indrelid = ANY($1::oid[])
 ORDER BY i.indrelid, ic.relname`;

const OWN_OBJECTS_SQL = `
SELECT ev_class::text AS rel, 'rule' AS what, pg_get_ruledef(oid) AS definition
  FROM pg_rewrite WHERE ev_class = ANY($1::oid[]) AND rulename <> '_RETURN'
UNION ALL
SELECT tgrelid::text, 'trigger', pg_get_triggerdef(oid)
  FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal
UNION ALL
SELECT stxrelid::text, 'statistics', pg_get_statisticsobjdef(oid)
  FROM pg_statistic_ext WHERE stxrelid = ANY($1::oid[])
ORDER BY 1, 2, 3`;

const EDGES_SQL = `
SELECT DISTINCT r.ev_class::text AS dependant, d.refobjid::text AS on
  FROM pg_depend d
  JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
 WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1::oid[])
   AND r.ev_class = ANY($1::oid[]) AND r.ev_class <> d.refobjid`;

/** The table's oid and the numbers of the named columns. */
export async function columnNumbers(
  client: pg.Client,
  table: string,
  columns: string[],
): Promise<{ oid: string; attnums: number[] }> {
  const r = await client.query<{ oid: string; attnums: number[] }>(
    `SELECT $1::regclass::oid::text AS oid,
            ARRAY(SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = ANY($2::text[]))
              AS attnums`,
    [table, columns],
  );
  return r.rows[0]!;
}

/** Reads every dependant of the columns (with what recreating it needs) and every blocker. */
export async function readDependants(client: pg.Client, tableOid: string, attnums: number[]): Promise<Found> {
  const closure = (await client.query<{ oid: string }>(CLOSURE_SQL, [tableOid, attnums])).rows.map(
    (r) => r.oid,
  );
  const blockers = (await client.query<Blocker>(BLOCKERS_SQL, [tableOid, attnums, closure])).rows;
  if (closure.length === 0) return { dependants: [], blockers };

  type RelationRow = Omit<
    Dependant,
    'columns' | 'indexes' | 'rules' | 'triggers' | 'statistics' | 'dependsOn'
  >;
  const relations = (await client.query<RelationRow>(RELATIONS_SQL, [closure])).rows;
  const columns = (await client.query<DependantColumn & { rel: string }>(COLUMNS_SQL, [closure])).rows;
  const indexes = (await client.query<DependantIndex & { rel: string }>(INDEXES_SQL, [closure])).rows;
  const own = (
    await client.query<{ rel: string; what: string; definition: string }>(OWN_OBJECTS_SQL, [closure])
  ).rows;
  const edges = (await client.query<{ dependant: string; on: string }>(EDGES_SQL, [closure])).rows;

  const dependants = relations.map(
    (r): Dependant => ({
      ...r,
      acl: r.acl as AclItem[],
      columns: columns.filter((c) => c.rel === r.oid).map(({ rel: _, ...c }) => c),
      indexes: indexes.filter((i) => i.rel === r.oid).map(({ rel: _, ...i }) => i),
      rules: own.filter((o) => o.rel === r.oid && o.what === 'rule').map((o) => o.definition),
      triggers: own.filter((o) => o.rel === r.oid && o.what === 'trigger').map((o) => o.definition),
      statistics: own.filter((o) => o.rel === r.oid && o.what === 'statistics').map((o) => o.definition),
      dependsOn: edges.filter((e) => e.dependant === r.oid).map((e) => e.on),
    }),
  );
  // Closure order (breadth first from the table) keeps the statements stable from run to run.
  dependants.sort((a, b) => closure.indexOf(a.oid) - closure.indexOf(b.oid));
  return { dependants, blockers };
}

/** The privileges a relation has now (after it was recreated), defaults made explicit. */
export async function currentAcl(client: pg.Client, relation: string): Promise<AclItem[]> {
  const r = await client.query<{ acl: AclItem[] }>(
    `SELECT ${ACL_JSON("COALESCE(c.relacl, acldefault('r', c.relowner))")} AS acl
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [relation],
  );
  return r.rows[0]?.acl ?? [];
}
