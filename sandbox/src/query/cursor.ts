import { badRequest } from '../http/errors.js';

/** Cursors are opaque base64url JSON; clients must not parse them (Pennylane's are opaque too). */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends object>(text: string, valid: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor: invalid value; pass the next_cursor of the previous page unchanged');
  }
  if (!valid(value))
    throw badRequest('cursor: invalid value; pass the next_cursor of the previous page unchanged');
  return value;
}
