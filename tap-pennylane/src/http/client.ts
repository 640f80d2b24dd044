import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { type Logger, registerSecret } from '../../../singer/src/log.js';
import type { ChangelogEvent, ClientOptions, ClientStats, Query, RequestContext } from './client-types.js';
import { InvalidResponseError, safeUrl } from './errors.js';
import { CursorPaginator } from './paginator.js';
import { RateLimiter } from './rate-limiter.js';
import { type Attempt, Redirect, RequestSender, type ResolvedRetry } from './request-sender.js';
import { DEFAULT_RETRY } from './retry.js';

export type {
  ChangelogEvent,
  ClientOptions,
  ClientStats,
  Query,
  QueryValue,
  RequestContext,
} from './client-types.js';

const MAX_REDIRECTS = 5;

/**
 * The only way the tap talks to Pennylane: keep-alive connections, one shared rate limiter, bounded
 * retries, cursor pagination and typed errors. See docs/decisions/tap-http.md for the why of each rule.
 * The attempt loop (retries, 429 waits, typed errors) is in request-sender.ts.
 */
export class PennylaneClient {
  readonly limiter: RateLimiter;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly log: Logger;
  private readonly agent: Agent;
  private readonly sender: RequestSender;

  constructor(opts: ClientOptions) {
    registerSecret(opts.token);
    this.base = new URL(opts.baseUrl);
    this.basePath = this.base.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
    this.log = opts.log;
    const given = Object.fromEntries(Object.entries(opts.retry ?? {}).filter(([, v]) => v !== undefined));
    const retry: ResolvedRetry = { ...DEFAULT_RETRY, random: Math.random, ...given };
    if (!(retry.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
    this.limiter = new RateLimiter(opts.rateLimit, {
      marginMs: opts.rateMarginMs,
      onNote: (note) => this.log.warn(`rate limit: ${note}`),
    });
    this.agent = new Agent({
      connections: opts.connections ?? 16,
      // Idle sockets are dropped after 4 s, below common server idle timeouts (Node's 5 s, nginx's
      // 75 s, ALB's 60 s), and a server's `Keep-Alive: timeout=N` hint lowers it (to N − 2 s).
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: Math.min(opts.timeoutMs, 15_000) },
    });
    this.sender = new RequestSender({
      base: this.base,
      token: opts.token,
      timeoutMs: opts.timeoutMs,
      log: opts.log,
      retry,
      limiter: this.limiter,
      agent: this.agent,
    });
  }

  get stats(): ClientStats {
    return {
      ...this.sender.counters,
      rateWaits: this.limiter.stats.waits,
      rateWaitMs: Math.round(this.limiter.stats.waitMs),
      byStatus: { ...this.sender.byStatus },
    };
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async getJson<T>(path: string, query?: Query, ctx?: RequestContext): Promise<T> {
    return (await this.sender.send(this.apiAttempt('GET', path, query, ctx))) as T;
  }

  /** POST with a JSON body (export creation). Repeated only if it surely never reached the server. */
  async postJson<T>(path: string, body: unknown, ctx?: RequestContext): Promise<T> {
    const attempt = this.apiAttempt('POST', path, undefined, ctx);
    attempt.body = JSON.stringify(body);
    return (await this.sender.send(attempt)) as T;
  }

  /** Every page of a cursor listing, resending `query` (limit, sort, filter) on each page with the cursor. */
  async *paginate<T>(path: string, query: Query, ctx?: RequestContext): AsyncGenerator<T[]> {
    yield* this.pages<T>(path, query, (cursor) => ({ ...query, cursor }), ctx);
  }

  /**
   * Every page of a changelog: the first with `start_date` (omitted: the oldest retained change) and
   * `limit`, the next ones with `cursor` and `limit` ONLY (the API answers 400 to start_date + cursor).
   */
  async *paginateChangelog(
    path: string,
    opts: { startDate?: string | Date | undefined; limit: number },
    ctx?: RequestContext,
  ): AsyncGenerator<ChangelogEvent[]> {
    const startDate = opts.startDate instanceof Date ? opts.startDate.toISOString() : opts.startDate;
    yield* this.pages<ChangelogEvent>(
      path,
      { start_date: startDate, limit: opts.limit },
      (cursor) => ({ cursor, limit: opts.limit }),
      ctx,
    );
  }

  private async *pages<T>(
    path: string,
    first: Query,
    next: (cursor: string) => Query,
    ctx?: RequestContext,
  ): AsyncGenerator<T[]> {
    const pager = new CursorPaginator({ method: 'GET', path, stream: ctx?.stream });
    let query = first;
    for (;;) {
      const body = await this.getJson<unknown>(path, query, ctx);
      const page = pager.advance<T>(body);
      yield page.items;
      if (page.next === undefined) return;
      query = next(page.next);
    }
  }

  /**
   * Starts downloading a file (an export's `file_url`) and returns its body as a stream, not buffered.
   * The token is sent only when the URL has the API's origin; presigned storage URLs refuse it (and
   * must never see it). 5xx, resets and timeouts before the body starts are retried.
   */
  async download(url: string, ctx?: RequestContext): Promise<Readable> {
    let target = new URL(url, this.base);
    // Each hop of a redirect decides afresh whether it may carry the token (an API URL may redirect
    // to storage).
    for (let hop = 0; ; hop++) {
      const api = target.origin === this.base.origin;
      const place = { method: 'GET', path: api ? target.pathname : safeUrl(target), stream: ctx?.stream };
      const result = await this.sender.send({
        method: 'GET',
        url: target,
        place,
        idempotent: true,
        api,
        kind: 'download',
      });
      if (!(result instanceof Redirect)) return result as Readable;
      if (hop >= MAX_REDIRECTS)
        throw new InvalidResponseError(place, {
          status: result.status,
          summary: `more than ${MAX_REDIRECTS} redirects`,
          hint: 'the export file URL redirects in a loop; rerun later',
        });
      target = result.location;
    }
  }

  private apiAttempt(
    method: 'GET' | 'POST',
    path: string,
    query: Query | undefined,
    ctx?: RequestContext,
  ): Attempt {
    const rel = path.startsWith('/') ? path : `/${path}`;
    const url = new URL(this.basePath + rel);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return {
      method,
      url,
      place: {
        method,
        path: url.pathname.slice(this.base.pathname.replace(/\/+$/, '').length) || rel,
        stream: ctx?.stream,
      },
      idempotent: method === 'GET',
      api: true,
      kind: 'json',
    };
  }
}
