import type pg from 'pg';
import type { Logger } from '../../singer/src/log.js';
import type { Column } from './columns.js';
import { qualified, quoteIdent } from './identifiers.js';
import { holds, normalizeSqlType, type SqlType, widen } from './sql-types.js';
import { TableEvolutionError, type Widening, widenColumns } from './widening.js';

export { TableEvolutionError };

export type TableInfo = { exists: boolean; columns: Map<string, SqlType>; primaryKey: string[] };

/** The table as the catalog describes it: its columns (canonical types) and its real primary key. */
export async function readTable(client: pg.Client, schema: string, table: string): Promise<TableInfo> {
  const cols = await client.query<{ attname: string; type: string }>(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, table],
  );
  if (cols.rowCount === 0) return { exists: false, columns: new Map(), primaryKey: [] };
  const pk = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE i.indisprimary AND n.nspname = $1 AND c.relname = $2 ORDER BY k.ord`,
    [schema, table],
  );
  return {
    exists: true,
    columns: new Map(cols.rows.map((r) => [r.attname, normalizeSqlType(r.type)])),
    primaryKey: pk.rows.map((r) => r.attname),
  };
}

export async function ensureSchema(client: pg.Client, schema: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
}

const sameKey = (a: string[], b: string[]): boolean =>
  a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');

const list = (names: string[]): string => `(${names.join(', ')})`;

/**
 * Makes the table fit the stream: creates it (with a real PRIMARY KEY), adds missing columns, widens
 * columns in place when the new type needs it. Never drops or renames. Returns the columns with the
 * types they really have (an existing wider column is kept, and values are written for it).
 */
export async function syncTable(
  client: pg.Client,
  opts: {
    schema: string;
    table: string;
    stream: string;
    columns: Column[];
    keyColumns: string[];
    log: Logger;
  },
): Promise<Column[]> {
  const { schema, table, stream, columns, keyColumns, log } = opts;
  const target = qualified(schema, table);
  const info = await readTable(client, schema, table);
  if (!info.exists) {
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`);
    if (keyColumns.length > 0) defs.push(`PRIMARY KEY (${keyColumns.map(quoteIdent).join(', ')})`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${target} (${defs.join(', ')})`);
    log.info(`stream "${stream}": created table ${target}`);
    const created = await readTable(client, schema, table);
    return columns.map((c) => ({ ...c, type: created.columns.get(c.name) ?? c.type }));
  }
  if (!sameKey(info.primaryKey, keyColumns)) {
    const had = info.primaryKey.length > 0 ? `PRIMARY KEY ${list(info.primaryKey)}` : 'no primary key';
    throw new TableEvolutionError(
      `stream "${stream}": key_properties changed to ${JSON.stringify(keyColumns)} but table ${target} has ${had}: restore the tap's key_properties, or migrate the table yourself (ALTER TABLE ${target} DROP CONSTRAINT … / ADD PRIMARY KEY …, or rename it away and reload)`,
    );
  }
  const out: Column[] = [];
  const widenings: Widening[] = [];
  for (const c of columns) {
    const existing = info.columns.get(c.name);
    if (existing === undefined) {
      await client.query(`ALTER TABLE ${target} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type}`);
      log.info(`stream "${stream}": added column ${quoteIdent(c.name)} ${c.type} to ${target}`);
      out.push(c);
    } else if (holds(existing, c.type)) {
      out.push({ ...c, type: existing });
    } else {
      const wider = widen(existing, c.type);
      widenings.push({ column: c.name, field: c.path.join('.'), from: existing, to: wider });
      out.push({ ...c, type: wider });
    }
  }
  // All widenings of the table in one transaction, with the views that read the columns kept.
  if (widenings.length > 0) await widenColumns(client, { schema, table, stream, widenings, log });
  return out;
}
