import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Column } from './columns.js';
import { mergeSql } from './merge-sql.js';

const columns: Column[] = [
  { name: 'id', type: 'bigint', path: ['id'] },
  { name: 'label', type: 'text', path: ['label'] },
  { name: '_sdc_deleted_at', type: 'timestamptz', path: ['_sdc_deleted_at'], metadata: 'deleted_at' },
  { name: '_sdc_batched_at', type: 'timestamptz', path: ['_sdc_batched_at'], metadata: 'batched_at' },
];
const spec = { target: '"s"."t"', columns, keyColumns: ['id'], repeats: true, deletes: true };

describe('mergeSql', () => {
  it('hard deletes delete the rows whose last staged record is a delete', () => {
    const sql = mergeSql({ ...spec, hardDelete: true });
    assert.match(sql, /DELETE FROM "s"\."t" t USING w WHERE w\."_sdc_stage_delete"/);
  });

  it('soft deletes of keys with no other record in the batch set only the flag and the metadata', () => {
    const sql = mergeSql({ ...spec, hardDelete: false });
    assert.doesNotMatch(sql, /DELETE/);
    const flagOnly =
      /g AS \(INSERT INTO "s"\."t" AS t \(([^)]*)\)[\s\S]*?ON CONFLICT \("id"\) DO UPDATE SET ([^\n]*)/.exec(
        sql,
      );
    assert.ok(flagOnly, sql);
    assert.equal(flagOnly[1], '"id", "_sdc_deleted_at", "_sdc_batched_at"');
    assert.equal(
      flagOnly[2],
      '"_sdc_deleted_at" = EXCLUDED."_sdc_deleted_at", "_sdc_batched_at" = EXCLUDED."_sdc_batched_at"',
    );
  });

  it("soft deletes after a record of the key take that record's values and the delete's flag", () => {
    const sql = mergeSql({ ...spec, hardDelete: false });
    assert.match(
      sql,
      /SELECT l\."id", v\."label", l\."_sdc_deleted_at", l\."_sdc_batched_at" FROM l JOIN v ON l\."id" = v\."id"/,
    );
    assert.match(
      sql,
      /v AS MATERIALIZED \(SELECT DISTINCT ON \("id"\) \* FROM "target_postgres_stage" WHERE NOT "_sdc_stage_delete"/,
    );
  });
});
