import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { SharedStrings } from './shared-strings.js';
import { ZipFile } from './zip-file.js';

/** A cell as it shows: text, number, boolean, a date (number cells with a date format), or empty. */
export type CellValue = string | number | boolean | Date | null;

/** One worksheet row: its number (1-based, as Excel shows it) and its cells by column (1 = A). */
export type SheetRow = { number: number; cells: CellValue[] };

/** An xlsx file that cannot be read: not a zip, a part missing or corrupt, XML that does not parse. */
export class XlsxFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XlsxFormatError';
  }
}

/**
 * Rows of the first worksheet (in the workbook's order) of the xlsx file at `path`. The workbook, its
 * relationships, styles (to tell a date from a number) and shared strings are read first, in that
 * order whatever the order of the parts in the zip (Excel stores the shared strings after the sheet),
 * then the worksheet is parsed as it is inflated. The shared strings are kept in a file next to the
 * workbook (`<path>.strings`, removed at the end; shared-strings.ts), so memory holds 8 bytes per
 * distinct text and the rows of one inflated chunk, however large the workbook. XML is read by saxes, a streaming parser, over text chunks (so a character split between two
 * compressed chunks is decoded whole), and the zip by yauzl (zip-file.ts). The file stays open until
 * the iteration ends, whether it finishes, fails or is stopped. A file that cannot be read fails with
 * an XlsxFormatError naming the part; a file system error is thrown as it is.
 */
export async function* readFirstSheet(path: string): AsyncGenerator<SheetRow> {
  let zip: ZipFile | undefined;
  let strings: SharedStrings | undefined;
  let current = '';
  const part = async (name: string): Promise<Readable | undefined> => {
    current = name;
    const entry = zip?.entries.get(name);
    return entry && (await zip!.stream(entry)).setEncoding('utf8');
  };
  try {
    zip = await ZipFile.open(path);
    const workbookPart = await part('xl/workbook.xml');
    if (!workbookPart) throw new XlsxFormatError('no xl/workbook.xml part: not an xlsx workbook');
    const workbook = await readWorkbook(workbookPart);
    const relsPart = await part('xl/_rels/workbook.xml.rels');
    const rels = relsPart ? await readRels(relsPart) : new Map<string, string>();
    const stylesPart = await part('xl/styles.xml');
    const dateStyles = stylesPart ? await readDateStyles(stylesPart) : [];
    const stringsPart = await part('xl/sharedStrings.xml');
    if (stringsPart) {
      strings = new SharedStrings(`${path}.strings`);
      await readSharedStrings(stringsPart, strings);
    }

    const target = workbook.firstSheetRel === undefined ? undefined : rels.get(workbook.firstSheetRel);
    const sheetPath = target
      ? target.startsWith('/')
        ? target.slice(1)
        : posix.join('xl', target)
      : [...zip.entries.keys()].find((name) => /^xl\/worksheets\/[^/]+\.xml$/.test(name));
    if (!sheetPath) throw new XlsxFormatError('the workbook has no worksheet');
    const sheet = await part(sheetPath);
    if (!sheet) throw new XlsxFormatError(`the first worksheet, ${sheetPath}, is not in the file`);
    // What the consumer throws does not come in here: whatever is caught below is the file's.
    yield* readSheet(sheet, { strings, dateStyles, date1904: workbook.date1904 });
  } catch (err) {
    if (err instanceof XlsxFormatError || isSystemError(err)) throw err;
    const where = current ? `${current}: ` : '';
    throw new XlsxFormatError(`not a readable xlsx workbook (${where}${(err as Error).message})`, {
      cause: err,
    });
  } finally {
    strings?.close();
    await zip?.close();
  }
}

/** An error of the file system (it has a `syscall`), not of the file's content. */
const isSystemError = (error: unknown): boolean =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** `x:row` and `row` are the same element: writers may prefix the spreadsheetml namespace. */
const local = (name: string): string => name.slice(name.indexOf(':') + 1);

type Handlers = {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
};

/**
 * Feeds a part's text to saxes, chunk by chunk, calling `afterChunk` once each chunk is parsed (the
 * sheet yields the rows it completed then). saxes throws on malformed XML.
 */
async function* parseXml(part: Readable, h: Handlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ position: false });
  if (h.open) {
    const open = h.open;
    parser.on('opentag', (tag) => open(local(tag.name), tag.attributes as Record<string, string>));
  }
  if (h.close) {
    const close = h.close;
    parser.on('closetag', (tag) => close(local(tag.name)));
  }
  if (h.text) {
    parser.on('text', h.text);
    parser.on('cdata', h.text);
  }
  for await (const chunk of part) {
    parser.write(chunk as string);
    yield;
  }
  parser.close();
  yield;
}

async function drain(steps: AsyncGenerator<void>): Promise<void> {
  for await (const _ of steps);
}

/** The relationship id of the first `<sheet>` (the workbook's order), and the 1904 date system flag. */
async function readWorkbook(part: Readable): Promise<{ firstSheetRel?: string; date1904: boolean }> {
  let firstSheetRel: string | undefined;
  let date1904 = false;
  await drain(
    parseXml(part, {
      open(name, a) {
        if (name === 'sheet' && firstSheetRel === undefined) {
          firstSheetRel = Object.entries(a).find(([k]) => k === 'id' || k.endsWith(':id'))?.[1];
        } else if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      },
    }),
  );
  return firstSheetRel === undefined ? { date1904 } : { firstSheetRel, date1904 };
}

async function readRels(part: Readable): Promise<Map<string, string>> {
  const rels = new Map<string, string>();
  await drain(
    parseXml(part, {
      open(name, a) {
        if (name === 'Relationship' && a.Id && a.Target) rels.set(a.Id, a.Target);
      },
    }),
  );
  return rels;
}

/** Built-in number formats that show a date or a time (ECMA-376 §18.8.30, and the locale ones). */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** A custom format code shows a date when, outside quoted text, escapes and [colors], it has d m y h s. */
export const isDateFormat = (code: string): boolean =>
  /[dmyhs]/i.test(code.replace(/"[^"]*"|\\.|_.|\*.|\[[^\]]*\]/g, ''));

/** For each cell style (`<cellXfs>` index, a cell's `s`), whether its number format is a date's. */
async function readDateStyles(part: Readable): Promise<boolean[]> {
  const custom = new Map<number, boolean>();
  const styles: boolean[] = [];
  let inCellXfs = false;
  await drain(
    parseXml(part, {
      open(name, a) {
        if (name === 'numFmt') custom.set(Number(a.numFmtId), isDateFormat(a.formatCode ?? ''));
        else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) {
          const id = Number(a.numFmtId ?? 0);
          styles.push(custom.get(id) ?? DATE_FORMAT_IDS.has(id));
        }
      },
      close(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
    }),
  );
  return styles;
}

/**
 * The shared strings table: the text of each `<si>`, rich text runs joined, phonetic hints (`<rPh>`)
 * left out, added to `strings` in order (the sheet refers to them by index, in any order).
 */
async function readSharedStrings(part: Readable, strings: SharedStrings): Promise<void> {
  let text = '';
  let inT = false;
  let inPhonetic = false;
  await drain(
    parseXml(part, {
      open(name) {
        if (name === 'si') text = '';
        else if (name === 't') inT = !inPhonetic;
        else if (name === 'rPh') inPhonetic = true;
      },
      close(name) {
        if (name === 'si') strings.add(text);
        else if (name === 't') inT = false;
        else if (name === 'rPh') inPhonetic = false;
      },
      text(t) {
        if (inT) text += t;
      },
    }),
  );
}

/** `B12` → 2; 0 when the reference has no column letters. */
function columnOf(ref: string | undefined): number {
  let n = 0;
  if (!ref) return 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n;
}

const MS_PER_DAY = 86_400_000;
/** Excel's serial day 0 is 1899-12-30 in the 1900 system (its phantom 1900-02-29 included), 1904-01-01 in the other. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

async function* readSheet(
  part: Readable,
  book: { strings: SharedStrings | undefined; dateStyles: boolean[]; date1904: boolean },
): AsyncGenerator<SheetRow> {
  const epoch = book.date1904 ? EPOCH_1904 : EPOCH_1900;
  const done: SheetRow[] = [];
  let row: SheetRow | undefined;
  let lastRow = 0;
  let lastColumn = 0;
  // The cell being read: its column, type, style, and the text of its <v> or inline <is><t>.
  let column = 0;
  let type = 'n';
  let style = 0;
  let value: string | undefined;
  let capture: 'v' | 't' | undefined;
  let inPhonetic = false;

  const cellValue = (): CellValue => {
    if (value === undefined) return null;
    switch (type) {
      case 's': {
        if (!book.strings) {
          throw new XlsxFormatError(
            `row ${row?.number}: a cell refers to a shared string but the workbook has no xl/sharedStrings.xml part`,
          );
        }
        const s = book.strings.get(Number(value));
        if (s === undefined) {
          throw new XlsxFormatError(
            `row ${row?.number}: a cell refers to shared string ${value}, the table has ${book.strings.length}`,
          );
        }
        return s;
      }
      case 'str':
      case 'inlineStr':
        return value;
      case 'b':
        return value === '1' || value === 'true';
      case 'e':
        return null;
      case 'd': {
        const d = new Date(value);
        return Number.isNaN(d.getTime()) ? value : d;
      }
      default: {
        const n = Number(value);
        if (value.trim() === '' || Number.isNaN(n)) return value;
        // exceljs's rounding: a date cell keeps its time to the millisecond.
        return book.dateStyles[style] ? new Date(epoch + Math.round(n * MS_PER_DAY)) : n;
      }
    }
  };

  const steps = parseXml(part, {
    open(name, a) {
      switch (name) {
        case 'row': {
          const r = Number(a.r);
          lastRow = Number.isInteger(r) && r > 0 ? r : lastRow + 1;
          row = { number: lastRow, cells: [] };
          lastColumn = 0;
          break;
        }
        case 'c':
          column = columnOf(a.r) || lastColumn + 1;
          lastColumn = column;
          type = a.t ?? 'n';
          style = Number(a.s ?? 0);
          value = undefined;
          break;
        case 'v':
          capture = 'v';
          value = '';
          break;
        case 'rPh':
          inPhonetic = true;
          break;
        case 't':
          if (type === 'inlineStr' && !inPhonetic) {
            capture = 't';
            value ??= '';
          }
          break;
      }
    },
    close(name) {
      switch (name) {
        case 'v':
        case 't':
          capture = undefined;
          break;
        case 'rPh':
          inPhonetic = false;
          break;
        case 'c':
          if (row) row.cells[column] = cellValue();
          break;
        case 'row':
          if (row) done.push(row);
          row = undefined;
          break;
      }
    },
    text(t) {
      if (capture) value += t;
    },
  });
  for await (const _ of steps) {
    // The rows completed by this chunk: a chunk of inflated XML holds a few hundred at most.
    for (const completed of done.splice(0)) yield completed;
  }
}
