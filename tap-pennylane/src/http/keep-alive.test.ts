import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../singer/src/log.js';
import { PennylaneClient } from './client.js';

/**
 * A raw HTTP/1.1 server that keeps each connection alive after its first answer (announcing a long
 * `Keep-Alive` timeout), then closes it, without answering, as soon as a second request arrives on it:
 * what a server whose idle timeout runs out while our request is on its way looks like to the client.
 */
async function closingServer(): Promise<{ server: Server; port: number; connections: number[] }> {
  const connections: number[] = [];
  const server = createServer((socket: Socket) => {
    const conn = connections.length;
    connections.push(0);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end);
        connections[conn]!++;
        if (connections[conn]! > 1) {
          socket.destroy();
          return;
        }
        const path = head.split(' ')[1] ?? '/';
        const body = path.includes('/files/') ? 'line 1\nline 2\n' : JSON.stringify({ path, conn });
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n${body}`,
        );
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections };
}

const servers: Server[] = [];
const clients: PennylaneClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of servers) s.close();
});

async function setup() {
  const { server, port, connections } = await closingServer();
  servers.push(server);
  const client = new PennylaneClient({
    baseUrl: `http://127.0.0.1:${port}/api/external/v2`,
    token: 'tok_keepalive_test_0123',
    timeoutMs: 2_000,
    rateLimit: { requests: 1000, windowMs: 1000 },
    log: createLogger('test-keepalive', () => {}),
    // A long backoff: the retry after a closed kept-alive socket must not wait for it.
    retry: { maxAttempts: 3, baseDelayMs: 3_000, maxDelayMs: 3_000 },
    connections: 1,
  });
  clients.push(client);
  return { client, port, connections };
}

describe('kept-alive connections the server closes', () => {
  it('a GET sent on a socket the server closes is sent again at once on a new connection', async () => {
    const { client, connections } = await setup();
    assert.deepEqual(await client.getJson('/customers'), { path: '/api/external/v2/customers', conn: 0 });
    const t = performance.now();
    assert.deepEqual(await client.getJson('/suppliers'), { path: '/api/external/v2/suppliers', conn: 1 });
    assert.ok(performance.now() - t < 1_000, 'retried without the backoff');
    assert.deepEqual(connections, [2, 1]);
    assert.equal(client.stats.retries, 1);
  });

  it('the start of a download on such a socket is retried the same way', async () => {
    const { client, port, connections } = await setup();
    await client.getJson('/customers');
    const body = await client.download(`http://127.0.0.1:${port}/files/fec.txt`);
    let text = '';
    for await (const chunk of body) text += String(chunk);
    assert.equal(text, 'line 1\nline 2\n');
    assert.deepEqual(connections, [2, 1]);
  });
});
