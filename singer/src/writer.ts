import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes one JSON value per line and waits for 'drain' when the destination is full, so a slow
 * consumer (a target busy committing) slows the producer instead of growing its memory.
 * Each message is written with one write() call, so concurrent producers never interleave lines.
 */
export class NdjsonWriter {
  constructor(private readonly out: Writable) {}

  async write(value: unknown): Promise<void> {
    if (!this.out.write(`${JSON.stringify(value)}\n`)) await once(this.out, 'drain');
  }

  /** Ends the stream and resolves once everything written has been flushed. */
  async close(): Promise<void> {
    if (this.out === process.stdout) {
      await new Promise<void>((resolve) => this.out.write('', () => resolve()));
      return;
    }
    this.out.end();
    await once(this.out, 'finish');
  }
}
