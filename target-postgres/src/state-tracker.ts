/**
 * Decides when a STATE may be printed: only once every record received before it, in every stream, is
 * committed. Pure bookkeeping (no I/O): the engine reports records received and commits, and takes the
 * states that became safe. Identical consecutive states are printed once.
 */
export class StateTracker {
  private readonly received = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  private readonly queue: { text: string; value: unknown; watermark: [string, number][] }[] = [];
  private lastText: string | undefined;

  /** Counts one record of `stream`; returns its position in the stream (1-based). */
  recordReceived(stream: string): number {
    const n = (this.received.get(stream) ?? 0) + 1;
    this.received.set(stream, n);
    return n;
  }

  /** The number of records of `stream` received so far. */
  receivedCount(stream: string): number {
    return this.received.get(stream) ?? 0;
  }

  stateReceived(value: unknown): void {
    const text = JSON.stringify(value);
    const newest = this.queue.length > 0 ? this.queue[this.queue.length - 1]!.text : this.lastText;
    if (text === newest) {
      // Same value again: it only needs the newer watermark, which covers the older one.
      if (this.queue.length > 0) this.queue[this.queue.length - 1]!.watermark = [...this.received];
      return;
    }
    this.queue.push({ text, value, watermark: [...this.received] });
  }

  /** Every record of `stream` up to position `upTo` is committed. */
  committedUpTo(stream: string, upTo: number): void {
    if (upTo > (this.committed.get(stream) ?? 0)) this.committed.set(stream, upTo);
  }

  /** Streams holding records received but not committed yet. */
  uncommittedStreams(): string[] {
    return [...this.received].filter(([s, n]) => (this.committed.get(s) ?? 0) < n).map(([s]) => s);
  }

  /** Whether a received state still waits for commits. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /**
   * The states that are safe now, oldest first, without consecutive duplicates. Only the newest of them
   * matters to an orchestrator, but each is returned so that none is skipped in the log of states.
   */
  takeReady(): unknown[] {
    const out: unknown[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const safe = head.watermark.every(([s, n]) => (this.committed.get(s) ?? 0) >= n);
      if (!safe) break;
      this.queue.shift();
      if (head.text !== this.lastText) out.push(head.value);
      this.lastText = head.text;
    }
    return out;
  }
}
