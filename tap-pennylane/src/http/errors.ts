/**
 * Typed errors of the HTTP layer. The class decides what the engine does (a 422 falls back to a full
 * listing, an expired export URL re-creates the export, the rest fail the stream); the message is one
 * line naming the request, the stream and the fix. Messages never carry the token nor a URL's query
 * string (presigned download URLs hold signatures there).
 */

/** Where a request was made: shown in every error. `stream` comes from the caller's ctx. */
export type RequestPlace = { method: string; path: string; stream?: string | undefined };

export type ApiErrorDetails = {
  status?: number | undefined;
  /** What went wrong, in a few words. */
  summary: string;
  /** The API's own message, when the body had one. */
  apiMessage?: string | undefined;
  /** What the user should do. */
  hint: string;
  cause?: unknown;
};

export class PennylaneApiError extends Error {
  override name = 'PennylaneApiError';
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly stream: string | undefined;
  readonly hint: string;
  readonly apiMessage: string | undefined;

  constructor(place: RequestPlace, details: ApiErrorDetails) {
    const where = `${place.method} ${place.path}${place.stream ? ` (stream ${place.stream})` : ''}`;
    const status = details.status !== undefined ? `${details.status} ` : '';
    const api = details.apiMessage ? `: ${details.apiMessage}` : '';
    super(`${where}: ${status}${details.summary}${api} — ${details.hint}`, { cause: details.cause });
    this.status = details.status;
    this.method = place.method;
    this.path = place.path;
    this.stream = place.stream;
    this.hint = details.hint;
    this.apiMessage = details.apiMessage;
  }
}

/** 400: the request was malformed (a bug in the tap, or a bad setting such as start_date). */
export class BadRequestError extends PennylaneApiError {
  override name = 'BadRequestError';
}

/** 401: token missing, invalid or expired (the API cannot tell them apart). */
export class TokenRejectedError extends PennylaneApiError {
  override name = 'TokenRejectedError';
}

/** 403 on an API call: the token lacks a scope. `scope` is the one the API named, when it did. */
export class MissingScopeError extends PennylaneApiError {
  override name = 'MissingScopeError';
  readonly scope: string | undefined;
  constructor(place: RequestPlace, details: ApiErrorDetails & { scope?: string | undefined }) {
    super(place, details);
    this.scope = details.scope;
  }
}

/** 404: unknown path or id. */
export class NotFoundError extends PennylaneApiError {
  override name = 'NotFoundError';
}

/** 422: a business rule refused the request. Caught by the engine to fall back to a full listing. */
export class UnprocessableError extends PennylaneApiError {
  override name = 'UnprocessableError';
}

/** 422 on `/changelogs/*`: `start_date` is older than the 4-week retention. */
export class ChangelogWindowError extends UnprocessableError {
  override name = 'ChangelogWindowError';
}

/** Still 429 after the bounded number of waits. */
export class RateLimitError extends PennylaneApiError {
  override name = 'RateLimitError';
}

/** 5xx after the bounded retries (or a 5xx on a request that is not safe to repeat). */
export class ServerError extends PennylaneApiError {
  override name = 'ServerError';
}

/** Connection refused/reset, DNS failure or timeout after the bounded retries. No status. */
export class NetworkError extends PennylaneApiError {
  override name = 'NetworkError';
}

/** A 2xx whose body was truncated or not JSON, or a status the API does not document, after retries. */
export class InvalidResponseError extends PennylaneApiError {
  override name = 'InvalidResponseError';
}

/** A list response that breaks the cursor contract (loop, missing cursor, page-style envelope). */
export class PaginationError extends PennylaneApiError {
  override name = 'PaginationError';
}

/** 403 on an export's `file_url`: the presigned URL expired (they live 30 minutes). Re-create the export. */
export class ExportUrlExpiredError extends PennylaneApiError {
  override name = 'ExportUrlExpiredError';
}

/**
 * The API's message from an error body, parsed defensively: bodies may be `{error,status}`,
 * `{message,code,field}`, `{error:"code",message,details}` or plain text (429). One line, bounded,
 * with every occurrence of `secret` masked.
 */
export function apiMessageFrom(body: string, secret?: string): string | undefined {
  let text: string | undefined;
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      const parts: string[] = [];
      const main =
        typeof o.message === 'string' ? o.message : typeof o.error === 'string' ? o.error : undefined;
      if (main) parts.push(main);
      if (typeof o.field === 'string') parts.push(`field ${o.field}`);
      if (typeof o.code === 'string') parts.push(`code ${o.code}`);
      if (o.details !== undefined && o.details !== null) parts.push(JSON.stringify(o.details));
      text = parts.length > 0 ? parts.join(', ') : trimmed;
    } else {
      text = trimmed;
    }
  } catch {
    text = trimmed;
  }
  let line = text.replace(/\s+/g, ' ').trim();
  if (secret) line = line.split(secret).join('***');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The scope a 403 body names (`requires scope "ledger"`, `missing scope: customers:readonly`…). */
export function scopeFromMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const m = /scopes?\b[^"'`a-z0-9]*["'`]?([a-z_]+(?::[a-z_]+)?)/i.exec(message);
  return m?.[1];
}

/** A URL for messages: origin and path only (a presigned URL's query carries its signature). */
export const safeUrl = (url: URL): string => `${url.origin}${url.pathname}`;
