import { PaginationError, type RequestPlace } from './errors.js';

/**
 * The cursor contract of every v2 list and changelog endpoint: `{items, has_more, next_cursor}`, with
 * `next_cursor` null on the last page. Anything else fails loudly: the seed silently stopped (or looped
 * forever) when a response did not match, which truncates a table without a word.
 */
export type CursorPage<T> = { items: T[]; has_more: boolean; next_cursor: string | null };

/** Empty pages that still announce more, in a row, before a listing is declared stuck. */
const MAX_EMPTY_PAGES_IN_A_ROW = 5;

export class CursorPaginator {
  private readonly sent = new Set<string>();
  private pages = 0;
  private emptyInARow = 0;

  constructor(private readonly place: RequestPlace) {}

  /** Checks one response body; returns its items and the cursor of the next page (undefined: done). */
  advance<T>(body: unknown): { items: T[]; next: string | undefined } {
    this.pages++;
    const fail = (summary: string, hint: string) => new PaginationError(this.place, { summary, hint });
    if (!body || typeof body !== 'object' || !Array.isArray((body as { items?: unknown }).items))
      throw fail(
        `page ${this.pages} is not a cursor page (no items array)`,
        'the API answered with an unexpected shape; check base_url points at the v2 API',
      );
    const page = body as Partial<CursorPage<T>> & { total_pages?: unknown };
    if (page.total_pages !== undefined && page.total_pages !== null)
      throw fail(
        `page ${this.pages} is page-style (total_pages=${JSON.stringify(page.total_pages)}), not cursor-style`,
        'the endpoint served offset pagination; the tap only follows cursors and refuses to read a single page as if it were all',
      );
    if (typeof page.has_more !== 'boolean')
      throw fail(
        `page ${this.pages} has no boolean has_more`,
        'the API answered with an unexpected shape; refusing to guess whether more pages exist',
      );
    const items = page.items as T[];
    // A record that is not an object (a string, null) would fail later with a message about JavaScript.
    const odd = items.findIndex((item) => typeof item !== 'object' || item === null || Array.isArray(item));
    if (odd >= 0)
      throw fail(
        `page ${this.pages} item ${odd + 1} is not a JSON object (${JSON.stringify(items[odd])?.slice(0, 40)})`,
        'the API answered with an unexpected shape; rerun later, and report it to Pennylane if it persists',
      );
    if (!page.has_more) return { items, next: undefined };
    // Fresh cursors on empty pages would never repeat, so the loop check above cannot end them.
    this.emptyInARow = items.length === 0 ? this.emptyInARow + 1 : 0;
    if (this.emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW)
      throw fail(
        `${this.emptyInARow} empty pages in a row still say has_more (page ${this.pages})`,
        'the listing makes no progress; rerun later, and report it to Pennylane if it persists',
      );
    const next = page.next_cursor;
    if (typeof next !== 'string' || next === '')
      throw fail(
        `page ${this.pages} says has_more but gives no next_cursor`,
        'the listing cannot continue; rerun later (the tap stops rather than return a partial table)',
      );
    if (this.sent.has(next))
      throw fail(
        `page ${this.pages} returned a cursor already followed (pagination loop)`,
        'the listing cannot make progress; rerun later (the tap stops rather than loop forever)',
      );
    this.sent.add(next);
    return { items, next };
  }
}
