import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeText } from '../../singer/src/json-text.js';
import { parseStateText } from '../../singer/src/state-text.js';

/**
 * The Singer state between runs: the last value target-postgres printed, i.e. the last point whose
 * data is committed. Written as temp file + fsync + rename (+ fsync of the folder), so a crash at any
 * moment leaves either the previous state or the new one, never a torn file.
 */
export function readStateFile(path: string): unknown | undefined {
  if (!existsSync(path)) return undefined;
  // Read as the tap reads --state (pretty-printed after a hand edit, a BOM, Meltano's wrapper…), so a
  // file the tap accepts is never refused here, and a broken one gets the same one-line message.
  return parseStateText(decodeText(readFileSync(path)), path).value;
}

export function writeStateFile(path: string, value: unknown): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  // The rename itself is durable only once the folder is flushed.
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic there.
  } finally {
    closeSync(dirFd);
  }
}
