/**
 * A target killed with SIGKILL in the middle of a stream, then re-run from the last state it printed
 * (the tap would resume from there: only the messages after the records that state covers), ends with
 * exactly the rows of a clean load. Every STATE value in the input says how many records precede it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestDatabase } from '../../test/support/database.js';
import { assertSucceeded } from './support/assertions.js';
import {
  explain,
  freshSchema,
  recordMsg,
  rows,
  runTarget,
  schemaMsg,
  startTarget,
  stateMsg,
  table,
  timeout,
  userRows,
  writeConfig,
} from './support/target.js';

const db = useTestDatabase('tcrash');

const TOTAL = 6000;
const SCHEMAS = [
  schemaMsg('invoices', {
    id: { type: 'integer' },
    amount: { type: 'string', format: 'singer.decimal' },
    status: { type: 'string' },
    issued_at: { type: 'string', format: 'date-time' },
    _sdc_deleted_at: { type: ['null', 'string'], format: 'date-time' },
  }),
  schemaMsg(
    'invoice_lines',
    { invoice_id: { type: 'integer' }, line_no: { type: 'integer' }, label: { type: 'string' } },
    ['invoice_id', 'line_no'],
  ),
];

type Line = { text: string; position: number };

/**
 * The stream as lines, each tagged with the number of records before and including it. Invoices are
 * created, later updated (every 7th record) or deleted (every 97th), so replaying a stretch twice is
 * only harmless if the target upserts and deletes by key.
 */
function messages(): Line[] {
  const out: Line[] = SCHEMAS.map((s) => ({ text: JSON.stringify(s), position: 0 }));
  let position = 0;
  let created = 0;
  for (let i = 0; i < TOTAL; i++) {
    position++;
    let record: Record<string, unknown>;
    if (i % 3 === 2) {
      record = recordMsg('invoice_lines', {
        invoice_id: Math.max(1, created),
        line_no: i % 5,
        label: `line ${i}`,
      });
    } else if (i % 7 === 6 && created > 10) {
      record = recordMsg('invoices', {
        id: created - 5,
        amount: `${i}.${i % 100}`,
        status: 'paid',
        issued_at: '2026-01-02T03:04:05.678901Z',
      });
    } else if (i % 97 === 96 && created > 20) {
      record = recordMsg('invoices', {
        id: created - 17,
        amount: '0.00',
        status: 'cancelled',
        issued_at: '2026-01-02T03:04:05Z',
        _sdc_deleted_at: '2026-02-01T00:00:00Z',
      });
    } else {
      created++;
      record = recordMsg('invoices', {
        id: created,
        amount: `${created}.01`,
        status: 'draft',
        issued_at: '2026-01-01T00:00:00+01:00',
      });
    }
    out.push({ text: JSON.stringify(record), position });
    if (position % 200 === 0) out.push({ text: JSON.stringify(stateMsg({ records: position })), position });
  }
  out.push({ text: JSON.stringify(stateMsg({ records: TOTAL, done: true })), position });
  return out;
}

const asInput = (lines: Line[]) => `${lines.map((l) => l.text).join('\n')}\n`;
const snapshot = async (schema: string) => ({
  invoices: await userRows(db().client, schema, 'invoices', 'id'),
  lines: await userRows(db().client, schema, 'invoice_lines', 'invoice_id, line_no'),
});

test('a target killed with SIGKILL mid-stream and re-run from its last printed state ends with the rows of a clean load', async () => {
  const all = messages();
  const options = { batch_size_rows: 700, max_batch_age_seconds: 1 };

  const clean = freshSchema();
  assertSucceeded(await runTarget(writeConfig(db().url, clean, options), asInput(all)));

  // the crashed run: fed 40 %, killed right after its first state line while more input arrives
  const crashed = freshSchema();
  const config = writeConfig(db().url, crashed, options);
  const target = startTarget(config);
  const firstState = new Promise<void>((resolve) => target.onLine(() => resolve()));
  const cut = Math.floor(all.length * 0.4);
  await target.write(asInput(all.slice(0, cut)));
  const got = await Promise.race([firstState.then(() => true), timeout(30000, false)]);
  assert.ok(got, `no state line within 30 s of feeding 40 % of the input\n${target.stderr().slice(-2000)}`);
  void target.write(asInput(all.slice(cut, Math.floor(all.length * 0.6))));
  target.child.kill('SIGKILL');
  const killed = await target.exited;
  assert.equal(killed.signal, 'SIGKILL', explain(killed));

  const printed = killed.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { records: number });
  assert.ok(printed.length >= 1);
  const resumeFrom = printed[printed.length - 1]!.records;
  assert.ok(resumeFrom < TOTAL, 'the kill happened mid-stream');

  // everything the printed state covers is committed
  const committedInvoices = (
    await rows<{ n: number }>(db().client, `SELECT count(*)::int AS n FROM ${table(crashed, 'invoices')}`)
  )[0]!.n;
  assert.ok(committedInvoices > 0, 'the covered records were committed before the state was printed');

  // the re-run: schemas again, then every message after the records the state covers
  const rest = all.filter((l, i) => i >= SCHEMAS.length && l.position > resumeFrom);
  const rerun = await runTarget(config, asInput([...all.slice(0, SCHEMAS.length), ...rest]));
  assertSucceeded(rerun);
  assert.deepEqual(rerun.states[rerun.states.length - 1], { records: TOTAL, done: true });

  const expected = await snapshot(clean);
  const actual = await snapshot(crashed);
  assert.equal(actual.invoices.length, expected.invoices.length, 'same number of invoices');
  assert.equal(actual.lines.length, expected.lines.length, 'same number of lines');
  assert.deepEqual(actual, expected);
});
