import type { AccountRow, CategoryRow, EntryRow, JournalRow } from './model.js';

/** A line to post: account, signed amount (debit > 0, credit < 0), label, optional category. */
export type Posting = { account: AccountRow; cents: number; label: string; category?: CategoryRow | null };

/** What an entry says about its document; all null for an entry without one (a bank movement). */
export type EntryDocument = Pick<EntryRow, 'piece' | 'invoiceNumber' | 'dueDay' | 'filename'>;

export const NO_DOCUMENT: EntryDocument = { piece: null, invoiceNumber: null, dueDay: null, filename: null };

/**
 * Entries and lines get their ids once every document exists (ids follow creation time). The
 * placeholder is a non-integer number so V8 stores the field as a double from the start: changing an
 * integer field to a large id later would migrate every object's layout, which costs seconds.
 */
const UNASSIGNED = Number.NaN;

/** An entry whose lines balance by construction: postings are signed cents summing to zero. */
export function balancedEntry(
  at: number,
  day: number,
  journal: JournalRow,
  label: string,
  postings: Posting[],
  document: EntryDocument,
): EntryRow {
  if (postings.reduce((sum, p) => sum + p.cents, 0) !== 0) throw new Error(`unbalanced entry ${label}`);
  const entry: EntryRow = {
    id: UNASSIGNED,
    createdAt: at,
    updatedAt: at,
    day,
    journal,
    label,
    ...document,
    lines: [],
  };
  for (const p of postings) {
    if (p.cents === 0) continue;
    entry.lines.push({
      id: UNASSIGNED,
      createdAt: at,
      updatedAt: at,
      entry,
      account: p.account,
      debit: Math.max(p.cents, 0),
      credit: p.cents < 0 ? -p.cents : 0,
      label: p.label,
      category: p.category ?? null,
      letter: null,
    });
  }
  return entry;
}
