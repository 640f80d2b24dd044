import type pg from 'pg';
import { recordMsg, rows, schemaMsg, table } from './target.js';

/** A small invoice stream whose records may carry `_sdc_deleted_at`, for the delete tests. */
export const STREAM = 'customer_invoices';
export const INVOICE_SCHEMA = schemaMsg(STREAM, {
  id: { type: 'integer' },
  label: { type: ['null', 'string'] },
  amount: { type: ['null', 'string'], format: 'singer.decimal' },
  _sdc_deleted_at: { type: ['null', 'string'], format: 'date-time' },
});
export const DELETED = '2026-03-01T10:00:00Z';

/** An invoice record; `extra` overrides fields, `msg` adds envelope fields (version). */
export const inv = (id: number, extra: Record<string, unknown> = {}, msg: Record<string, unknown> = {}) =>
  recordMsg(STREAM, { id, label: `F-${id}`, amount: `${id}00.00`, ...extra }, msg);

/** Every row of the stream's table: id, whether it is flagged deleted, label. */
export function live(
  client: pg.Client,
  schema: string,
): Promise<{ id: number; deleted: boolean; label: string }[]> {
  return rows(
    client,
    `SELECT id::int, _sdc_deleted_at IS NOT NULL AS deleted, label FROM ${table(schema, STREAM)} ORDER BY id`,
  );
}

export const ids = (r: { id: number }[]): number[] => r.map((x) => x.id);
