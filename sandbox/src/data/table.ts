import type { Row } from './model.js';

/** Rows of one resource, ascending by id (new ids are always larger), found by binary search. */
export class Table<R extends Row> {
  /** Bumped on every change; sorted views are cached against it. */
  version = 0;
  constructor(readonly rows: R[] = []) {}

  indexOf(id: number): number {
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const midId = this.rows[mid]!.id;
      if (midId === id) return mid;
      if (midId < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get(id: number): R | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.rows[i];
  }

  add(row: R): void {
    const last = this.rows[this.rows.length - 1];
    if (last && last.id >= row.id) throw new Error(`id ${row.id} is not above the last id ${last.id}`);
    this.rows.push(row);
    this.version++;
  }

  remove(id: number): R | undefined {
    const i = this.indexOf(id);
    if (i < 0) return undefined;
    const [row] = this.rows.splice(i, 1);
    this.version++;
    return row;
  }

  touch(): void {
    this.version++;
  }
}

/**
 * Ids like Pennylane's: int64 above 2^32 (and below 2^53), increasing with creation, with gaps, each
 * resource in its own range so an id of the wrong kind is never found.
 */
export class IdSequence {
  private last: number;
  constructor(
    rangeIndex: number,
    private readonly gap: () => number,
  ) {
    this.last = 2 ** 32 + (rangeIndex + 1) * 10_000_000_000;
  }
  next(): number {
    this.last += this.gap();
    return this.last;
  }
}
