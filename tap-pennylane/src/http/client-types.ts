/** The client's public shapes: its options, what callers pass per request, what it reports. */

import type { Logger } from '../../../singer/src/log.js';
import type { RateLimit } from './rate-limiter.js';
import type { RetryOptions } from './retry.js';

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
