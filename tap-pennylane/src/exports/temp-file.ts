import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes `input` to a new file in `dir` that only this user can read (0600; never an existing file or
 * link) and returns its path; if the writing fails, the file is removed and the error thrown. The
 * caller removes the file when done.
 */
export async function spoolToTempFile(input: Readable, dir: string, prefix: string): Promise<string> {
  const path = join(dir, `${prefix}${randomUUID()}`);
  try {
    await pipeline(input, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    return path;
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}
