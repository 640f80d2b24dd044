import pg from 'pg';

/** Something that holds a connection and can give it back (after committing what it holds). */
export type ConnectionHolder = { lastUsed: number; hasConnection(): boolean; release(): Promise<void> };

/**
 * At most `max` connections, one per stream that is loading. When all are taken, the stream used least
 * recently commits and gives its connection back: taps mostly send streams one after another, so this
 * rarely costs anything, and it bounds both connections and memory whatever the number of streams.
 */
export class ConnectionPool {
  private open = 0;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly max: number,
    private readonly holders: () => Iterable<ConnectionHolder>,
  ) {}

  async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    // A dropped connection also rejects the query in flight, which reports it with its context;
    // without a listener the event alone would crash the process with a stack trace.
    client.on('error', () => {});
    await client.connect();
    // Naive timestamps are UTC and date → timestamptz conversions do not depend on the server's zone.
    await client.query("SET TIME ZONE 'UTC'");
    return client;
  }

  async acquire(forHolder: ConnectionHolder): Promise<pg.Client> {
    while (this.open >= this.max) {
      let victim: ConnectionHolder | undefined;
      for (const h of this.holders()) {
        if (h !== forHolder && h.hasConnection() && (!victim || h.lastUsed < victim.lastUsed)) victim = h;
      }
      if (!victim) break;
      await victim.release();
    }
    this.open++;
    try {
      return await this.connect();
    } catch (err) {
      this.open--;
      throw err;
    }
  }

  async close(client: pg.Client): Promise<void> {
    this.open--;
    await client.end().catch(() => {});
  }
}
