import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL8, type FilterField, parseFilter } from './filter.js';

type Row = { id: number; day: number; name: string; emails: string[]; draft: boolean };
const FIELDS: Record<string, FilterField<Row>> = {
  id: { kind: 'number', ops: ALL8, get: (r) => r.id },
  date: { kind: 'day', ops: ALL8, get: (r) => r.day },
  name: { kind: 'string', ops: ['eq', 'start_with'], get: (r) => r.name },
  emails: { kind: 'strings', ops: ['in'], get: (r) => r.emails },
  draft: { kind: 'boolean', ops: ['eq'], get: (r) => r.draft },
};
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const ROWS: Row[] = [
  { id: 5_000_000_001, day: day('2025-01-31'), name: 'Atelier Dupont', emails: ['a@x.fr'], draft: false },
  {
    id: 5_000_000_010,
    day: day('2025-02-01'),
    name: 'Boulangerie',
    emails: ['b@x.fr', 'c@x.fr'],
    draft: true,
  },
  { id: 5_000_000_100, day: day('2025-03-15'), name: 'atelier Roux', emails: [], draft: false },
];
const ids = (filter: unknown[]) => ROWS.filter(parseFilter(JSON.stringify(filter), FIELDS)).map((r) => r.id);

describe('filter parameter', () => {
  it('compares ids as numbers, whether sent as numbers or strings', () => {
    assert.deepEqual(
      ids([{ field: 'id', operator: 'gt', value: '5000000009' }]),
      [5_000_000_010, 5_000_000_100],
    );
    assert.deepEqual(
      ids([{ field: 'id', operator: 'in', value: [5_000_000_001, '5000000100'] }]),
      [5_000_000_001, 5_000_000_100],
    );
    assert.deepEqual(
      ids([{ field: 'id', operator: 'not_in', value: ['5000000001'] }]),
      [5_000_000_010, 5_000_000_100],
    );
  });

  it('compares dates as dates and ANDs conditions', () => {
    assert.deepEqual(
      ids([
        { field: 'date', operator: 'gteq', value: '2025-02-01' },
        { field: 'date', operator: 'lt', value: '2025-03-15' },
      ]),
      [5_000_000_010],
    );
  });

  it('start_with ignores case; in on an array field matches any element; booleans accept true and "true"', () => {
    assert.deepEqual(
      ids([{ field: 'name', operator: 'start_with', value: 'ATELIER' }]),
      [5_000_000_001, 5_000_000_100],
    );
    assert.deepEqual(ids([{ field: 'emails', operator: 'in', value: ['c@x.fr'] }]), [5_000_000_010]);
    assert.deepEqual(ids([{ field: 'draft', operator: 'eq', value: 'true' }]), [5_000_000_010]);
    assert.deepEqual(
      ids([]),
      ROWS.map((r) => r.id),
    );
  });

  it('names the problem in a 400 for malformed JSON, unknown operators and fields, and bad values', () => {
    const cases: [string, RegExp][] = [
      ['[{', /not valid JSON/],
      ['{}', /JSON array/],
      [JSON.stringify([{ field: 'id', operator: 'between', value: 1 }]), /unknown operator "between"/],
      [JSON.stringify([{ field: 'name', operator: 'lt', value: 'a' }]), /lt is not allowed on name/],
      [
        JSON.stringify([{ field: 'updated_at', operator: 'gt', value: '2025-01-01' }]),
        /unknown field "updated_at"/,
      ],
      [JSON.stringify([{ field: 'date', operator: 'eq', value: '2025-02-30' }]), /YYYY-MM-DD/],
      [JSON.stringify([{ field: 'id', operator: 'in', value: '1,2' }]), /array/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseFilter(text, FIELDS),
        (e: Error & { status?: number }) => e.status === 400 && message.test(e.message),
      );
    }
  });
});
