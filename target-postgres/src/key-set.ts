/**
 * The keys of one batch, to tell a repeated key from a new one (a Set's interface, for keys that are
 * numbers or strings). Taps mostly send ascending integer ids: a number above every number added so far
 * is appended to a sorted typed array (no hashing, 8 bytes a key) and found again by binary search;
 * any other key goes to a Set.
 */
export class KeySet {
  private sorted = new Float64Array(1024);
  private count = 0;
  private readonly others = new Set<unknown>();

  has(key: unknown): boolean {
    if (typeof key === 'number' && this.count > 0 && key <= this.sorted[this.count - 1]!) {
      if (this.search(key)) return true;
    }
    return this.others.has(key);
  }

  /** Adds a key that `has` said is absent. */
  add(key: unknown): void {
    if (typeof key === 'number' && (this.count === 0 || key > this.sorted[this.count - 1]!)) {
      if (this.count === this.sorted.length) {
        const bigger = new Float64Array(this.sorted.length * 2);
        bigger.set(this.sorted);
        this.sorted = bigger;
      }
      this.sorted[this.count++] = key;
    } else this.others.add(key);
  }

  private search(key: number): boolean {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.sorted[mid]!;
      if (v === key) return true;
      if (v < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
