/**
 * The ids of every invoice's lines, kept in the state so an incremental run can delete the lines an
 * invoice no longer has without asking the database (see docs/decisions/tap-sync.md, "Invoice lines").
 *
 * Text form, compact because ids grow with creation: entries sorted by invoice id, separated by `;`,
 * each `<invoice id − previous invoice id>:<line ids>` where the line ids are `.`-separated differences
 * (the first from the previous entry's first line id, the others from the line before), all in base 36
 * (a leading `-` for a negative difference). An invoice without lines is `<Δ>:`. About 8 bytes per
 * invoice of 3 lines: 50,000 invoices ≈ 400 KB.
 */
export type LineIdMap = Map<number, number[]>;

const b36 = (n: number): string => (n < 0 ? `-${(-n).toString(36)}` : n.toString(36));

function num(text: string, where: string): number {
  const neg = text.startsWith('-');
  const digits = neg ? text.slice(1) : text;
  if (!/^[0-9a-z]+$/.test(digits))
    throw new Error(`${where}: ${JSON.stringify(text)} is not a base-36 number`);
  const n = Number.parseInt(digits, 36);
  if (!Number.isSafeInteger(n)) throw new Error(`${where}: ${JSON.stringify(text)} is out of range`);
  return neg ? -n : n;
}

export function encodeLineIds(map: LineIdMap): string {
  const parts: string[] = [];
  let prevInvoice = 0;
  let prevFirst = 0;
  for (const invoice of [...map.keys()].sort((a, b) => a - b)) {
    const ids = [...map.get(invoice)!].sort((a, b) => a - b);
    const deltas = ids.map((id, i) => b36(i === 0 ? id - prevFirst : id - ids[i - 1]!));
    if (ids.length > 0) prevFirst = ids[0]!;
    parts.push(`${b36(invoice - prevInvoice)}:${deltas.join('.')}`);
    prevInvoice = invoice;
  }
  return parts.join(';');
}

/** Throws with the entry's position when the text was not written by encodeLineIds. */
export function decodeLineIds(text: string): LineIdMap {
  const map: LineIdMap = new Map();
  if (text === '') return map;
  let prevInvoice = 0;
  let prevFirst = 0;
  text.split(';').forEach((part, i) => {
    const where = `line ids, entry ${i + 1}`;
    const colon = part.indexOf(':');
    if (colon < 0)
      throw new Error(`${where}: expected "<invoice>:<lines>", got ${JSON.stringify(part.slice(0, 40))}`);
    const invoice = prevInvoice + num(part.slice(0, colon), where);
    const rest = part.slice(colon + 1);
    const ids: number[] = [];
    for (const d of rest === '' ? [] : rest.split('.')) {
      ids.push(ids.length === 0 ? prevFirst + num(d, where) : ids[ids.length - 1]! + num(d, where));
    }
    if (ids.length > 0) prevFirst = ids[0]!;
    map.set(invoice, ids);
    prevInvoice = invoice;
  });
  return map;
}
