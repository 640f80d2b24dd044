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
  /** The batch holds deletes. */
  deletes: boolean;
};

/**
 * The merge of the staged batch: last record of a key wins, deletes delete, unchanged rows stay untouched.
 * It returns one row of counts: deleted, flagged (soft-deleted), inserted, updated.
 */
export function mergeSql({ target, columns, keyColumns, repeats, deletes }: MergeSpec): string {
  const q = (c: Column) => quoteIdent(c.name);
  const keys = keyColumns.map(quoteIdent).join(', ');
  const cols = columnList(columns);
  const nonKey = columns.filter((c) => !keyColumns.includes(c.name));
  const compared = nonKey.filter((c) => !(c.metadata && VOLATILE.has(c.metadata)));
  const cmp = (side: string, c: Column) => (c.type === 'json' ? `${side}.${q(c)}::text` : `${side}.${q(c)}`);
  const onConflict =
    compared.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${nonKey.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}
            WHERE ROW(${compared.map((c) => cmp('t', c)).join(', ')}) IS DISTINCT FROM ROW(${compared.map((c) => cmp('EXCLUDED', c)).join(', ')})`;
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
