import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AclItem,
  aclSteps,
  creationOrder,
  type Dependant,
  dropSteps,
  optionsClause,
  quoteLiteral,
  recreateSteps,
} from './dependants-sql.js';
import { blockerMessage } from './widening.js';

const view = (over: Partial<Dependant>): Dependant => ({
  oid: '1',
  kind: 'view',
  schema: 's',
  name: 'v',
  owner: 'bi',
  definition: ' SELECT id\n   FROM s.t;',
  options: [],
  accessMethod: null,
  tablespace: null,
  populated: true,
  comment: null,
  columns: [],
  acl: [],
  indexes: [],
  rules: [],
  triggers: [],
  statistics: [],
  dependsOn: [],
  ...over,
});

const sqlOf = (steps: { sql: string }[]): string[] => steps.map((s) => s.sql);
const all = (grantor: string, grantee: string | null, privileges: string[], grantable = false): AclItem[] =>
  privileges.map((privilege) => ({ grantor, grantee, privilege, grantable }));
const OWNER_DEFAULT = [
  'DELETE',
  'INSERT',
  'MAINTAIN',
  'REFERENCES',
  'SELECT',
  'TRIGGER',
  'TRUNCATE',
  'UPDATE',
];

describe('dependants: order', () => {
  it('creates each dependant after those it reads, whatever the catalog order, and drops in reverse', () => {
    const top = view({ oid: '3', name: 'top', dependsOn: ['1', '2'] });
    const mid = view({ oid: '2', name: 'mid', dependsOn: ['1'] });
    const base = view({ oid: '1', name: 'base' });
    const order = creationOrder([top, mid, base]);
    assert.deepEqual(
      order.map((d) => d.name),
      ['base', 'mid', 'top'],
    );
    assert.deepEqual(sqlOf(dropSteps(order)), [
      'DROP VIEW "s"."top"',
      'DROP VIEW "s"."mid"',
      'DROP VIEW "s"."base"',
    ]);
  });

  it('ignores dependencies outside the set (the widened table, other views)', () => {
    const d = view({ oid: '5', dependsOn: ['999'] });
    assert.deepEqual(creationOrder([d]), [d]);
  });
});

describe('dependants: recreation', () => {
  it('replays a view as its owner with its options, column defaults, comments and triggers', () => {
    const d = view({
      options: ['security_barrier=true', 'check_option=local'],
      comment: "Ventes de l'année",
      columns: [{ name: 'id', comment: 'Identifiant', default: '1', acl: [] }],
      triggers: ['CREATE TRIGGER ins INSTEAD OF INSERT ON s.v FOR EACH ROW EXECUTE FUNCTION s.f()'],
    });
    assert.deepEqual(sqlOf(recreateSteps(d)), [
      'SET LOCAL ROLE "bi"',
      `CREATE VIEW "s"."v" WITH (security_barrier='true', check_option='local') AS SELECT id\n   FROM s.t`,
      'ALTER VIEW "s"."v" ALTER COLUMN "id" SET DEFAULT 1',
      'CREATE TRIGGER ins INSTEAD OF INSERT ON s.v FOR EACH ROW EXECUTE FUNCTION s.f()',
      `COMMENT ON VIEW "s"."v" IS 'Ventes de l''année'`,
      `COMMENT ON COLUMN "s"."v"."id" IS 'Identifiant'`,
      'RESET ROLE',
    ]);
    assert.ok(recreateSteps(d).every((s) => s.object === 'view s.v'));
  });

  it('replays a materialized view with its access method, tablespace, data and indexes', () => {
    const d = view({
      kind: 'materialized view',
      name: 'mv',
      accessMethod: 'heap',
      tablespace: 'fast',
      indexes: [
        {
          name: 'mv_id',
          definition: 'CREATE UNIQUE INDEX mv_id ON s.mv USING btree (id)',
          tablespace: 'fast',
          comment: 'for REFRESH CONCURRENTLY',
        },
      ],
    });
    assert.deepEqual(sqlOf(recreateSteps(d)), [
      'SET LOCAL ROLE "bi"',
      'CREATE MATERIALIZED VIEW "s"."mv" USING "heap" TABLESPACE "fast" AS SELECT id\n   FROM s.t WITH DATA',
      'CREATE UNIQUE INDEX mv_id ON s.mv USING btree (id)',
      'ALTER INDEX "s"."mv_id" SET TABLESPACE "fast"',
      `COMMENT ON INDEX "s"."mv_id" IS 'for REFRESH CONCURRENTLY'`,
      'RESET ROLE',
    ]);
    const empty = recreateSteps({ ...d, populated: false, indexes: [] })[1]!.sql;
    assert.ok(empty.endsWith(' WITH NO DATA'), empty);
  });

  it('quotes option values and literals, and refuses an option name it cannot write safely', () => {
    assert.equal(optionsClause([]), '');
    assert.equal(optionsClause(['fillfactor=70']), " WITH (fillfactor='70')");
    assert.equal(quoteLiteral(`it's \\ fine`), `'it''s \\ fine'`);
    assert.throws(() => optionsClause(['x) AS SELECT 1; --=1']), /unexpected relation option/);
  });
});

describe('dependants: privileges', () => {
  it('does nothing when the new relation already has the saved privileges', () => {
    const acl = all('bi', 'bi', OWNER_DEFAULT);
    assert.deepEqual(aclSteps(view({ acl }), acl), []);
  });

  it('grants as each grantor, owner first so later grantors hold their grant option', () => {
    const d = view({
      acl: [
        ...all(
          'bi',
          'bi',
          OWNER_DEFAULT.filter((p) => p !== 'DELETE'),
        ),
        ...all('alice', 'bob', ['SELECT']),
        ...all('bi', 'alice', ['SELECT'], true),
        ...all('bi', null, ['SELECT']),
      ],
      columns: [{ name: 'id', comment: null, default: null, acl: all('bi', 'carol', ['UPDATE']) }],
    });
    // What the owner's ALTER DEFAULT PRIVILEGES gave the new relation: one grant to remove.
    const current = [...all('bi', 'bi', OWNER_DEFAULT), ...all('bi', 'auditor', ['SELECT'])];
    assert.deepEqual(sqlOf(aclSteps(d, current)), [
      'SET LOCAL ROLE "bi"',
      'REVOKE DELETE ON TABLE "s"."v" FROM "bi"',
      'REVOKE SELECT ON TABLE "s"."v" FROM "auditor"',
      'GRANT SELECT ON TABLE "s"."v" TO "alice" WITH GRANT OPTION',
      'GRANT SELECT ON TABLE "s"."v" TO PUBLIC',
      'GRANT UPDATE ("id") ON TABLE "s"."v" TO "carol"',
      'SET LOCAL ROLE "alice"',
      'GRANT SELECT ON TABLE "s"."v" TO "bob"',
      'RESET ROLE',
    ]);
  });

  it('removes a grant option the saved privileges do not have', () => {
    const d = view({ acl: [...all('bi', 'bi', ['SELECT']), ...all('bi', 'x', ['SELECT'])] });
    const current = [...all('bi', 'bi', ['SELECT']), ...all('bi', 'x', ['SELECT'], true)];
    assert.deepEqual(sqlOf(aclSteps(d, current)), [
      'SET LOCAL ROLE "bi"',
      'REVOKE GRANT OPTION FOR SELECT ON TABLE "s"."v" FROM "x"',
      'RESET ROLE',
    ]);
  });
});

describe('dependants: what cannot be kept', () => {
  it('names the first object with its kind and the fix, and lists the others once', () => {
    const line = blockerMessage('stream "orders": field "quantity" … must widen from bigint to numeric', [
      { type: 'trigger', identity: 'audit on s.orders', on: 'column quantity of table s.orders' },
      { type: 'function', identity: 's.f()', on: 'column id of view s.v' },
      { type: 'function', identity: 's.f()', on: 'column quantity of view s.v' },
    ]);
    assert.equal(
      line,
      'stream "orders": field "quantity" … must widen from bigint to numeric, but trigger audit on s.orders depends on column quantity of table s.orders and the target cannot drop and recreate it: drop the trigger (DROP TRIGGER), re-run the sync, then create it again (or alter the column yourself) (also: function s.f())',
    );
    assert.ok(!line.includes('\n'));
  });
});
