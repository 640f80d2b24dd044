import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../singer/src/paths.js';

/** Where the layer's SQL lives: one view per file, applied in file-name order. */
export const SQL_DIR = join(packageRoot, 'reporting', 'sql');

/** The schemas the .sql files are written against; the applier renames them when settings differ. */
export const SOURCE_SCHEMA = 'pennylane';
export const REPORTING_SCHEMA = 'reporting';

/** A view as its file declares it. */
export type ViewFile = {
  /** The view's name in the reporting schema, e.g. `ledger_lines`. */
  name: string;
  file: string;
  /** Synced tables it reads (names in the source schema). */
  tables: string[];
  /** Reporting views it reads: they come earlier in the order. */
  views: string[];
  sql: string;
};

/** Files that are not views (indexes): applied first, as they are. */
export type SetupFile = { file: string; sql: string };

const VIEW_HEADER = /^-- view: reporting\.([a-z_][a-z0-9_]*)\s*$/m;
const NEEDS_HEADER = /^-- needs: (.+)$/m;

/**
 * Reads one view file's header: `-- view: reporting.NAME` (must match the CREATE statement) and
 * `-- needs: pennylane.table, reporting.view, …`. A malformed header names the file and the fix.
 */
export function parseViewFile(file: string, sql: string): ViewFile {
  const view = VIEW_HEADER.exec(sql)?.[1];
  if (!view) throw new Error(`${file}: first line must be "-- view: reporting.<name>"`);
  if (!new RegExp(`CREATE OR REPLACE VIEW reporting\\.${view} AS`).test(sql)) {
    throw new Error(
      `${file}: declares reporting.${view} but has no "CREATE OR REPLACE VIEW reporting.${view} AS"`,
    );
  }
  const needs = NEEDS_HEADER.exec(sql)?.[1];
  if (!needs) throw new Error(`${file}: missing the "-- needs: pennylane.<table>, …" line`);
  const tables: string[] = [];
  const views: string[] = [];
  for (const item of needs.split(',').map((s) => s.trim())) {
    const m = /^(pennylane|reporting)\.([a-z_][a-z0-9_]*)$/.exec(item);
    if (!m)
      throw new Error(`${file}: "-- needs:" item "${item}" must be pennylane.<table> or reporting.<view>`);
    (m[1] === 'pennylane' ? tables : views).push(m[2]!);
  }
  return { name: view, file, tables, views, sql };
}

/** Checks that every view a file needs is defined by an earlier file (the dependency order). */
export function checkOrder(views: ViewFile[]): void {
  const seen = new Set<string>();
  for (const v of views) {
    for (const dep of v.views) {
      if (!seen.has(dep)) {
        throw new Error(
          `${v.file}: needs reporting.${dep}, which no earlier file defines (files apply in name order)`,
        );
      }
    }
    if (seen.has(v.name)) throw new Error(`${v.file}: reporting.${v.name} is defined twice`);
    seen.add(v.name);
  }
}

/** The layer as it ships: setup files (no `-- view:` header) and views, in file-name order. */
export function loadViewFiles(dir = SQL_DIR): { setup: SetupFile[]; views: ViewFile[] } {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const setup: SetupFile[] = [];
  const views: ViewFile[] = [];
  for (const file of files) {
    const sql = readFileSync(join(dir, file), 'utf8');
    if (VIEW_HEADER.test(sql)) views.push(parseViewFile(file, sql));
    else setup.push({ file, sql });
  }
  checkOrder(views);
  return { setup, views };
}

/** A PostgreSQL identifier, quoted only when it has to be. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * The files name their schemas `pennylane.` and `reporting.` (so they run as they are in psql with the
 * default settings); other settings rename those qualifiers, nothing else.
 */
export function withSchemas(sql: string, source: string, reporting: string): string {
  if (source === SOURCE_SCHEMA && reporting === REPORTING_SCHEMA) return sql;
  return sql.replace(/\b(pennylane|reporting)\./g, (_, schema: string) =>
    schema === SOURCE_SCHEMA ? `${quoteIdent(source)}.` : `${quoteIdent(reporting)}.`,
  );
}
