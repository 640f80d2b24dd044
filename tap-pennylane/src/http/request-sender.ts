import { setTimeout as sleep } from 'node:timers/promises';
import { type Agent, type Dispatcher, request } from 'undici';
import type { Logger } from '../../../singer/src/log.js';
import { packageVersion } from '../../../singer/src/paths.js';
import { readCapped } from './capped-body.js';
import {
  apiMessageFrom,
  InvalidResponseError,
  NetworkError,
  type PennylaneApiError,
  RateLimitError,
  type RequestPlace,
  ServerError,
} from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { header, rateObservation, serverNowMs } from './response-headers.js';
import {
  backoffDelayMs,
  describeNetworkError,
  isClosedSocket,
  isTransientNetworkError,
  neverReachedServer,
  parseRetryAfterMs,
  RETRYABLE_STATUSES,
  type RetryOptions,
} from './retry.js';
import { statusError } from './status-error.js';

export type Attempt = {
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

export type ResolvedRetry = Required<Omit<RetryOptions, 'random'>> & { random: () => number };

/** A download answered with a redirect: the next hop, fetched by `download` itself. */
export class Redirect {
  constructor(
    readonly status: number,
    readonly location: URL,
  ) {}
}

const USER_AGENT = `tap-pennylane/${packageVersion} (Node.js ${process.versions.node}; undici)`;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/**
 * Sends one request to its end: rate limit, send, classify, wait, repeat (bounded). Returns the parsed
 * JSON body, a download's body stream, or a Redirect; throws one typed error otherwise.
 */
export class RequestSender {
  readonly counters = { requests: 0, retries: 0, rateLimited: 0, networkErrors: 0 };
  readonly byStatus: Record<string, number> = {};

  constructor(
    private readonly c: {
      base: URL;
      token: string;
      timeoutMs: number;
      log: Logger;
      retry: ResolvedRetry;
      limiter: RateLimiter;
      agent: Agent;
    },
  ) {}

  async send(a: Attempt): Promise<unknown> {
    const { base, token, timeoutMs, log, retry, limiter } = this.c;
    let failures = 0;
    let rateWaits = 0;
    const retryOrThrow = async (
      error: PennylaneApiError,
      retryable: boolean,
      immediate = false,
    ): Promise<void> => {
      failures++;
      if (!retryable || failures >= retry.maxAttempts) throw error;
      const delay = immediate ? 0 : backoffDelayMs(failures, retry, retry.random);
      this.counters.retries++;
      log.warn(
        `${error.message.split(' — ')[0]}; attempt ${failures + 1}/${retry.maxAttempts} in ${delay} ms`,
      );
      await sleep(delay);
    };
    for (;;) {
      const permit = a.api ? await limiter.acquire() : undefined;
      this.counters.requests++;
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(a.url, {
          method: a.method,
          headers: this.headers(a),
          body: a.body,
          dispatcher: this.c.agent,
          signal: a.kind === 'json' ? AbortSignal.timeout(timeoutMs) : undefined,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        permit?.finish();
        this.counters.networkErrors++;
        this.metric(a, started, 'network');
        const error = new NetworkError(a.place, {
          summary: `request failed: ${describeNetworkError(err)}`,
          hint: `check network access to ${base.origin} (request timeout ${timeoutMs} ms)`,
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
        if (rateWaits > retry.maxRateLimitWaits)
          throw new RateLimitError(a.place, {
            status,
            summary: `rate limited ${rateWaits} times in a row`,
            apiMessage: apiMessageFrom(text, token),
            hint: 'another client may be using the same token; lower rate_limit_requests or run later',
          });
        const serverNow = serverNowMs(res.headers);
        const wait = Math.min(
          parseRetryAfterMs(header(res.headers, 'retry-after'), serverNow) ??
            observation.resetInMs ??
            limiter.window.windowMs,
          retry.maxRetryAfterMs,
        );
        if (a.api) limiter.pause(wait);
        log.warn(`${a.method} ${a.place.path}: 429 rate limited; waiting ${wait} ms before retrying`);
        if (!a.api) await sleep(wait);
        continue;
      }

      const location = header(res.headers, 'location');
      if (a.kind === 'download' && REDIRECT_STATUSES.has(status) && location) {
        await readCapped(res.body);
        return new Redirect(status, new URL(location, a.url));
      }

      if (isSuccess(status)) {
        if (a.kind === 'download') return res.body;
        try {
          const text = await res.body.text();
          return text.trim() === '' ? undefined : JSON.parse(text);
        } catch (err) {
          const error = isTransientNetworkError(err)
            ? new NetworkError(a.place, {
                status,
                summary: `response body cut off: ${describeNetworkError(err)}`,
                hint: `check network access to ${base.origin}`,
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
      const apiMessage = apiMessageFrom(text, token);
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
      throw statusError(a.place, { download: a.kind === 'download', base }, status, apiMessage);
    }
  }

  private headers(a: Attempt): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': USER_AGENT };
    if (a.api) {
      h.authorization = `Bearer ${this.c.token}`;
      h.accept = a.kind === 'json' ? 'application/json' : '*/*';
    }
    if (a.body !== undefined) h['content-type'] = 'application/json';
    return h;
  }

  /** Singer SDK style METRIC line (debug level). */
  private metric(a: Attempt, started: number, status: number | 'network'): void {
    const seconds = Math.round(performance.now() - started) / 1000;
    const ok = typeof status === 'number' && isSuccess(status);
    const tags = {
      endpoint: a.place.path.replace(/\/\d+(?=\/|$)/g, '/{id}'),
      http_status_code: status,
      status: ok ? 'succeeded' : 'failed',
      ...(a.place.stream ? { stream: a.place.stream } : {}),
    };
    this.c.log.debug(
      `METRIC ${JSON.stringify({ type: 'timer', metric: 'http_request_duration', value: seconds, tags })}`,
    );
  }
}
