import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../../singer/src/paths.js';
import type { AirbyteMessage } from '../src/messages.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const FIXTURES = join(packageRoot, 'test', 'fixtures', 'airbyte');

let validator: ValidateFunction | undefined;

/** AirbyteMessage of the vendored protocol definition (converted to JSON by airbyte/scripts/convert-protocol.py). */
function validateMessage(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(FIXTURES, 'airbyte_protocol.json'), 'utf8')) as object;
    // strict: false because the definition carries Java code-generation keywords (existingJavaType).
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(schema, 'airbyte_protocol');
    validator = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage')!;
  }
  return validator;
}

/** The payload key each message type must carry (the schema makes them all optional). */
const PAYLOAD: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

/**
 * Every line of a connector's stdout, parsed and checked: one JSON object per line, valid against
 * AirbyteMessage, with the payload its type names. Fails naming the line.
 */
export function parseAirbyteOutput(stdout: string): AirbyteMessage[] {
  const validate = validateMessage();
  const lines = stdout.split('\n').filter((l) => l !== '');
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      assert.fail(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    const ok = validate(value);
    assert.ok(
      ok,
      `stdout line ${i + 1} is not a valid AirbyteMessage: ${JSON.stringify(validate.errors)} in ${line.slice(0, 300)}`,
    );
    const type = (value as { type: string }).type;
    assert.ok(
      (value as Record<string, unknown>)[PAYLOAD[type]!] !== undefined,
      `stdout line ${i + 1}: a ${type} message needs "${PAYLOAD[type]}"`,
    );
    return value as AirbyteMessage;
  });
}

export const ofType = <T extends AirbyteMessage['type']>(messages: AirbyteMessage[], type: T) =>
  messages.filter((m): m is Extract<AirbyteMessage, { type: T }> => m.type === type);
