import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ZipFile } from './zip-file.js';

/**
 * The steps of exceljs 4.4's streaming WorkbookReader, which its types leave out. Its own entry loop
 * reads the zip as a stream, in the order the parts are stored, and loses parts when the worksheet
 * comes before the shared strings (Excel's order); here the parts are handed over in the order the
 * worksheet needs them, read at random from the file.
 */
type WorkbookReaderSteps = {
  _parseRels(part: Readable): Promise<void>;
  _parseWorkbook(part: Readable): Promise<void>;
  _parseStyles(part: Readable): Promise<void>;
  _parseSharedStrings(part: Readable): AsyncIterable<unknown>;
  _parseWorksheet(
    part: AsyncIterable<string>,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { rId: string }[] };
};

const STEPS = ['_parseRels', '_parseWorkbook', '_parseStyles', '_parseSharedStrings', '_parseWorksheet'];

/** An xlsx file that cannot be read: not a zip, a part missing or corrupt, XML that does not parse. */
export class XlsxFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XlsxFormatError';
  }
}

/**
 * Rows of the first worksheet (in the workbook's order) of the xlsx file at `path`, as exceljs's
 * streaming reader builds them: the workbook, its relationships, styles (to tell a date from a number)
 * and shared strings are read first, then the worksheet is parsed as it is inflated, so memory holds
 * the distinct shared strings and one row, however large the sheet. The file stays open until the
 * iteration ends, whether it finishes, fails or is stopped. A file that cannot be read fails with an
 * XlsxFormatError naming the part; a file system error is thrown as it is.
 */
export async function* readFirstSheet(path: string): AsyncGenerator<ExcelJS.Row> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    styles: 'cache',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as WorkbookReaderSteps;
  const missing = STEPS.filter((step) => typeof (reader as Record<string, unknown>)[step] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `this exceljs version lacks the WorkbookReader steps ${missing.join(', ')} (4.4 has them)`,
    );
  }
  let zip: ZipFile | undefined;
  let current = '';
  const part = async (name: string) => {
    current = name;
    const entry = zip?.entries.get(name);
    // Text chunks: exceljs decodes each Buffer chunk alone, which breaks a character split between two.
    return entry && (await zip!.stream(entry)).setEncoding('utf8');
  };
  try {
    zip = await ZipFile.open(path);
    const workbook = await part('xl/workbook.xml');
    if (!workbook) throw new XlsxFormatError('no xl/workbook.xml part: not an xlsx workbook');
    await reader._parseWorkbook(workbook);
    const rels = await part('xl/_rels/workbook.xml.rels');
    if (rels) await reader._parseRels(rels);
    const styles = await part('xl/styles.xml');
    if (styles) await reader._parseStyles(styles);
    const sharedStrings = await part('xl/sharedStrings.xml');
    if (sharedStrings) for await (const _ of reader._parseSharedStrings(sharedStrings));

    const sheetPath = firstSheetPath(reader, [...zip.entries.keys()]);
    if (!sheetPath) throw new XlsxFormatError('the workbook has no worksheet');
    const sheet = await part(sheetPath);
    if (!sheet) throw new XlsxFormatError(`the first worksheet, ${sheetPath}, is not in the file`);
    const sheetNo = /(\d+)\.xml$/.exec(sheetPath)?.[1] ?? '1';
    // What the consumer throws does not come in here: whatever is caught below is the file's.
    for (const { value } of reader._parseWorksheet(sheet as AsyncIterable<string>, sheetNo)) {
      yield* value;
    }
  } catch (err) {
    if (err instanceof XlsxFormatError || isSystemError(err)) throw err;
    const where = current ? `${current}: ` : '';
    throw new XlsxFormatError(`not a readable xlsx workbook (${where}${(err as Error).message})`, {
      cause: err,
    });
  } finally {
    await zip?.close();
  }
}

/** An error of the file system (it has a `syscall`), not of the file's content. */
const isSystemError = (error: unknown): boolean =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** The part of the workbook's first sheet; without relationships, the first worksheet part stored. */
function firstSheetPath(reader: WorkbookReaderSteps, names: string[]): string | undefined {
  const rId = reader.model?.sheets?.[0]?.rId;
  const target = reader.workbookRels?.find((rel) => rel.Id === rId)?.Target;
  if (target) return target.startsWith('/') ? target.slice(1) : posix.join('xl', target);
  return names.find((name) => /^xl\/worksheets\/[^/]+\.xml$/.test(name));
}
