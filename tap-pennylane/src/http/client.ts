import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { type Logger, registerSecret } from '../../../singer/src/log.js';
import { packageVersion } from '../../../singer/src/paths.js';
import {
  apiMessageFrom,
  BadRequestError,
  ChangelogWindowError,
  ExportUrlExpiredError,
  InvalidResponseError,
  MissingScopeError,
  NetworkError,
  NotFoundError,
  type PennylaneApiError,
  RateLimitError,
  type RequestPlace,
  ServerError,
  safeUrl,
  scopeFromMessage,
  TokenRejectedError,
  UnprocessableError,
} from './errors.js';
import { CursorPaginator } from './paginator.js';
import { type RateLimit, RateLimiter, type ServerObservation } from './rate-limiter.js';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  describeNetworkError,
  isClosedSocket,
  isTransientNetworkError,
  neverReachedServer,
  parseRetryAfterMs,
  RETRYABLE_STATUSES,
  type RetryOptions,
} from './retry.js';

export type ClientOptions = {
  /** e.g. `https://app.pennylane.com/api/external/v2` (PRODUCTION_BASE_URL). */
  baseUrl: string;
  token: string;
  /** Per request: response headers and the whole JSON body (for downloads: headers, then body inactivity). */
  timeoutMs: number;
  /** The token's budget; every request of the run shares it. */
  rateLimit: RateLimit;
  log: Logger;
  retry?: Partial<RetryOptions>;
  /** Keep-alive connections per origin (default 16). */
  connections?: number;
  /** Safety margin of the rate limiter (tests; default from the window). */
  rateMarginMs?: number;
};

/** Names the stream in errors and logs. */
export type RequestContext = { stream?: string | undefined };

export type QueryValue = string | number | boolean | null | undefined | readonly unknown[] | object;
/** Query parameters; arrays and objects (the `filter`) are sent as JSON. */
export type Query = Record<string, QueryValue>;

/** One item of `/changelogs/<resource>` (all keys required by the spec). */
export type ChangelogEvent = {
  id: number;
  operation: 'insert' | 'update' | 'delete';
  processed_at: string;
  updated_at: string;
  created_at: string;
};

export type ClientStats = {
  /** HTTP requests sent (every attempt, downloads included). */
  requests: number;
  /** Attempts repeated after a 5xx, a network failure or a bad body. */
  retries: number;
  /** 429 responses received (each waited for, then retried). */
  rateLimited: number;
  /** Times the rate limiter held requests back, and for how long in all. */
  rateWaits: number;
  rateWaitMs: number;
  /** Attempts that got no response (reset, refused, timeout). */
  networkErrors: number;
  /** Responses by status code. */
  byStatus: Record<string, number>;
};

type Attempt = {
  method: 'GET' | 'POST';
  url: URL;
  place: RequestPlace;
  body?: string;
  /** Safe to send again whatever happened (GET). A POST is repeated only when it surely never left. */
  idempotent: boolean;
  /** Same origin as the API: carries the token and counts against the budget. */
  api: boolean;
  kind: 'json' | 'download';
};

const USER_AGENT = `tap-pennylane/${packageVersion} (Node.js ${process.versions.node}; undici)`;
const ERROR_BODY_LIMIT = 64 * 1024;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** A download answered with a redirect: the next hop, fetched by `download` itself. */
class Redirect {
  constructor(
    readonly status: number,
    readonly location: URL,
  ) {}
}

/**
 * The only way the tap talks to Pennylane: keep-alive connections, one shared rate limiter, bounded
 * retries, cursor pagination and typed errors. See docs/decisions/tap-http.md for the why of each rule.
 */
export class PennylaneClient {
  readonly limiter: RateLimiter;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly retry: Required<Omit<RetryOptions, 'random'>> & { random: () => number };
  private readonly agent: Agent;
  private readonly counters = { requests: 0, retries: 0, rateLimited: 0, networkErrors: 0 };
  private readonly byStatus: Record<string, number> = {};

  constructor(opts: ClientOptions) {
    registerSecret(opts.token);
    this.token = opts.token;
    this.base = new URL(opts.baseUrl);
    this.basePath = this.base.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.log = opts.log;
    const given = Object.fromEntries(Object.entries(opts.retry ?? {}).filter(([, v]) => v !== undefined));
    this.retry = { ...DEFAULT_RETRY, random: Math.random, ...given };
    if (!(this.retry.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
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
  }

  get stats(): ClientStats {
    return {
      ...this.counters,
      rateWaits: this.limiter.stats.waits,
      rateWaitMs: Math.round(this.limiter.stats.waitMs),
      byStatus: { ...this.byStatus },
    };
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async getJson<T>(path: string, query?: Query, ctx?: RequestContext): Promise<T> {
    return (await this.execute(this.apiAttempt('GET', path, query, ctx))) as T;
  }

  /** POST with a JSON body (export creation). Repeated only if it surely never reached the server. */
  async postJson<T>(path: string, body: unknown, ctx?: RequestContext): Promise<T> {
    const attempt = this.apiAttempt('POST', path, undefined, ctx);
    attempt.body = JSON.stringify(body);
    return (await this.execute(attempt)) as T;
  }

  /** Every page of a cursor listing, resending `query` (limit, sort, filter) on each page with the cursor. */
  async *paginate<T>(path: string, query: Query, ctx?: RequestContext): AsyncGenerator<T[]> {
    const pager = new CursorPaginator({ method: 'GET', path, stream: ctx?.stream });
    let cursor: string | undefined;
    for (;;) {
      const body = await this.getJson<unknown>(
        path,
        cursor === undefined ? query : { ...query, cursor },
        ctx,
      );
      const { items, next } = pager.advance<T>(body);
      yield items;
      if (next === undefined) return;
      cursor = next;
    }
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
    const pager = new CursorPaginator({ method: 'GET', path, stream: ctx?.stream });
    const startDate = opts.startDate instanceof Date ? opts.startDate.toISOString() : opts.startDate;
    let query: Query = { start_date: startDate, limit: opts.limit };
    for (;;) {
      const body = await this.getJson<unknown>(path, query, ctx);
      const { items, next } = pager.advance<ChangelogEvent>(body);
      yield items;
      if (next === undefined) return;
      query = { cursor: next, limit: opts.limit };
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
      const result = await this.execute({
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

  private apiAttempt(method: 'GET' | 'POST', path: string, query: Query | undefined, ctx?: RequestContext) {
    const rel = path.startsWith('/') ? path : `/${path}`;
    const url = new URL(this.basePath + rel);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    const attempt: Attempt = {
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
    return attempt;
  }

  private headers(a: Attempt): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': USER_AGENT };
    if (a.api) {
      h.authorization = `Bearer ${this.token}`;
      h.accept = a.kind === 'json' ? 'application/json' : '*/*';
    }
    if (a.body !== undefined) h['content-type'] = 'application/json';
    return h;
  }

  /** The attempt loop: rate limit, send, classify, wait, repeat (bounded). */
  private async execute(a: Attempt): Promise<unknown> {
    let failures = 0;
    let rateWaits = 0;
    const retryOrThrow = async (
      error: PennylaneApiError,
      retryable: boolean,
      immediate = false,
    ): Promise<void> => {
      failures++;
      if (!retryable || failures >= this.retry.maxAttempts) throw error;
      const delay = immediate ? 0 : backoffDelayMs(failures, this.retry, this.retry.random);
      this.counters.retries++;
      this.log.warn(
        `${error.message.split(' — ')[0]}; attempt ${failures + 1}/${this.retry.maxAttempts} in ${delay} ms`,
      );
      await sleep(delay);
    };
    for (;;) {
      const permit = a.api ? await this.limiter.acquire() : undefined;
      this.counters.requests++;
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(a.url, {
          method: a.method,
          headers: this.headers(a),
          body: a.body,
          dispatcher: this.agent,
          signal: a.kind === 'json' ? AbortSignal.timeout(this.timeoutMs) : undefined,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (err) {
        permit?.finish();
        this.counters.networkErrors++;
        this.metric(a, started, 'network');
        const error = new NetworkError(a.place, {
          summary: `request failed: ${describeNetworkError(err)}`,
          hint: `check network access to ${this.base.origin} (request timeout ${this.timeoutMs} ms)`,
          cause: err,
        });
        const retryable = isTransientNetworkError(err) && (a.idempotent || neverReachedServer(err));
        // A kept-alive socket the server closed as we reused it: the next connection is fresh, so
        // the first such failure is retried at once.
        await retryOrThrow(error, retryable, failures === 0 && isClosedSocket(err));
        continue;
      }
      const status = res.statusCode;
      const observation = rateObservation(res.headers);
      permit?.finish(observation);
      this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
      this.metric(a, started, status);

      if (status === 429) {
        const text = await readCapped(res.body);
        this.counters.rateLimited++;
        rateWaits++;
        if (rateWaits > this.retry.maxRateLimitWaits)
          throw new RateLimitError(a.place, {
            status,
            summary: `rate limited ${rateWaits} times in a row`,
            apiMessage: apiMessageFrom(text, this.token),
            hint: 'another client may be using the same token; lower rate_limit_requests or run later',
          });
        const serverNow = serverNowMs(res.headers);
        const wait = Math.min(
          parseRetryAfterMs(header(res.headers, 'retry-after'), serverNow) ??
            observation.resetInMs ??
            this.limiter.window.windowMs,
          this.retry.maxRetryAfterMs,
        );
        if (a.api) this.limiter.pause(wait);
        this.log.warn(`${a.method} ${a.place.path}: 429 rate limited; waiting ${wait} ms before retrying`);
        if (!a.api) await sleep(wait);
        continue;
      }

      const location = header(res.headers, 'location');
      if (a.kind === 'download' && REDIRECT_STATUSES.has(status) && location) {
        await readCapped(res.body);
        return new Redirect(status, new URL(location, a.url));
      }

      if (status >= 200 && status < 300) {
        if (a.kind === 'download') return res.body;
        try {
          const text = await res.body.text();
          return text.trim() === '' ? undefined : JSON.parse(text);
        } catch (err) {
          const error = isTransientNetworkError(err)
            ? new NetworkError(a.place, {
                status,
                summary: `response body cut off: ${describeNetworkError(err)}`,
                hint: `check network access to ${this.base.origin}`,
                cause: err,
              })
            : new InvalidResponseError(a.place, {
                status,
                summary: 'response body is not valid JSON',
                hint: 'the API answered with a broken body; rerun later',
                cause: err,
              });
          await retryOrThrow(error, a.idempotent);
          continue;
        }
      }

      const text = await readCapped(res.body);
      const apiMessage = apiMessageFrom(text, this.token);
      if (RETRYABLE_STATUSES.has(status)) {
        const error = new ServerError(a.place, {
          status,
          summary: 'server error',
          apiMessage,
          hint: a.idempotent
            ? 'Pennylane kept failing; rerun later'
            : 'not repeated automatically (it may have been applied); rerun later',
        });
        await retryOrThrow(error, a.idempotent);
        continue;
      }
      throw this.statusError(a, status, apiMessage);
    }
  }

  /** One clear error for a status that retrying cannot fix. */
  private statusError(a: Attempt, status: number, apiMessage: string | undefined): PennylaneApiError {
    const p = a.place;
    const stream = p.stream ? `stream ${p.stream}` : 'the stream';
    switch (status) {
      case 400:
        return new BadRequestError(p, {
          status,
          summary: 'bad request',
          apiMessage,
          hint: 'the API refused the parameters; check start_date and the other settings, else report it as a tap bug',
        });
      case 401:
        return new TokenRejectedError(p, {
          status,
          summary: 'token rejected',
          apiMessage,
          hint: 'check api_token (or PENNYLANE_API_TOKEN): it may be mistyped, revoked or expired; create one in Pennylane › Settings › Connectivity › Developers',
        });
      case 403: {
        if (a.kind === 'download')
          return new ExportUrlExpiredError(p, {
            status,
            summary: 'export file URL refused (expired)',
            apiMessage,
            hint: 'file URLs expire 30 minutes after the export is ready; the export must be created again',
          });
        const scope = scopeFromMessage(apiMessage);
        return new MissingScopeError(p, {
          status,
          scope,
          summary: scope ? `the token lacks scope "${scope}"` : 'the token lacks a scope for this resource',
          apiMessage,
          hint: `grant ${scope ? `"${scope}"` : 'the scope'} to the API token in Pennylane, or deselect ${stream}`,
        });
      }
      case 404:
        return new NotFoundError(p, {
          status,
          summary: 'not found',
          apiMessage,
          hint:
            a.kind === 'download'
              ? 'the export file is gone; the export must be created again'
              : `check base_url (${safeUrl(this.base)}; expected …/api/external/v2): ${p.path} does not exist for this company`,
        });
      case 422:
        return p.path.startsWith('/changelogs/')
          ? new ChangelogWindowError(p, {
              status,
              summary: 'changelog start_date refused',
              apiMessage,
              hint: `start_date is older than the changelog's 4-week retention: ${stream} needs a full listing`,
            })
          : new UnprocessableError(p, {
              status,
              summary: 'unprocessable',
              apiMessage,
              hint: `${stream} needs a full listing`,
            });
      default:
        return new InvalidResponseError(p, {
          status,
          summary: 'unexpected status',
          apiMessage,
          hint: 'the API answered with a status the tap does not expect; rerun later or report it',
        });
    }
  }

  /** Singer SDK style METRIC line (debug level). */
  private metric(a: Attempt, started: number, status: number | 'network'): void {
    const seconds = Math.round(performance.now() - started) / 1000;
    const ok = typeof status === 'number' && status >= 200 && status < 300;
    const tags = {
      endpoint: a.place.path.replace(/\/\d+(?=\/|$)/g, '/{id}'),
      http_status_code: status,
      status: ok ? 'succeeded' : 'failed',
      ...(a.place.stream ? { stream: a.place.stream } : {}),
    };
    this.log.debug(
      `METRIC ${JSON.stringify({ type: 'timer', metric: 'http_request_duration', value: seconds, tags })}`,
    );
  }
}

type Headers = Dispatcher.ResponseData['headers'];

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const intHeader = (headers: Headers, name: string): number | undefined => {
  const v = header(headers, name);
  if (v === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  return Math.floor(Number(v));
};

/** The server's clock from its `date` header (second precision), else ours. */
function serverNowMs(headers: Headers): number {
  const d = header(headers, 'date');
  const t = d ? Date.parse(d) : Number.NaN;
  return Number.isNaN(t) ? Date.now() : t;
}

/**
 * `ratelimit-limit/remaining/reset`. Pennylane sends reset as Unix epoch seconds; the IETF draft as
 * seconds from now: a value above 10^9 is taken as epoch, measured against the server's `date` header so
 * that a skewed local clock does not matter.
 */
export function rateObservation(headers: Headers): ServerObservation {
  const limit = intHeader(headers, 'ratelimit-limit');
  const remaining = intHeader(headers, 'ratelimit-remaining');
  const resetRaw = header(headers, 'ratelimit-reset');
  let resetInMs: number | undefined;
  if (resetRaw !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(resetRaw)) {
    const reset = Number(resetRaw);
    resetInMs = reset > 1e9 ? Math.max(0, reset * 1000 - serverNowMs(headers)) : reset * 1000;
  }
  return { limit, remaining, resetInMs };
}

/** An error body, read up to a bound (an HTML 502 page can be large), the rest discarded. */
async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) break;
    }
  } catch {
    // A body cut off mid-way still says enough (or nothing); the status decides.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_LIMIT);
}
