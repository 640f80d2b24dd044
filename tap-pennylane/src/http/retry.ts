/**
 * Retry policy: which failures are worth another attempt and how long to wait. Pure functions; the
 * client applies them.
 */

export type RetryOptions = {
  /** Attempts in all, the first included (5xx, resets, timeouts, bad bodies). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429 waits do not use attempts, but are bounded too. */
  maxRateLimitWaits?: number;
  /** Longest `retry-after` honoured. */
  maxRetryAfterMs?: number;
  /** Injected for tests; Math.random otherwise. */
  random?: () => number;
};

export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'random'>> = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaits: 10,
  maxRetryAfterMs: 60_000,
};

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))]. `attempt` ≥ 1. */
export function backoffDelayMs(
  attempt: number,
  opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * `retry-after` in milliseconds: delta seconds (`2`, `1.5`) or an HTTP date. `nowMs` is the wall clock
 * (or better, the response's `date` header, which is the server's clock). Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** HTTP statuses worth retrying on an idempotent request. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TRANSIENT_CODES = new Set([
  ...NEVER_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** The `code`s along an error's cause chain (undici wraps the socket error). */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (o.name === 'TimeoutError' || o.name === 'AbortError') codes.push('ETIMEDOUT');
    e = o.cause;
  }
  return codes;
}

/** The request surely never reached the server (so even a POST may be sent again). */
export const neverReachedServer = (err: unknown): boolean =>
  errorCodes(err).some((c) => NEVER_SENT_CODES.has(c));

/** A network failure (reset, refused, timeout, truncated body) rather than a bug in our code. */
export const isTransientNetworkError = (err: unknown): boolean =>
  errorCodes(err).some((c) => TRANSIENT_CODES.has(c)) ||
  (err instanceof Error && /terminated|other side closed|socket hang up/i.test(err.message));

/**
 * The server closed the connection before answering (`other side closed`, a reset): what a kept-alive
 * socket does when the server dropped it while our request was on its way.
 */
export const isClosedSocket = (err: unknown): boolean =>
  errorCodes(err).some((c) => c === 'UND_ERR_SOCKET' || c === 'ECONNRESET' || c === 'EPIPE');

/** A short description of a network failure for messages: the first code, else the message. */
export function describeNetworkError(err: unknown): string {
  const code = errorCodes(err)[0];
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code) return code;
  return err instanceof Error ? err.message : String(err);
}
