import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { stringifyLossless, toPlainNumbers } from '../../singer/src/json-lossless.js';
import type { JsonSchema } from '../../singer/src/messages.js';
import { DATE_TIME, DECIMAL, isDate, TIME } from './formats.js';

export class RecordValidationError extends Error {
  override name = 'RecordValidationError';
}

export type RecordCheck = (record: Record<string, unknown>, lossless: boolean) => void;

const fieldOf = (e: ErrorObject): string => {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') path.push(String((e.params as { missingProperty: string }).missingProperty));
  return path.join('.') || '(record)';
};

const show = (value: unknown): string => {
  const text = stringifyLossless(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Compiles record checks, once per distinct schema, with the formats taps use (incl. singer.decimal). */
export class RecordValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    // allErrors: with it off, ajv nests each property's check inside the previous one's success block,
    // and V8's parser overflows its stack on the generated function past about 1,560 properties (a
    // legal width: PostgreSQL takes 1,600 columns). With it on the checks sit side by side; a valid
    // record costs the same, and only the first error is reported anyway.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, logger: false });
    // Other formats are ignored, as unknown keywords are (see formats.ts).
    this.ajv.addFormat('date', isDate);
    this.ajv.addFormat('singer.decimal', DECIMAL);
    this.ajv.addFormat('x-singer.decimal', DECIMAL);
    this.ajv.addFormat('date-time', DATE_TIME);
    this.ajv.addFormat('time', TIME);
  }

  /** Throws (with the reason) when the schema itself cannot be compiled. */
  compile(stream: string, schema: JsonSchema): RecordCheck {
    const key = stringifyLossless(schema);
    let validate = this.cache.get(key);
    if (!validate) {
      try {
        validate = this.ajv.compile(schema);
      } catch (err) {
        if (err instanceof RangeError) {
          throw new RecordValidationError(
            `SCHEMA of stream "${stream}" is nested too deeply to compile a record check (${err.message}): flatten the schema in the tap (or declare the deep part as a plain "object"), or set validate_records: false`,
          );
        }
        throw new RecordValidationError(
          `SCHEMA of stream "${stream}" is not a valid JSON Schema (${(err as Error).message}): fix the tap's schema or set validate_records: false`,
        );
      }
      this.cache.set(key, validate);
    }
    const check = validate;
    return (record, lossless) => {
      if (check(lossless ? toPlainNumbers(record) : record)) return;
      const e = check.errors![0]!;
      const field = fieldOf(e);
      const got = e.keyword === 'required' ? 'it is missing' : `got ${show(valueAt(record, e.instancePath))}`;
      throw new RecordValidationError(
        `stream "${stream}", field "${field}": record does not match the schema (${e.message}; ${got}): fix the tap or its schema, or set validate_records: false`,
      );
    };
  }
}

function valueAt(record: unknown, pointer: string): unknown {
  let v: unknown = record;
  for (const p of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
