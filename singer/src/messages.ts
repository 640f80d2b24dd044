/**
 * The Singer protocol as a discriminated union. Both programs speak it; the target also accepts any
 * capitalisation of `type`, as the spec says, and normalises it here.
 */
export type JsonSchema = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  [keyword: string]: unknown;
};

export type SchemaMessage = {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
};

export type RecordMessage = {
  type: 'RECORD';
  stream: string;
  record: Record<string, unknown>;
  time_extracted?: string;
  version?: number;
};

export type StateMessage = { type: 'STATE'; value: unknown };

export type ActivateVersionMessage = { type: 'ACTIVATE_VERSION'; stream: string; version: number };

export type SingerMessage = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;
export type SingerMessageType = SingerMessage['type'];

/** Where a message came from, so every error can name it. */
export type Place = { source: string; line: number };

export class ProtocolError extends Error {
  constructor(
    readonly place: Place,
    detail: string,
  ) {
    super(`${place.source}:${place.line}: ${detail}`);
    this.name = 'ProtocolError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function requireString(obj: Record<string, unknown>, key: string, place: Place, type: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') {
    throw new ProtocolError(place, `${type} message needs a non-empty string "${key}"`);
  }
  return v;
}

/** Checks the envelope of one decoded line and returns it typed; the record body is checked later. */
export function toSingerMessage(value: unknown, place: Place): SingerMessage {
  if (!isObject(value)) throw new ProtocolError(place, 'a Singer message must be a JSON object');
  const rawType = value.type;
  if (typeof rawType !== 'string') throw new ProtocolError(place, 'message has no "type"');
  const type = rawType.toUpperCase();
  switch (type) {
    case 'RECORD': {
      const stream = requireString(value, 'stream', place, type);
      if (!isObject(value.record)) {
        throw new ProtocolError(place, `RECORD of stream "${stream}" needs an object "record"`);
      }
      const msg: RecordMessage = { type, stream, record: value.record };
      if (typeof value.time_extracted === 'string') msg.time_extracted = value.time_extracted;
      if (typeof value.version === 'number') msg.version = value.version;
      return msg;
    }
    case 'SCHEMA': {
      const stream = requireString(value, 'stream', place, type);
      if (!isObject(value.schema)) {
        throw new ProtocolError(place, `SCHEMA of stream "${stream}" needs an object "schema"`);
      }
      const keys = value.key_properties ?? [];
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
        throw new ProtocolError(
          place,
          `SCHEMA of stream "${stream}": "key_properties" must be a list of strings`,
        );
      }
      const msg: SchemaMessage = { type, stream, schema: value.schema as JsonSchema, key_properties: keys };
      if (Array.isArray(value.bookmark_properties)) {
        msg.bookmark_properties = value.bookmark_properties.filter((k): k is string => typeof k === 'string');
      }
      return msg;
    }
    case 'STATE':
      if (!('value' in value)) throw new ProtocolError(place, 'STATE message needs a "value"');
      return { type, value: value.value };
    case 'ACTIVATE_VERSION': {
      const stream = requireString(value, 'stream', place, type);
      if (typeof value.version !== 'number' || !Number.isInteger(value.version)) {
        throw new ProtocolError(place, `ACTIVATE_VERSION of stream "${stream}" needs an integer "version"`);
      }
      return { type, stream, version: value.version };
    }
    default:
      throw new ProtocolError(
        place,
        `unknown message type "${rawType}" (expected SCHEMA, RECORD, STATE or ACTIVATE_VERSION)`,
      );
  }
}
