import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server whose answers a test scripts request by request, for fault sequences the sandbox
 * cannot pin down exactly (two 503 then a 200, a reset in the middle of a body, a cursor loop…).
 */
export type Recorded = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
};

export type Handler = (req: Recorded, res: ServerResponse, n: number) => unknown;

export type ScriptedServer = {
  /** `http://127.0.0.1:<port>/api/external/v2` */
  baseUrl: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
};

export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: Recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at,
      };
      requests.push(rec);
      Promise.resolve(handler(rec, res, requests.length)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/external/v2`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const page = (items: unknown[], next: string | null) => ({
  items,
  has_more: next !== null,
  next_cursor: next,
});

/**
 * A budget enforced the way a strict server would: a request is counted when it arrives; one arriving
 * when `requests` others arrived in the last `windowMs` gets a plain-text 429. Every answer carries
 * Pennylane's headers (`ratelimit-reset` in epoch seconds, with a `date` header).
 */
export class ServerRateLimit {
  readonly arrivals: number[] = [];
  rejected = 0;

  constructor(
    readonly requests: number,
    readonly windowMs: number,
  ) {}

  /** Records the arrival; true when it is within the budget. Also sets the rate-limit headers. */
  admit(res: ServerResponse, now = Date.now()): boolean {
    const inWindow = this.arrivals.filter((t) => t > now - this.windowMs);
    const ok = inWindow.length < this.requests;
    if (ok) {
      this.arrivals.push(now);
      inWindow.push(now);
    } else this.rejected++;
    const oldest = inWindow[0] ?? now;
    const headers: Record<string, string> = {
      'ratelimit-limit': String(this.requests),
      'ratelimit-remaining': String(Math.max(0, this.requests - inWindow.length)),
      'ratelimit-reset': String(Math.ceil((oldest + this.windowMs) / 1000)),
      date: new Date(now).toUTCString(),
    };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (!ok) {
      const wait = Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(wait) });
      res.end(`Rate limit exceeded. Please retry in ${wait} seconds.`);
    }
    return ok;
  }
}
