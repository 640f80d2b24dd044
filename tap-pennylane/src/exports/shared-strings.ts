import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** Texts kept in memory for repeated lookups (journal and account labels recur on every row). */
const CACHE_ENTRIES = 4096;
/** Bytes gathered before one write to the file. */
const WRITE_BYTES = 64 * 1024;
/**
 * Bytes read at once. A workbook numbers its shared strings in the order the sheet first uses them, so
 * the texts seen for the first time come in file order: one read serves the next few thousand.
 */
const WINDOW_BYTES = 64 * 1024;

/**
 * A workbook's shared strings table, kept in a file rather than in memory: the texts are written one
 * after the other (UTF-8) to `path` (created 0600, never an existing file), and memory holds one
 * offset per string (8 bytes) and a small cache. A large company's analytical ledger has hundreds of
 * thousands of distinct labels a year (108,296 in one year of the large sandbox, ~10 MB as JavaScript
 * strings); in a file they cost the tap's memory 8 bytes each, so its peak stays flat in company size.
 * Texts are read back through a 64 KiB window that follows the sheet's progress through the table.
 */
export class SharedStrings {
  private readonly fd: number;
  /** String i is bytes [ends[i - 1] ?? 0, ends[i]) of the file. */
  private ends: Float64Array = new Float64Array(1024);
  private count = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private size = 0;
  private readonly cache = new Map<number, string>();
  /** Bytes [windowStart, windowEnd) of the file. */
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private windowEnd = 0;
  private closed = false;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'wx+', 0o600);
  }

  get length(): number {
    return this.count;
  }

  add(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.size += bytes.length;
    if (this.count === this.ends.length) {
      const grown = new Float64Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.count++] = this.size;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BYTES) this.flush();
  }

  /** The text of string `index`; undefined when the table has no such string. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    this.flush();
    const start = index === 0 ? 0 : this.ends[index - 1]!;
    const end = this.ends[index]!;
    if (start < this.windowStart || end > this.windowEnd) this.readWindow(start, end - start);
    const text = this.window.toString('utf8', start - this.windowStart, end - this.windowStart);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(index, text);
    return text;
  }

  /** Closes and removes the file; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.path, { force: true });
    }
  }

  /** Reads the window from `start`: WINDOW_BYTES, or `length` for a longer text, less at the end. */
  private readWindow(start: number, length: number): void {
    const want = Math.min(Math.max(WINDOW_BYTES, length), this.size - start);
    if (this.window.length < want) this.window = Buffer.allocUnsafe(want);
    let read = 0;
    while (read < want) {
      const n = readSync(this.fd, this.window, read, want - read, start + read);
      if (n === 0) throw new Error(`shared strings file ${this.path} is shorter than written`);
      read += n;
    }
    this.windowStart = start;
    this.windowEnd = start + want;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd, chunk, written);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
