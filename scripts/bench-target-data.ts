/**
 * The data of `npm run bench:target`: a Pennylane customer invoice, deterministic per (index, round)
 * (round 1 changes values, for the upsert), as Singer NDJSON for the target and as pre-encoded COPY text
 * for the raw baseline.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const STREAM = 'customer_invoices';

const DEC = { type: 'string', format: 'singer.decimal' };
const NDEC = { type: ['null', 'string'], format: 'singer.decimal' };
const S = { type: 'string' };
const NS = { type: ['null', 'string'] };
const DATE = { type: 'string', format: 'date' };
const TS = { type: 'string', format: 'date-time' };
const NTS = { type: ['null', 'string'], format: 'date-time' };
const PROPERTIES = {
  id: { type: 'integer' },
  invoice_number: S,
  label: NS,
  currency: S,
  amount: DEC,
  currency_amount: DEC,
  currency_amount_before_tax: DEC,
  exchange_rate: DEC,
  tax: DEC,
  currency_tax: DEC,
  remaining_amount_with_tax: DEC,
  discount_rate: NDEC,
  date: DATE,
  deadline: DATE,
  paid: { type: 'boolean' },
  draft: { type: 'boolean' },
  status: S,
  customer_id: { type: ['null', 'integer'] },
  customer: {
    type: ['null', 'object'],
    properties: { id: { type: 'integer' }, name: S, country_alpha2: S, vat_number: NS },
  },
  fiscal_year_id: { type: 'integer' },
  language: S,
  external_reference: S,
  pdf_invoice_subject: NS,
  special_mention: NS,
  public_file_url: NS,
  created_at: TS,
  updated_at: TS,
  archived_at: NTS,
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const cents = (c: number) => `${Math.trunc(c / 100)}.${pad(Math.abs(c) % 100, 2)}`;
const STATUSES = ['draft', 'upcoming', 'late', 'paid', 'partially_paid', 'cancelled'];

export function invoice(i: number, round: number): Record<string, unknown> {
  const id = 100_000_000 + i;
  const before = 1000 + ((i * 7919 + round * 104729) % 9_999_000);
  const tax = Math.round(before * 0.2);
  const day = 1 + (i % 28);
  const month = 1 + (i % 12);
  const customer =
    i % 20 === 0
      ? null
      : {
          id: 5000 + (i % 4000),
          name: `Client ${i % 4000} SARL`,
          country_alpha2: 'FR',
          vat_number: i % 3 ? `FR${pad(i % 99999999999, 11)}` : null,
        };
  return {
    id,
    invoice_number: `F-2026-${pad(i, 8)}`,
    label:
      i % 10 === 0 ? null : `Facture F-2026-${pad(i, 8)} — prestations ${round ? 'révisées' : 'de conseil'}`,
    currency: 'EUR',
    amount: cents(before + tax),
    currency_amount: cents(before + tax),
    currency_amount_before_tax: cents(before),
    exchange_rate: '1.000000',
    tax: cents(tax),
    currency_tax: cents(tax),
    remaining_amount_with_tax: round ? '0.00' : cents(before + tax),
    discount_rate: i % 4 === 0 ? `0.${pad(i % 100, 2)}` : null,
    date: `2026-${pad(month, 2)}-${pad(day, 2)}`,
    deadline: `2026-${pad(month === 12 ? 12 : month + 1, 2)}-${pad(day, 2)}`,
    paid: round > 0 || i % 3 === 0,
    draft: round === 0 && i % 50 === 0,
    status: round ? 'paid' : STATUSES[i % STATUSES.length],
    customer_id: customer ? customer.id : null,
    customer,
    fiscal_year_id: 2026,
    language: i % 7 === 0 ? 'en_GB' : 'fr_FR',
    external_reference: `${pad(i, 8)}-${round}-4b8e-9c1d-${pad(i % 999999999999, 12)}`,
    pdf_invoice_subject: i % 5 === 0 ? `Objet ${i}` : null,
    special_mention: i % 9 === 0 ? 'Pénalités de retard : 3 fois le taux légal' : null,
    public_file_url: i % 2 === 0 ? `https://app.pennylane.com/public/invoice/${pad(i, 10)}.pdf` : null,
    created_at: `2026-${pad(month, 2)}-${pad(day, 2)}T${pad(i % 24, 2)}:${pad(i % 60, 2)}:07.123456Z`,
    updated_at: `2026-${pad(month, 2)}-${pad(day, 2)}T${pad(i % 24, 2)}:${pad(i % 60, 2)}:${round ? '59' : '08'}.654321+02:00`,
    archived_at: i % 100 === 0 ? '2026-12-31T23:00:00Z' : null,
  };
}

const EXTRACTED = ['2026-11-27T09:00:00.000000Z', '2026-11-27T10:00:00.000000Z'];

/** Writes the lines to `file` in 1 MB pieces, waiting for the disk when its buffer is full. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer: string[] = [];
  let size = 0;
  for (const line of lines) {
    buffer.push(line);
    size += line.length;
    if (size > 1 << 20) {
      if (!out.write(buffer.join(''))) await once(out, 'drain');
      buffer = [];
      size = 0;
    }
  }
  out.end(buffer.join(''));
  await once(out, 'finish');
}

/** The Singer stream the target reads: SCHEMA, the records, a STATE every 100,000 and at the end. */
export function* singerLines(n: number, round: number): Generator<string> {
  const schema = { type: 'object', properties: PROPERTIES };
  yield `${JSON.stringify({ type: 'SCHEMA', stream: STREAM, schema, key_properties: ['id'] })}\n`;
  for (let i = 0; i < n; i++) {
    const record = invoice(i, round);
    yield `${JSON.stringify({ type: 'RECORD', stream: STREAM, record, time_extracted: EXTRACTED[round] })}\n`;
    if ((i + 1) % 100_000 === 0) yield `{"type":"STATE","value":{"round":${round},"records":${i + 1}}}\n`;
  }
  yield `{"type":"STATE","value":{"round":${round},"records":${n},"done":true}}\n`;
}

/** COPY text format: \N for NULL, backslash escapes for \ tab newline CR. */
const copyText = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'object' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : s;
};

/** The same rows pre-encoded for COPY, in the column order of the target's table (metadata included). */
export function* copyLines(n: number, round: number, columns: string[]): Generator<string> {
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const rec = invoice(i, round);
    const meta: Record<string, unknown> = {
      _sdc_extracted_at: EXTRACTED[round],
      _sdc_received_at: now,
      _sdc_batched_at: now,
      _sdc_deleted_at: null,
      _sdc_sequence: i,
      _sdc_table_version: null,
    };
    yield `${columns.map((c) => copyText(c in rec ? rec[c] : meta[c])).join('\t')}\n`;
  }
}
