import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';

/**
 * Each test file gets its own database on the server that scripts/run-tests.ts started (or the one
 * TEST_DATABASE_URL names), so files run in parallel without seeing each other's tables.
 */
export type TestDatabase = { url: string; client: pg.Client; drop: () => Promise<void> };

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  return url;
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    drop: async () => {
      await client.end();
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The database of the calling test file: created before its tests, dropped after them. */
export function useTestDatabase(prefix: string): () => TestDatabase {
  let db: TestDatabase | undefined;
  before(async () => {
    db = await createTestDatabase(prefix);
  });
  after(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('the test database is not ready');
    return db;
  };
}
