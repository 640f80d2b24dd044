import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes one JSON value per line and waits for 'drain' when the destination is full, so a slow
 * consumer (a target busy committing) slows the producer instead of growing its memory.
 * Each message is written with one write() call, so concurrent producers never interleave lines.
 */
export class NdjsonWriter {
  /** One wait for 'drain' shared by every concurrent writer (one listener, not one per stream). */
  private drained: Promise<void> | undefined;

  constructor(private readonly out: Writable) {}

  async write(value: unknown): Promise<void> {
    if (this.out.write(`${JSON.stringify(value)}\n`)) return;
    this.drained ??= once(this.out, 'drain').then(
      () => {
        this.drained = undefined;
      },
      (err: unknown) => {
        this.drained = undefined;
        throw err;
      },
    );
    await this.drained;
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
