import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_PREFIX } from '../../../pennylane/src/api.js';
import type { Core } from '../core.js';
import { handleApi } from './api.js';
import { handleControl } from './control.js';
import { ApiError } from './errors.js';
import { type FaultAction, gatewayErrorPage } from './faults.js';

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'body: not valid JSON');
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** One HTTP server answers the API, the export files (under both host names) and the control surface. */
export function createHandler(core: Core) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    try {
      if (url.pathname.startsWith('/_sandbox/') || url.pathname === '/_sandbox') {
        const body = parseJsonBody(await readBody(req));
        const result = await handleControl(core, req.method ?? 'GET', url, body);
        sendJson(res, result.status, result.body);
        return;
      }
      if (url.pathname.startsWith('/_files/')) return await serveFile(core, req, res, url.pathname);
      if (url.pathname.startsWith(`${API_PREFIX}/`)) return await serveApi(core, req, res, url);
      sendJson(res, 404, { error: 'Not Found', status: 404 });
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError)
        sendJson(res, error.status, { error: error.message, status: error.status });
      else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error), status: 500 });
    }
  };
}

/**
 * S3-like download: no authentication, an Authorization header → 400 (S3 refuses a presigned URL
 * with a second auth mechanism), an expired link → 403, an unknown one → 404. XML error bodies as S3.
 */
async function serveFile(core: Core, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const token = path.split('/')[2] ?? '';
  // Counted under one key: link tokens are random.
  const counted = '/_files';
  const xml = (status: number, code: string, message: string) => {
    core.count(counted, status);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(body);
  };
  if (req.method !== 'GET')
    return xml(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  if (req.headers.authorization) {
    return xml(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  const file = core.fileFor(token);
  if (file === 'expired') return xml(403, 'AccessDenied', 'Request has expired');
  if (!file) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
  const body = await file.body;
  core.count(counted, 200);
  const type =
    file.job.kind === 'fecs'
      ? `text/plain; charset=${core.opts.fecDialect.encoding}`
      : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

async function serveApi(core: Core, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.slice(API_PREFIX.length);
  const counted = url.pathname;
  let rateHeaders: Record<string, string> = {};
  const finish = (status: number, body: unknown, fault: FaultAction = { kind: 'none' }) => {
    core.count(counted, status);
    const shaped = fault.kind === 'wrong_shape' && status >= 200 && status < 300 ? { data: body } : body;
    const json = JSON.stringify(shaped);
    const half = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    const text =
      fault.kind === 'truncate' ? half : fault.kind === 'malformed' ? `${half}<html>oops</html>` : json;
    // A truncated body keeps the full Content-Length and the socket is cut, as a dropped connection.
    res.writeHead(status, {
      ...rateHeaders,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(fault.kind === 'truncate' ? json : text),
    });
    if (fault.kind === 'truncate') {
      res.write(text, () => res.destroy());
      return;
    }
    if (fault.kind === 'stall') {
      res.write(half);
      // Unref'd: a stalled answer must not keep a closing sandbox (or the test process) alive.
      setTimeout(() => {
        if (!res.destroyed) res.end(json.slice(half.length));
      }, fault.ms).unref();
      return;
    }
    res.end(text);
  };
  const tooMany = (retryAfter: number) => {
    core.count(counted, 429);
    const text = `Rate limit exceeded. Please retry in ${retryAfter} seconds.`;
    res.writeHead(429, {
      ...rateHeaders,
      'retry-after': String(retryAfter),
      'content-type': 'text/plain; charset=utf-8',
    });
    res.end(text);
  };

  const latency = core.faults.latencyFor(path);
  if (latency > 0) await sleep(latency);
  const fault = core.faults.decide(path, req.method);
  if (fault.kind === 'reset') {
    core.count(counted, 'reset');
    req.socket.destroy();
    return;
  }
  if (fault.kind === 'html') {
    // The gateway answers before the API sees the request: no authentication, no rate-limit headers.
    core.count(counted, fault.status);
    const page = gatewayErrorPage(fault.status);
    res.writeHead(fault.status, {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(page),
    });
    res.end(page);
    return;
  }

  const auth = req.headers.authorization ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  if (token !== core.opts.token) return finish(401, { error: 'The access token is invalid', status: 401 });

  const decision = core.limiter.check(token, core.store.clock.nowMs());
  if (decision) rateHeaders = decision.headers;
  if (fault.kind === 'rate_limit') {
    const limit = core.limiter.limit;
    rateHeaders = {
      'ratelimit-limit': String(limit ? limit.requests : 25),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Math.ceil(core.store.clock.nowMs() / 1000) + 1),
    };
    return tooMany(1);
  }
  if (decision && !decision.allowed) return tooMany(decision.retryAfterSeconds);
  if (fault.kind === 'error') {
    return finish(fault.status, {
      error: fault.status === 500 ? 'Internal Server Error' : 'Service Unavailable',
      status: fault.status,
    });
  }

  let result: { status: number; body: unknown };
  try {
    const body = req.method === 'POST' ? parseJsonBody(await readBody(req)) : undefined;
    result = await handleApi(core, { method: req.method ?? 'GET', path, query: url.searchParams, body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    result = { status: error.status, body: { error: error.message, status: error.status } };
  }
  finish(result.status, result.body, fault);
}
