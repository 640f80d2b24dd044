/**
 * Who is at fault when PostgreSQL fails a load, read from the SQLSTATE class of its error (`code` on
 * pg's DatabaseError), and the one line that says so. A value the input sent and a server that went
 * away call for opposite fixes (change the tap, or just re-run), so the message must never blame the
 * input for a database failure. Pure: tested directly in pg-errors.test.ts.
 */

/**
 * - value: the input sent a value the column cannot hold (class 22 data exception, 23 integrity but
 *   23505, a duplicate key, which only another session's write can cause here);
 * - limit: the input is beyond one of PostgreSQL's own limits (class 54: nesting depth, columns, row size);
 * - server: the server or the network failed (class 08 connection, 57 operator intervention, 53
 *   insufficient resources, 58 system, XX internal, or a socket error without a SQLSTATE);
 * - changed: another session changed the table under the load (the class-42 codes of an undefined,
 *   duplicate or retyped object; 23505 a key it inserted; class 40 serialization failure or deadlock; 55P03 lock not available);
 * - privilege: the database user may not do it (42501);
 * - other: anything else PostgreSQL refused.
 */
export type Fault = 'value' | 'limit' | 'server' | 'changed' | 'privilege' | 'other';

export type PgFailure = {
  fault: Fault;
  /** The SQLSTATE, when PostgreSQL sent one. */
  code: string | undefined;
  message: string;
  hint: string | undefined;
  /** PostgreSQL's DETAIL, kept only where it names an object rather than a row's values (23505's key). */
  detail: string | undefined;
};

/** What pg (node-postgres) puts on the errors of a failed query; a socket error has only a message. */
type PgErrorFields = {
  code?: unknown;
  severity?: unknown;
  hint?: unknown;
  detail?: unknown;
  message?: unknown;
};

/** Node's socket error codes and pg's own messages when the connection goes away without a SQLSTATE. */
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const LOST_CONNECTION =
  /Connection terminated|connection (?:error|ended|closed)|Client was closed|not queryable|socket hang up/i;

/** The SQLSTATE of a PostgreSQL error (pg's DatabaseError carries the severity too; socket errors do not). */
export function sqlstateOf(err: unknown): string | undefined {
  const e = (err ?? {}) as PgErrorFields;
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string'
    ? e.code
    : undefined;
}

export function classifyPgError(err: unknown): PgFailure {
  const e = (err ?? {}) as PgErrorFields;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const hint = typeof e.hint === 'string' && e.hint !== '' ? e.hint : undefined;
  const code = sqlstateOf(err);
  const detail = code === '23505' && typeof e.detail === 'string' ? e.detail : undefined;
  return { fault: faultOf(code, e.code, message), code, message, hint, detail };
}

/**
 * The class-42 and 55 codes that, on a table the target checked at the stream's SCHEMA, only another
 * session can cause (the rest of class 42, a syntax error say, is not blamed on anyone else).
 */
const CHANGED_BY_OTHERS = new Set([
  '42703', // undefined_column: renamed or dropped
  '42P01', // undefined_table: renamed or dropped
  '42701', // duplicate_column
  '42P07', // duplicate_table
  '42704', // undefined_object
  '42804', // datatype_mismatch: a column's type changed
  '42809', // wrong_object_type: the table replaced by a view
  '55P03', // lock_not_available
  '55006', // object_in_use
]);

function faultOf(code: string | undefined, rawCode: unknown, message: string): Fault {
  if (code === undefined) {
    if (typeof rawCode === 'string' && SOCKET_CODES.has(rawCode)) return 'server';
    return LOST_CONNECTION.test(message) ? 'server' : 'other';
  }
  if (code === '42501') return 'privilege';
  // The target only copies a key straight into the table when it proved the key new (merges use ON
  // CONFLICT): a duplicate key means another session wrote the same key meanwhile.
  if (code === '23505') return 'changed';
  if (CHANGED_BY_OTHERS.has(code)) return 'changed';
  switch (code.slice(0, 2)) {
    case '22':
    case '23':
      return 'value';
    case '54':
      return 'limit';
    case '08':
    case '57':
    case '53':
    case '58':
    case 'XX':
      return 'server';
    case '40':
      return 'changed';
    default:
      return 'other';
  }
}

/** Where a failure happened, as the error line names it. */
export type FailurePlace = {
  /** `source:line` or `source:first-last` (the batch's lines when PostgreSQL names no row). */
  at: string;
  /** The stream being loaded (none for a failure on a STATE, say). */
  stream?: string;
  /** The field (property path) PostgreSQL named, for value and limit failures. */
  field?: string;
  /** The qualified table being loaded. */
  table?: string;
};

/** Whether an error came from PostgreSQL or the connection to it (rather than from the target itself). */
export const isPgFailure = (err: unknown): boolean =>
  sqlstateOf(err) !== undefined || classifyPgError(err).fault === 'server';

const withCode = (f: PgFailure): string => {
  const parts = [f.message];
  if (f.detail) parts.push(f.detail);
  if (f.code) parts.push(`SQLSTATE ${f.code}`);
  if (f.hint) parts.push(f.hint);
  return parts.join('; ');
};

/** The object a class-42 error names, from PostgreSQL's message (its fields do not carry it for 42703). */
function changedObject(f: PgFailure, table: string | undefined): string {
  const column = /column "((?:[^"]|"")+)"/.exec(f.message)?.[1];
  const relation = /relation "((?:[^"]|"")+)"/.exec(f.message)?.[1];
  if (column) return `column "${column}" of ${relation ? `"${relation}"` : table}`;
  if (relation) return `table "${relation}"`;
  return table ? `table ${table}` : 'a table';
}

const WHAT_FAILED: Record<string, string> = {
  '53': 'PostgreSQL ran out of resources (disk, memory or connections)',
  '58': 'PostgreSQL hit a system error',
  XX: 'PostgreSQL hit an internal error',
};

function serverWhat(f: PgFailure): string {
  if (f.code === '57014') return 'PostgreSQL canceled the statement (pg_cancel_backend or statement_timeout)';
  const what = f.code ? WHAT_FAILED[f.code.slice(0, 2)] : undefined;
  return (
    what ??
    'the connection to PostgreSQL was lost (server shut down, restarted, failed over, or the session was terminated)'
  );
}

const LIMIT_FIX: Record<string, string> = {
  '54001':
    'nest the value less deeply in the tap (or send it as a string), or raise max_stack_depth on the server',
  '54011': 'select fewer properties in the catalog, or turn flattening off',
};

/**
 * The error line (without the `target-postgres: error: ` prefix) for a failure while loading: the place,
 * the party at fault, and the fix.
 */
export function describePgFailure(f: PgFailure, place: FailurePlace): string {
  const field = place.field ? `, field "${place.field}"` : '';
  const head = place.stream === undefined ? place.at : `${place.at}: stream "${place.stream}"`;
  const table = place.table ?? `the target's tables`;
  switch (f.fault) {
    case 'value':
      return `${head}${field}: PostgreSQL cannot store the value (${withCode(f)}): fix the value in the tap, or the property's type in its schema`;
    case 'limit':
      return `${head}${field}: the input is beyond a PostgreSQL limit (${withCode(f)}): ${LIMIT_FIX[f.code ?? ''] ?? 'make the value or the schema smaller in the tap'}`;
    case 'server':
      return `${head}: ${serverWhat(f)} while loading ${table} (${withCode(f)}): a database failure, not a problem in the input; this batch was rolled back and no STATE after it was printed: re-run once PostgreSQL is available, the load resumes from the last printed STATE`;
    case 'changed':
      return `${head}: ${changedObject(f, place.table)} was changed by another session during the load (${withCode(f)}): something outside the target altered, renamed, dropped or locked it; this batch was rolled back: stop the other change, then re-run (the target re-reads the table at the stream's SCHEMA and resumes from the last printed STATE)`;
    case 'privilege':
      return `${head}: the database user may not load ${table} (${withCode(f)}): grant it the privilege (owner of the schema, or INSERT/UPDATE/DELETE/CREATE), then re-run`;
    default:
      return `${head}: PostgreSQL refused the load of ${table} (${withCode(f)}): check the server log for that SQLSTATE, then re-run from the last printed STATE`;
  }
}
