import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyChunk } from './copy-chunk.js';

const CHUNK = 64 * 1024;

/** Where PostgreSQL says a COPY failed: the input line of the row, and the column when it names one. */
export type CopyFailurePlace = { line: number | undefined; column: string | undefined };

/**
 * One `COPY … FROM STDIN` in progress: encoded rows are gathered into 64 KB chunks and written with
 * back-pressure, and the input line of each row is kept to name the line PostgreSQL refuses. Errors
 * come out as PostgreSQL reported them; `placeOf` tells where.
 */
export class CopySegment {
  /** A failure PostgreSQL reported while rows were streaming (thrown by the next add or end). */
  error: Error | undefined;
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly out = new CopyChunk(CHUNK);
  private readonly lines: number[] = [];

  constructor(client: pg.Client, sql: string) {
    this.stream = client.query(copyFrom(sql, { highWaterMark: 4 * CHUNK }));
    this.stream.on('error', (err: Error) => {
      this.error = err;
    });
  }

  /** Adds one encoded row, read from input line `line`; returns a promise only when the stream asks for a drain. */
  add(row: string, line: number, byteString: boolean): Promise<void> | undefined {
    this.lines.push(line);
    if (!this.out.add(row, byteString) || this.stream.write(this.out.take())) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        this.stream.off('drain', done);
        this.stream.off('error', fail);
        reject(err);
      };
      this.stream.on('drain', done);
      this.stream.on('error', fail);
    });
  }

  /** Ends the COPY; resolves with the rows PostgreSQL took. */
  async end(): Promise<number> {
    if (this.error) throw this.error;
    if (this.out.bytes > 0) this.stream.write(this.out.take());
    await new Promise<void>((resolve, reject) => {
      this.stream.once('finish', resolve);
      this.stream.once('error', reject);
      this.stream.end();
    });
    return this.stream.rowCount;
  }

  /** Maps PostgreSQL's `COPY …, line N, column c` context back to the input line and the column. */
  placeOf(err: Error): CopyFailurePlace {
    const where = (err as { where?: string }).where ?? '';
    const m = /line (\d+)(?:, column ([^:]+))?/.exec(where);
    const rowIndex = m ? Number(m[1]) - 1 : -1;
    return { line: rowIndex >= 0 ? this.lines[rowIndex] : undefined, column: m?.[2] };
  }
}
