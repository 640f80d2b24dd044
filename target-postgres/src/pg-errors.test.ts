import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyPgError, describePgFailure, type Fault, sqlstateOf } from './pg-errors.js';

/** An error shaped as pg's DatabaseError (the fields it sets from PostgreSQL's ErrorResponse). */
const dbError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, severity: 'ERROR', ...extra });

const place = { at: 'stdin:3-9', stream: 'payments', table: '"s"."payments"' };

describe('classifyPgError', () => {
  const cases: [unknown, Fault][] = [
    [dbError('22P02', 'invalid input syntax for type bigint: "x"'), 'value'],
    [dbError('22003', 'value "99999999999999999999" is out of range for type bigint'), 'value'],
    [dbError('23502', 'null value in column "id" violates not-null constraint'), 'value'],
    [dbError('54001', 'stack depth limit exceeded'), 'limit'],
    [dbError('54011', 'tables can have at most 1600 columns'), 'limit'],
    [
      dbError('57P01', 'terminating connection due to administrator command', { severity: 'FATAL' }),
      'server',
    ],
    [dbError('57014', 'canceling statement due to user request'), 'server'],
    [dbError('08006', 'connection failure'), 'server'],
    [dbError('53100', 'could not extend file: No space left on device'), 'server'],
    [dbError('58030', 'could not write to file'), 'server'],
    [dbError('XX000', 'cache lookup failed'), 'server'],
    [new Error('Connection terminated unexpectedly'), 'server'],
    [
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
      'server',
    ],
    [Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }), 'server'],
    [new Error('Client was closed and is not queryable'), 'server'],
    [dbError('42703', 'column "label" of relation "payments" does not exist'), 'changed'],
    [dbError('42P01', 'relation "s.payments" does not exist'), 'changed'],
    [dbError('40P01', 'deadlock detected'), 'changed'],
    [dbError('40001', 'could not serialize access due to concurrent update'), 'changed'],
    [dbError('42501', 'permission denied for table payments'), 'privilege'],
    [dbError('23505', 'duplicate key value violates unique constraint "payments_pkey"'), 'changed'],
    [dbError('0A000', 'feature not supported'), 'other'],
    [dbError('42601', 'zero-length delimited identifier at or near '), 'other'],
    [new TypeError('x is not a function'), 'other'],
  ];
  for (const [err, fault] of cases) {
    it(`${(err as Error).message} → ${fault}`, () => assert.equal(classifyPgError(err).fault, fault));
  }

  it('a Node error code that looks like a SQLSTATE is not one (no severity)', () => {
    assert.equal(sqlstateOf(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), undefined);
    assert.equal(sqlstateOf(dbError('57P01', 'x')), '57P01');
  });
});

describe('describePgFailure', () => {
  it('a value error blames the value and names the field', () => {
    const line = describePgFailure(classifyPgError(dbError('22003', 'out of range for type bigint')), {
      ...place,
      at: 'stdin:4',
      field: 'big',
    });
    assert.match(line, /^stdin:4: stream "payments", field "big": PostgreSQL cannot store the value/);
    assert.match(line, /fix the value in the tap/);
  });

  it('a terminated connection says it is the database, that the batch was rolled back, and to re-run', () => {
    const line = describePgFailure(
      classifyPgError(dbError('57P01', 'terminating connection due to administrator command')),
      place,
    );
    assert.match(line, /^stdin:3-9: stream "payments": the connection to PostgreSQL was lost/);
    assert.match(line, /SQLSTATE 57P01/);
    assert.match(line, /not a problem in the input/);
    assert.match(line, /no STATE after it was printed/);
    assert.match(line, /resumes from the last printed STATE/);
    assert.doesNotMatch(line, /fix the value/);
  });

  it('a renamed column names the column and the other session', () => {
    const line = describePgFailure(
      classifyPgError(dbError('42703', 'column "label" of relation "payments" does not exist')),
      place,
    );
    assert.match(line, /column "label" of "payments" was changed by another session/);
    assert.doesNotMatch(line, /fix the value/);
  });

  it('a dropped table names the table', () => {
    const line = describePgFailure(
      classifyPgError(dbError('42P01', 'relation "s.payments" does not exist')),
      place,
    );
    assert.match(line, /table "s.payments" was changed by another session/);
  });

  it("a limit names PostgreSQL's limit and its hint", () => {
    const line = describePgFailure(
      classifyPgError(
        dbError('54001', 'stack depth limit exceeded', {
          hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB).',
        }),
      ),
      { ...place, at: 'stdin:7', field: 'payload' },
    );
    assert.match(
      line,
      /^stdin:7: stream "payments", field "payload": the input is beyond a PostgreSQL limit/,
    );
    assert.match(line, /max_stack_depth/);
  });
});
