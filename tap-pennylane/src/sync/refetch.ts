import { LIST_RESOURCES, type ListResourceName } from '../../../pennylane/src/api.js';
import { type ApiRecord, chunks, idInFilter, type SyncContext } from './context.js';
import type { StreamWriter } from './emitter.js';

/** Ids per `filter id in` request: the list endpoints' page limit, so one batch is one page. */
export const ID_BATCH = 100;

/**
 * Reads records back by id (`filter id in`, 100 a request, sort and filter resent on every page) and
 * emits them; an id the API no longer returns was deleted (or hidden from this token) since its event,
 * so it is emitted as a delete stamped `deletedAt(id)`.
 */
export async function refetchByIds(
  ctx: SyncContext,
  w: StreamWriter,
  stream: { name: string; resource: ListResourceName },
  ids: number[],
  version: number | undefined,
  deletedAt: (id: number) => string,
  onRecord?: (record: ApiRecord) => void,
): Promise<void> {
  const path = LIST_RESOURCES[stream.resource].path;
  for (const batch of chunks(
    [...ids].sort((a, b) => a - b),
    ID_BATCH,
  )) {
    const returned = new Set<number>();
    const pages = ctx.client.paginate<ApiRecord>(
      path,
      { filter: idInFilter(batch), sort: 'id', limit: ID_BATCH },
      { stream: stream.name },
    );
    for await (const page of pages) {
      for (const record of page) {
        if (typeof record.id === 'number') returned.add(record.id);
        onRecord?.(record);
        await w.record(record, version);
      }
    }
    for (const id of batch) if (!returned.has(id)) await w.tombstone({ id }, deletedAt(id));
  }
}
