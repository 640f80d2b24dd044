import { CHILD_RESOURCES, childPath, LIST_RESOURCES } from '../../../pennylane/src/api.js';
import type { ChildTableStream } from '../streams/definition.js';
import { type ApiRecord, iso, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';
import type { FullTableBookmark } from './state.js';

/**
 * A small table listed per parent (the categories of each category group) on every run, inside one
 * ACTIVATE_VERSION: parents first (their own list), then each parent's children, each record with the
 * parent's id added. A category renamed or deleted upstream is right after the next run.
 */
export async function syncChildTable(
  ctx: SyncContext,
  w: StreamWriter,
  def: ChildTableStream,
): Promise<void> {
  const child = CHILD_RESOURCES[def.child];
  const parent = LIST_RESOURCES[child.parent];
  const t0 = ctx.now();
  const version = t0;
  const parentIds: number[] = [];
  for await (const page of ctx.client.paginate<ApiRecord>(
    parent.path,
    { limit: parent.maxLimit },
    { stream: def.name },
  ))
    for (const p of page) if (typeof p.id === 'number') parentIds.push(p.id);
  let count = 0;
  for (const id of parentIds) {
    const query = { limit: child.maxLimit, ...(child.sorts.length > 0 ? { sort: 'id' } : {}) };
    for await (const page of ctx.client.paginate<ApiRecord>(childPath(def.child, id), query, {
      stream: def.name,
    })) {
      for (const record of page) {
        count++;
        await w.record({ ...record, [child.parentField]: id }, version);
      }
    }
  }
  await w.activateVersion(version);
  ctx.state.set(def.name, { version, complete_at: iso(t0) } satisfies FullTableBookmark);
  ctx.log.info(`${def.name}: ${count} records under ${parentIds.length} ${child.parent}`);
}
