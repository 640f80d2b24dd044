/**
 * The SQL of the staging path (pure text builders): the temporary staging table, the COPY into it, and
 * the merge of a staged batch into the table.
 */
import type { Column } from './columns.js';
import { quoteIdent } from './identifiers.js';

const STAGE = quoteIdent('target_postgres_stage');
/** Metadata that changes on every extraction: a row differing only in these is not rewritten. */
const VOLATILE = new Set(['extracted_at', 'received_at', 'batched_at', 'sequence']);

/** The quoted column list of a COPY or INSERT, in the layout's order. */
export const columnList = (columns: readonly Column[]): string =>
  columns.map((c) => quoteIdent(c.name)).join(', ');

/** The staging table of one layout: its columns plus the row's position and delete flag. */
export const createStageSql = (columns: readonly Column[]): string[] => [
  `DROP TABLE IF EXISTS pg_temp.${STAGE}`,
  `CREATE TEMP TABLE ${STAGE} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')}, "_sdc_stage_row" bigint, "_sdc_stage_delete" boolean) ON COMMIT DELETE ROWS`,
];

export const stageCopySql = (columns: readonly Column[]): string =>
  `COPY ${STAGE} (${columnList(columns)}, "_sdc_stage_row", "_sdc_stage_delete") FROM STDIN`;

export type MergeSpec = {
  /** The qualified, quoted table. */
  target: string;
  columns: readonly Column[];
  keyColumns: readonly string[];
  /** A key occurs more than once in the batch: only its last record may reach the table. */
  repeats: boolean;
  /** The batch holds deletes (records whose `_sdc_deleted_at` is set). */
  deletes: boolean;
  /** Deletes remove the row (hard_delete), or only flag it, keeping its last known values. */
  hardDelete: boolean;
};

/**
 * What a soft delete may change: `_sdc_deleted_at` and the target's metadata columns. A tap's tombstone
 * (`{id, _sdc_deleted_at}`) knows nothing else about the record, so every other column keeps its value.
 */
const changedBySoftDelete = (c: Column): boolean => c.metadata !== undefined || c.name === '_sdc_deleted_at';

/** The ON CONFLICT action of an upsert: every non-key column takes the new value, unless nothing but metadata changed. */
function upsertConflict(columns: readonly Column[], keyColumns: readonly string[]): string {
  const q = (c: Column) => quoteIdent(c.name);
  const nonKey = columns.filter((c) => !keyColumns.includes(c.name));
  const compared = nonKey.filter((c) => !(c.metadata && VOLATILE.has(c.metadata)));
  const cmp = (side: string, c: Column) => (c.type === 'json' ? `${side}.${q(c)}::text` : `${side}.${q(c)}`);
  return compared.length === 0
    ? 'DO NOTHING'
    : `DO UPDATE SET ${nonKey.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}
            WHERE ROW(${compared.map((c) => cmp('t', c)).join(', ')}) IS DISTINCT FROM ROW(${compared.map((c) => cmp('EXCLUDED', c)).join(', ')})`;
}

/**
 * The merge of the staged batch: last record of a key wins, deletes delete, unchanged rows stay untouched.
 * It returns one row of counts: deleted, flagged (soft-deleted), inserted, updated.
 */
export function mergeSql({ target, columns, keyColumns, repeats, deletes, hardDelete }: MergeSpec): string {
  const keys = keyColumns.map(quoteIdent).join(', ');
  const cols = columnList(columns);
  const onConflict = upsertConflict(columns, keyColumns);
  const flagged = columns.some((c) => c.name === '_sdc_deleted_at')
    ? 't."_sdc_deleted_at" IS NOT NULL'
    : 'false';
  const join = keyColumns.map((k) => `t.${quoteIdent(k)} = w.${quoteIdent(k)}`).join(' AND ');
  // The sort that makes the last record of a key win is only needed when a key repeats in the batch.
  const source = repeats
    ? `SELECT DISTINCT ON (${keys}) * FROM ${STAGE} ORDER BY ${keys}, "_sdc_stage_row" DESC`
    : `SELECT * FROM ${STAGE}`;
  const counts = `count(*) FILTER (WHERE flagged)::int AS flagged,
             count(*) FILTER (WHERE inserted AND NOT flagged)::int AS inserted,
             count(*) FILTER (WHERE NOT inserted AND NOT flagged)::int AS updated
        FROM u`;
  if (deletes && !hardDelete) return softDeleteMergeSql({ target, columns, keyColumns, repeats }, counts);
  if (!deletes) {
    return `WITH u AS (INSERT INTO ${target} AS t (${cols}) SELECT ${cols} FROM (${source}) w
            ON CONFLICT (${keys}) ${onConflict}
            RETURNING (xmax = 0) AS inserted, ${flagged} AS flagged)
      SELECT 0 AS deleted, ${counts}`;
  }
  return `WITH w AS MATERIALIZED (${source}),
      d AS (DELETE FROM ${target} t USING w WHERE w."_sdc_stage_delete" AND ${join} RETURNING 1),
      u AS (INSERT INTO ${target} AS t (${cols}) SELECT ${cols} FROM w WHERE NOT w."_sdc_stage_delete"
            ON CONFLICT (${keys}) ${onConflict}
            RETURNING (xmax = 0) AS inserted, ${flagged} AS flagged)
      SELECT (SELECT count(*) FROM d)::int AS deleted, ${counts}`;
}

/**
 * The merge of a batch holding soft deletes. Per key, the last staged row (`l`) decides whether the row
 * ends flagged and gives the metadata; the last staged row that is not a delete (`v`), when there is one,
 * gives the values (an update then a delete in one batch keeps the update). A key with only deletes in
 * the batch changes nothing but `_sdc_deleted_at` and the metadata of its row, or, when the table has no
 * row for it, is inserted with its key and NULLs: nothing else is known.
 */
function softDeleteMergeSql(
  { target, columns, keyColumns, repeats }: Pick<MergeSpec, 'target' | 'columns' | 'keyColumns' | 'repeats'>,
  counts: string,
): string {
  const q = (c: Column) => quoteIdent(c.name);
  const keys = keyColumns.map(quoteIdent).join(', ');
  const isKey = (c: Column) => keyColumns.includes(c.name);
  const lastOf = (where: string) =>
    repeats
      ? `SELECT DISTINCT ON (${keys}) * FROM ${STAGE} ${where} ORDER BY ${keys}, "_sdc_stage_row" DESC`
      : `SELECT * FROM ${STAGE} ${where}`;
  const join = keyColumns.map((k) => `l.${quoteIdent(k)} = v.${quoteIdent(k)}`).join(' AND ');
  const valued = columns.map((c) => (isKey(c) || changedBySoftDelete(c) ? `l.${q(c)}` : `v.${q(c)}`));
  const flagOnly = columns.filter((c) => isKey(c) || changedBySoftDelete(c));
  const flagSet = flagOnly.filter((c) => !isKey(c));
  const flagCompared = flagSet.filter((c) => !(c.metadata && VOLATILE.has(c.metadata)));
  // Without the column there is nothing to flag: a key known only from its tombstone gets no row.
  const canFlag = columns.some((c) => c.name === '_sdc_deleted_at');
  const flagged = canFlag ? 't."_sdc_deleted_at" IS NOT NULL' : 'false';
  const flagConflict =
    flagSet.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${flagSet.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}${
          flagCompared.length === 0
            ? ''
            : `
            WHERE ROW(${flagCompared.map((c) => `t.${q(c)}`).join(', ')}) IS DISTINCT FROM ROW(${flagCompared.map((c) => `EXCLUDED.${q(c)}`).join(', ')})`
        }`;
  return `WITH l AS MATERIALIZED (${lastOf('')}),
      v AS MATERIALIZED (${lastOf('WHERE NOT "_sdc_stage_delete"')}),
      f AS (INSERT INTO ${target} AS t (${columnList(columns)}) SELECT ${valued.join(', ')} FROM l JOIN v ON ${join}
            ON CONFLICT (${keys}) ${upsertConflict(columns, keyColumns)}
            RETURNING (xmax = 0) AS inserted, ${flagged} AS flagged),
      g AS (INSERT INTO ${target} AS t (${columnList(flagOnly)}) SELECT ${flagOnly.map((c) => `l.${q(c)}`).join(', ')} FROM l
            WHERE ${canFlag ? '' : 'false AND '}l."_sdc_stage_delete" AND NOT EXISTS (SELECT 1 FROM v WHERE ${join})
            ON CONFLICT (${keys}) ${flagConflict}
            RETURNING (xmax = 0) AS inserted, ${flagged} AS flagged),
      u AS (SELECT * FROM f UNION ALL SELECT * FROM g)
      SELECT 0 AS deleted, ${counts}`;
}
