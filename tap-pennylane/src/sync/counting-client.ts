import type { Readable } from 'node:stream';
import type { ChangelogEvent, Query, RequestContext } from '../http/client.js';
import type { ApiClient } from './context.js';

/**
 * Counts the API calls each stream makes (one per answered JSON request or page; retries are the client's and
 * show in its own stats), for the per-stream progress lines. Delegates everything else.
 */
export class CountingClient implements ApiClient {
  readonly byStream = new Map<string, number>();

  constructor(private readonly inner: ApiClient) {}

  requests(stream: string): number {
    return this.byStream.get(stream) ?? 0;
  }

  private count(ctx: RequestContext | undefined): void {
    const key = ctx?.stream ?? '(tap)';
    this.byStream.set(key, (this.byStream.get(key) ?? 0) + 1);
  }

  getJson<T>(path: string, query?: Query, ctx?: RequestContext): Promise<T> {
    this.count(ctx);
    return this.inner.getJson<T>(path, query, ctx);
  }

  postJson<T>(path: string, body: unknown, ctx?: RequestContext): Promise<T> {
    this.count(ctx);
    return this.inner.postJson<T>(path, body, ctx);
  }

  async *paginate<T>(path: string, query: Query, ctx?: RequestContext): AsyncGenerator<T[]> {
    for await (const page of this.inner.paginate<T>(path, query, ctx)) {
      this.count(ctx);
      yield page;
    }
  }

  async *paginateChangelog(
    path: string,
    opts: { startDate?: string | Date | undefined; limit: number },
    ctx?: RequestContext,
  ): AsyncGenerator<ChangelogEvent[]> {
    for await (const page of this.inner.paginateChangelog(path, opts, ctx)) {
      this.count(ctx);
      yield page;
    }
  }

  download(url: string, ctx?: RequestContext): Promise<Readable> {
    return this.inner.download(url, ctx);
  }
}
