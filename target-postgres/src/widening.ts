/**
 * Widens columns in place while keeping the views and materialized views that read them: in ONE
 * transaction, drop the dependants (reverse dependency order), ALTER COLUMN TYPE, recreate them as
 * they were (definition, options, owner, comments, privileges, indexes, data). Anything the target
 * cannot recreate stops it before any change, with one line naming the object and what to do.
 */
import type pg from 'pg';
import type { Logger } from '../../singer/src/log.js';
import { type Blocker, columnNumbers, currentAcl, readDependants } from './dependants.js';
import {
  aclSteps,
  creationOrder,
  type Dependant,
  describe,
  dropSteps,
  recreateSteps,
  type Step,
} from './dependants-sql.js';
import { qualified, quoteIdent } from './identifiers.js';
import { type SqlType, widenUsing } from './sql-types.js';

export class TableEvolutionError extends Error {
  override name = 'TableEvolutionError';
}

export type Widening = { column: string; field: string; from: SqlType; to: SqlType };

/**
 * Every widening of every target process takes this transaction-level advisory lock first (before
 * any table or view lock): two streams widening tables that one view reads would otherwise each
 * drop what the other recreates, or deadlock (each holding its table, waiting for the other's to
 * recreate the view). Widenings are rare, so running them one at a time costs nothing that matters.
 * The two keys read 'tpg ' and 1.
 */
export const WIDENING_LOCK = [0x74706720, 1] as const;

const ADVICE: Record<string, string> = {
  trigger: 'drop the trigger (DROP TRIGGER), re-run the sync, then create it again',
  rule: 'drop the rule (DROP RULE), re-run the sync, then create it again',
  policy: 'drop the policy (DROP POLICY), re-run the sync, then create it again',
  function:
    'give it a string body (CREATE OR REPLACE FUNCTION … AS $$ … $$, which PostgreSQL does not tie to the column) or drop it, then re-run the sync',
  procedure:
    'give it a string body (CREATE OR REPLACE PROCEDURE … AS $$ … $$, which PostgreSQL does not tie to the column) or drop it, then re-run the sync',
};

/** The one line for objects the target cannot drop and recreate: the first named in full, the rest listed. */
export function blockerMessage(what: string, blockers: Blocker[]): string {
  const named = (b: Blocker): string => `${b.type} ${b.identity}`;
  // One object can depend on several columns (a function on a view's columns): name it once.
  const [first, ...rest] = blockers.filter((b, i) => blockers.findIndex((o) => named(o) === named(b)) === i);
  const advice = ADVICE[first!.type] ?? 'drop it, re-run the sync, then create it again';
  const more = rest.length > 0 ? ` (also: ${rest.map(named).join(', ')})` : '';
  return `${what}, but ${first!.type} ${first!.identity} depends on ${first!.on} and the target cannot drop and recreate it: ${advice} (or alter the column yourself)${more}`;
}

/** Runs the widenings of one table, with its dependants kept. The connection must be idle (no transaction). */
export async function widenColumns(
  client: pg.Client,
  opts: { schema: string; table: string; stream: string; widenings: Widening[]; log: Logger },
): Promise<void> {
  const { schema, table, stream, widenings, log } = opts;
  const target = qualified(schema, table);
  const what = `stream "${stream}": ${widenings
    .map(
      (w) =>
        `field "${w.field}" (column ${quoteIdent(w.column)} of ${target}) must widen from ${w.from} to ${w.to}`,
    )
    .join('; ')}`;
  let kept: Dependant[] = [];
  await client.query('BEGIN');
  try {
    // Definitions are read and replayed with every name schema-qualified (as pg_dump does), whoever's
    // search_path the views were written under; this is also the path REFRESH uses since PostgreSQL 17.
    await client.query('SET LOCAL search_path = pg_catalog, pg_temp');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...WIDENING_LOCK]);
    // Nobody creates a view on the table between reading its dependants and dropping them.
    await client.query(`LOCK TABLE ${target} IN ACCESS EXCLUSIVE MODE`);
    const { oid, attnums } = await columnNumbers(
      client,
      target,
      widenings.map((w) => w.column),
    );
    const found = await readDependants(client, oid, attnums);
    if (found.blockers.length > 0) throw new TableEvolutionError(blockerMessage(what, found.blockers));
    kept = creationOrder(found.dependants);
    await run(client, dropSteps(kept), what, 'drop');
    for (const w of widenings) {
      const col = quoteIdent(w.column);
      try {
        await client.query(
          `ALTER TABLE ${target} ALTER COLUMN ${col} TYPE ${w.to} USING ${widenUsing(col, w.from, w.to)}`,
        );
      } catch (err) {
        throw new TableEvolutionError(
          `stream "${stream}", field "${w.field}": column ${col} of ${target} must widen from ${w.from} to ${w.to} and PostgreSQL refused (${(err as Error).message}): drop or adapt what depends on the column, or alter it yourself, then re-run`,
        );
      }
    }
    for (const d of kept) {
      await run(client, recreateSteps(d), what, 'recreate');
      await run(client, aclSteps(d, await currentAcl(client, qualified(d.schema, d.name))), what, 'grant');
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  for (const w of widenings) {
    log.info(
      `stream "${stream}": widened column ${quoteIdent(w.column)} of ${target} from ${w.from} to ${w.to}`,
    );
  }
  if (kept.length > 0) {
    const names = kept.map((d) =>
      d.kind === 'materialized view' && d.populated ? `${describe(d)} (recomputed)` : describe(d),
    );
    log.info(`stream "${stream}": dropped and recreated what reads the widened columns: ${names.join(', ')}`);
  }
}

const PHASE = {
  drop: 'could not drop',
  recreate: 'could not recreate',
  grant: 'could not restore the privileges of',
} as const;

/** Runs steps in order; a refusal becomes one line naming the object, the phase and the fix. */
async function run(client: pg.Client, steps: Step[], what: string, phase: keyof typeof PHASE): Promise<void> {
  for (const step of steps) {
    try {
      await client.query(step.sql);
    } catch (err) {
      const e = err as Error & { code?: string; detail?: string };
      // A refused DROP says what depends on the object in its detail, one object a line.
      const detail = e.detail ? `: ${e.detail.split('\n').join('; ')}` : '';
      throw new TableEvolutionError(
        `${what}; the target ${PHASE[phase]} ${step.object} (${e.message}${detail}): ${fix(e.code, phase, step.role)}`,
      );
    }
  }
}

function fix(code: string | undefined, phase: keyof typeof PHASE, role: string): string {
  // 42501 insufficient_privilege: not its owner, or not allowed to act as its owner or grantor.
  if (code === '42501') {
    return `the target's database user must be allowed to act as ${quoteIdent(role)} (GRANT ${quoteIdent(role)} TO <the target's user>), or alter the column yourself; then re-run`;
  }
  if (phase === 'drop') {
    return 'drop what depends on it (PostgreSQL names it), re-run the sync, then create it again';
  }
  if (phase === 'recreate') {
    return 'its definition does not accept the new column type: change it (for example cast the column) or drop it, then re-run the sync';
  }
  return 'restore them yourself after the sync, or alter the column yourself, then re-run';
}
