import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { latestRunningRun } from './sync-runs.js';

/**
 * One run at a time per target schema: a session-level advisory lock, held by the runner's own
 * connection for the whole run. PostgreSQL releases it when that session ends, however it ends
 * (crash, SIGKILL, lost network), so a dead run never blocks the next one.
 */
export class RunLockHeldError extends Error {
  override name = 'RunLockHeldError';
}

/** Two int4 keys (pg_locks shows them as classid/objid, objsubid 2) derived from the schema name. */
export function lockKeys(schema: string): [number, number] {
  const digest = createHash('sha256').update(`pennylane-sync:${schema}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

/** What the lock connection calls itself, so another run (or a DBA) can see who holds the lock. */
export const applicationName = (startedAt: Date): string =>
  `pennylane-sync pid=${process.pid} host=${hostname()} since=${startedAt.toISOString().slice(0, 19)}Z`.slice(
    0,
    63,
  );

export async function acquireRunLock(client: pg.Client, schema: string): Promise<void> {
  const [k1, k2] = lockKeys(schema);
  const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [k1, k2]);
  if (res.rows[0]?.ok) return;
  throw new RunLockHeldError(
    `another sync is already running on this database (schema "${schema}"): ${await describeHolder(client, schema)}; ` +
      'wait for it to finish, or stop it, then run again',
  );
}

export async function releaseRunLock(client: pg.Client, schema: string): Promise<void> {
  const [k1, k2] = lockKeys(schema);
  await client.query('SELECT pg_advisory_unlock($1, $2)', [k1, k2]);
}

async function describeHolder(client: pg.Client, schema: string): Promise<string> {
  const [k1, k2] = lockKeys(schema);
  const parts: string[] = [];
  const row = await latestRunningRun(client, schema).catch(() => undefined);
  if (row) {
    parts.push(
      `sync_runs #${row.id}, ${row.mode} run by pid ${row.pid} on host ${row.host}, started ${row.started_at.toISOString()}`,
    );
  }
  const holder = await client
    .query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
      `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [k1 >>> 0, k2 >>> 0],
    )
    .catch(() => undefined);
  const session = holder?.rows[0];
  if (session) {
    parts.push(
      `held by the session "${session.application_name || '?'}" (server pid ${session.pid}` +
        `${session.client_addr ? ` from ${session.client_addr}` : ''}, connected ${session.backend_start.toISOString()})`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : 'its holder could not be identified';
}
