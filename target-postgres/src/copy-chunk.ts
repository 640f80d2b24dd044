/**
 * Collects COPY text lines as UTF-8 bytes, ready for the socket. Each line is encoded straight into a
 * preallocated buffer: no string of the whole chunk is built (a long concatenated string has to be
 * flattened, then encoded, then copied), and a chunk goes out as soon as it reaches `size` bytes.
 */
export class CopyChunk {
  private buf: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(2 * size);
  }

  get bytes(): number {
    return this.used;
  }

  /**
   * Appends `text` as UTF-8, or a byte string (singer/src/byte-strings.ts) as the bytes it holds; true
   * once the chunk holds `size` bytes or more (time to take() it).
   */
  add(text: string, byteString = false): boolean {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: with that much room the text always fits.
    const room = byteString ? text.length : text.length * 3;
    if (this.used + room > this.buf.length) this.grow(room);
    this.used += byteString ? this.buf.write(text, this.used, 'latin1') : this.buf.write(text, this.used);
    return this.used >= this.size;
  }

  /** The bytes collected so far; the chunk starts empty again (in a new buffer: the socket keeps the old one). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(2 * this.size);
    this.used = 0;
    return out;
  }

  private grow(room: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.used + room));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
