import { createHash } from 'node:crypto';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Always quoted, so case, spaces, `;`, `-`, quotes and unicode survive as they are. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const qualified = (schema: string, table: string): string =>
  `${quoteIdent(schema)}.${quoteIdent(table)}`;

/**
 * The PostgreSQL name for a stream or property name: the name itself (NUL removed) when it fits in 63
 * bytes; otherwise cut on a character boundary and suffixed with `_` + the first 8 hex digits of the
 * sha256 of the full name, so two long names sharing a prefix never collide and every run agrees.
 */
export function toPgName(name: string): string {
  const clean = name.includes('\0') ? name.replace(/\0/g, '') : name;
  if (Buffer.byteLength(clean, 'utf8') <= MAX_IDENTIFIER_BYTES) return clean;
  const suffix = `_${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8)}`;
  const budget = MAX_IDENTIFIER_BYTES - suffix.length;
  let out = '';
  let bytes = 0;
  for (const ch of clean) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > budget) break;
    out += ch;
    bytes += size;
  }
  return out + suffix;
}
