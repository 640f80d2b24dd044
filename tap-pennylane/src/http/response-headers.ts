import type { Dispatcher } from 'undici';
import type { ServerObservation } from './rate-limiter.js';

type Headers = Dispatcher.ResponseData['headers'];

const NUMBER = /^\s*\d+(\.\d+)?\s*$/;

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const intHeader = (headers: Headers, name: string): number | undefined => {
  const v = header(headers, name);
  if (v === undefined || !NUMBER.test(v)) return undefined;
  return Math.floor(Number(v));
};

/** The server's clock from its `date` header (second precision), else ours. */
export function serverNowMs(headers: Headers): number {
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
  if (resetRaw !== undefined && NUMBER.test(resetRaw)) {
    const reset = Number(resetRaw);
    resetInMs = reset > 1e9 ? Math.max(0, reset * 1000 - serverNowMs(headers)) : reset * 1000;
  }
  return { limit, remaining, resetInMs };
}
