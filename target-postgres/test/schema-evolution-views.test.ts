/**
 * Widening a column that users' views read (issue 10, defect 4): PostgreSQL refuses ALTER COLUMN TYPE
 * on a column a view uses, so the target drops the views, widens and recreates them as they were, in
 * one transaction. What it cannot recreate stops the run naming the object, with nothing changed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type pg from 'pg';
import { useTestDatabase } from '../../test/support/database.js';
import { assertFailed, loadOk } from './support/assertions.js';
import {
  columnTypes,
  freshSchema,
  ident,
  ndjson,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  sleep,
  table,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tviews');

const I = { type: 'integer' };
const N = { type: ['null', 'integer'] };

/**
 * Everything a user sets on the relations (views, materialized views, indexes) of some schemas, by
 * name: definition, options, owner, privileges, comments, column comments and privileges. Column
 * types are left out: the widened one is meant to change.
 */
async function relationsOf(client: pg.Client, schemas: string[]): Promise<Record<string, unknown>> {
  const r = await rows<{ name: string; facts: unknown }>(
    client,
    `SELECT n.nspname || '.' || c.relname AS name,
            json_build_object(
              'kind', c.relkind, 'owner', pg_get_userbyid(c.relowner), 'acl', c.relacl::text,
              'options', c.reloptions, 'comment', obj_description(c.oid, 'pg_class'),
              'populated', c.relispopulated,
              'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid)
                                 WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END,
              'triggers', (SELECT json_agg(pg_get_triggerdef(t.oid) ORDER BY t.tgname)
                             FROM pg_trigger t WHERE t.tgrelid = c.oid),
              'columns', (SELECT json_agg(json_build_object('name', a.attname, 'acl', a.attacl::text,
                                 'comment', col_description(c.oid, a.attnum),
                                 'default', pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum)
                            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                           WHERE a.attrelid = c.oid AND a.attnum > 0)) AS facts
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind IN ('v', 'm', 'i') AND c.relname NOT LIKE '%_pkey'
      ORDER BY 1`,
    [schemas],
  );
  return Object.fromEntries(r.map((x) => [x.name, x.facts]));
}

/** Two roles of this test (roles are cluster-wide: random names), removed with what they own at the end. */
async function withRoles(client: pg.Client, body: (owner: string, reader: string) => Promise<void>) {
  const suffix = randomBytes(4).toString('hex');
  const owner = `bi_owner_${suffix}`;
  const reader = `bi_reader_${suffix}`;
  await client.query(`CREATE ROLE ${owner} NOLOGIN; CREATE ROLE ${reader} NOLOGIN`);
  try {
    await body(owner, reader);
  } finally {
    await client.query(`DROP OWNED BY ${owner}, ${reader} CASCADE; DROP ROLE ${owner}, ${reader}`);
  }
}

describe('schema evolution with views on the columns', { concurrency: 2 }, () => {
  test('a widening keeps views, views on views in another schema and materialized views as they were', async () => {
    const client = db().client;
    const schema = freshSchema();
    const reporting = freshSchema('reporting');
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('invoice_lines', { id: I, quantity: N }),
      recordMsg('invoice_lines', { id: 1, quantity: 10 }),
      recordMsg('invoice_lines', { id: 2, quantity: 20 }),
    ]);
    await withRoles(client, async (owner, reader) => {
      const lines = table(schema, 'invoice_lines');
      await client.query(`
        CREATE SCHEMA ${ident(reporting)};
        GRANT USAGE, CREATE ON SCHEMA ${ident(schema)}, ${ident(reporting)} TO ${owner};
        GRANT SELECT ON ${lines} TO ${owner};
        SET ROLE ${owner};
        CREATE VIEW ${table(schema, 'lines')} WITH (security_barrier = true)
          AS SELECT id, quantity FROM ${lines} WHERE id > 0 WITH LOCAL CHECK OPTION;
        CREATE VIEW ${table(reporting, 'totals')} WITH (security_invoker = true)
          AS SELECT sum(quantity) AS total, count(*) AS n FROM ${table(schema, 'lines')};
        CREATE MATERIALIZED VIEW ${table(schema, 'lines_mv')}
          AS SELECT id, quantity + quantity AS doubled FROM ${lines};
        CREATE UNIQUE INDEX lines_mv_id ON ${table(schema, 'lines_mv')} (id);
        COMMENT ON VIEW ${table(schema, 'lines')} IS 'Lines for Power BI';
        COMMENT ON COLUMN ${table(schema, 'lines')}.quantity IS 'Units sold';
        COMMENT ON VIEW ${table(reporting, 'totals')} IS 'Totals, l''état du jour';
        COMMENT ON MATERIALIZED VIEW ${table(schema, 'lines_mv')} IS 'Snapshot';
        COMMENT ON INDEX ${table(schema, 'lines_mv_id')} IS 'For REFRESH CONCURRENTLY';
        GRANT SELECT ON ${table(schema, 'lines')}, ${table(reporting, 'totals')} TO ${reader};
        GRANT SELECT (id) ON ${table(schema, 'lines_mv')} TO ${reader};
        ALTER VIEW ${table(schema, 'lines')} ALTER COLUMN quantity SET DEFAULT 1;
        CREATE FUNCTION ${table(schema, 'add_line')}() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN INSERT INTO ${lines} VALUES (NEW.id, NEW.quantity); RETURN NEW; END $$;
        CREATE TRIGGER add_line INSTEAD OF INSERT ON ${table(schema, 'lines')}
          FOR EACH ROW EXECUTE FUNCTION ${table(schema, 'add_line')}();
        CREATE MATERIALIZED VIEW ${table(reporting, 'not_yet')} AS SELECT max(quantity) AS top FROM ${lines}
          WITH NO DATA;
        RESET ROLE;
      `);
      const before = await relationsOf(client, [schema, reporting]);
      assert.equal(Object.keys(before).length, 5, 'four views and an index to keep');
      const mvBefore = await rows(
        client,
        `SELECT id::int, doubled::text FROM ${table(schema, 'lines_mv')} ORDER BY id`,
      );

      await loadOk(config, [
        schemaMsg('invoice_lines', { id: I, quantity: { type: ['null', 'number'] } }),
        recordMsg('invoice_lines', { id: 3, quantity: 2.5 }),
      ]);

      assert.equal((await columnTypes(client, schema, 'invoice_lines')).quantity, 'numeric');
      assert.deepEqual(await relationsOf(client, [schema, reporting]), before, 'every dependant as it was');
      assert.equal((before[`${schema}.lines`] as { owner: string }).owner, owner);
      assert.equal(
        (await columnTypes(client, schema, 'lines')).quantity,
        'numeric',
        'the view has the new type',
      );
      assert.deepEqual(
        await rows(client, `SELECT id::int, doubled::text FROM ${table(schema, 'lines_mv')} ORDER BY id`),
        mvBefore,
        'the materialized view holds its rows',
      );
      assert.deepEqual(await rows(client, `SELECT total::text, n::int FROM ${table(reporting, 'totals')}`), [
        { total: '32.5', n: 3 },
      ]);
    });
  });

  test('a trigger on the column cannot be kept: the run fails naming it and nothing changes', async () => {
    const client = db().client;
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('orders', { id: I, quantity: N }),
      recordMsg('orders', { id: 1, quantity: 4 }),
    ]);
    const orders = table(schema, 'orders');
    await client.query(`
      CREATE FUNCTION ${table(schema, 'noop')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER big_order BEFORE UPDATE ON ${orders} FOR EACH ROW
        WHEN (NEW.quantity > 100) EXECUTE FUNCTION ${table(schema, 'noop')}();
      CREATE VIEW ${table(schema, 'order_view')} AS SELECT id, quantity FROM ${orders};
    `);
    const before = await relationsOf(client, [schema]);
    const viewOid = await rows(client, `SELECT '${schema}.order_view'::regclass::oid::text AS oid`);

    const run = await runTarget(
      config,
      ndjson([
        schemaMsg('orders', { id: I, quantity: { type: ['null', 'number'] } }),
        recordMsg('orders', { id: 2, quantity: 1.5 }),
      ]),
    );
    assertFailed(run, 'stdin:1', [
      'orders',
      'quantity',
      `trigger big_order on ${schema}.orders`,
      'DROP TRIGGER',
    ]);
    assert.equal(
      (await columnTypes(client, schema, 'orders')).quantity,
      'bigint',
      'the column is not widened',
    );
    assert.deepEqual(await relationsOf(client, [schema]), before, 'the view is intact');
    assert.deepEqual(
      await rows(client, `SELECT '${schema}.order_view'::regclass::oid::text AS oid`),
      viewOid,
    );
  });

  test('a view that no longer compiles on the new type fails naming it and nothing changes', async () => {
    const client = db().client;
    const schema = freshSchema();
    const reporting = freshSchema('reporting');
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('accounts', { id: I, code: N }),
      recordMsg('accounts', { id: 1, code: 411 }),
      recordMsg('accounts', { id: 2, code: 512 }),
    ]);
    await client.query(`
      CREATE SCHEMA ${ident(reporting)};
      CREATE VIEW ${table(schema, 'all_accounts')} AS SELECT id, code FROM ${table(schema, 'accounts')};
      CREATE VIEW ${table(reporting, 'clients')} AS
        SELECT id, code FROM ${table(schema, 'all_accounts')} WHERE code BETWEEN 400 AND 419;
    `);
    const before = await relationsOf(client, [schema, reporting]);

    const run = await runTarget(
      config,
      ndjson([
        schemaMsg('accounts', { id: I, code: { type: ['null', 'string'] } }),
        recordMsg('accounts', { id: 3, code: '411-DUPONT' }),
      ]),
    );
    assertFailed(run, 'stdin:1', ['accounts', 'code', `view ${reporting}.clients`, 'definition']);
    assert.equal((await columnTypes(client, schema, 'accounts')).code, 'bigint', 'the column is not widened');
    assert.deepEqual(await relationsOf(client, [schema, reporting]), before, 'both views are intact');
    assert.deepEqual(await rows(client, `SELECT id::int FROM ${table(reporting, 'clients')}`), [{ id: 1 }]);
  });

  test('two runs widening two tables that one view reads take turns instead of deadlocking', async () => {
    const client = db().client;
    const schema = freshSchema();
    const config = writeConfig(db().url, schema);
    await loadOk(config, [
      schemaMsg('a', { id: I, x: N }),
      recordMsg('a', { id: 1, x: 10 }),
      schemaMsg('b', { id: I, y: N }),
      recordMsg('b', { id: 1, y: 20 }),
    ]);
    const [a, b, c] = ['a', 'b', 'c'].map((t) => table(schema, t));
    await client.query(`
      CREATE TABLE ${c} (id bigint);
      INSERT INTO ${c} VALUES (1);
      CREATE VIEW ${table(schema, 'abc')} AS SELECT c.id, a.x, b.y FROM ${c} c JOIN ${a} a USING (id) JOIN ${b} b USING (id);
    `);
    // The test holds c, which reading the view's definition locks first: both runs get stuck in the
    // middle of their widening, then are let go together (without the advisory lock, each one holds
    // its table and waits for the other's: a deadlock, and one run fails).
    await client.query(`BEGIN; LOCK TABLE ${c} IN ACCESS EXCLUSIVE MODE`);
    const widen = (stream: string, column: string) =>
      runTarget(
        config,
        ndjson([
          schemaMsg(stream, { id: I, [column]: { type: ['null', 'number'] } }),
          recordMsg(stream, { id: 2, [column]: 2.5 }),
        ]),
      );
    const runs = [widen('a', 'x'), widen('b', 'y')];
    const waiting = `SELECT count(DISTINCT pid)::int AS n FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()`;
    for (let i = 0; i < 1200 && (await rows<{ n: number }>(client, waiting))[0]!.n < 2; i++) await sleep(25);
    await client.query('COMMIT');
    const [runA, runB] = await Promise.all(runs);
    assert.equal(runA!.code, 0, `widening a failed: ${runA!.lastError}`);
    assert.equal(runB!.code, 0, `widening b failed: ${runB!.lastError}`);
    assert.deepEqual(await columnTypes(client, schema, 'abc'), { id: 'bigint', x: 'numeric', y: 'numeric' });
    assert.deepEqual(await rows(client, `SELECT id::int, x::text, y::text FROM ${table(schema, 'abc')}`), [
      { id: 1, x: '10', y: '20' },
    ]);
  });

  test("a target user that may not act as the views' owner gets the GRANT to run, then widens once granted", async () => {
    const client = db().client;
    const schema = freshSchema();
    await withRoles(client, async (owner, loader) => {
      await client.query(`ALTER ROLE ${loader} LOGIN PASSWORD 'loader-secret-${loader}';
        GRANT CREATE ON DATABASE ${ident(new URL(db().url).pathname.slice(1))} TO ${loader}`);
      const url = new URL(db().url);
      url.username = loader;
      url.password = `loader-secret-${loader}`;
      const config = writeConfig(url.toString(), schema);
      await loadOk(config, [
        schemaMsg('journals', { id: I, code: N }),
        recordMsg('journals', { id: 1, code: 7 }),
      ]);
      await client.query(`
        GRANT USAGE, CREATE ON SCHEMA ${ident(schema)} TO ${owner};
        GRANT SELECT ON ${table(schema, 'journals')} TO ${owner};
        SET ROLE ${owner};
        CREATE VIEW ${table(schema, 'journal_codes')} AS SELECT id, code FROM ${table(schema, 'journals')};
        RESET ROLE;
      `);
      const widen = ndjson([
        schemaMsg('journals', { id: I, code: { type: ['null', 'string'] } }),
        recordMsg('journals', { id: 2, code: 'VT' }),
      ]);
      const refused = await runTarget(config, widen);
      assertFailed(refused, 'stdin:1', ['journals', `view ${schema}.journal_codes`, `GRANT "${owner}"`]);
      assert.equal((await columnTypes(client, schema, 'journals')).code, 'bigint');

      await client.query(`GRANT ${owner} TO ${loader}`);
      assert.equal((await runTarget(config, widen)).code, 0);
      assert.equal((await columnTypes(client, schema, 'journals')).code, 'text');
      assert.deepEqual(
        await rows(
          client,
          `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = $1::regclass`,
          [`${schema}.journal_codes`],
        ),
        [{ owner }],
      );
    });
  });
});
