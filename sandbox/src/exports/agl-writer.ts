import { AGL_COLUMNS, type AglColumn, type AglRow } from '../../../pennylane/src/export-formats.js';
import { deflateEntry, zipDeflated } from './zip-writer.js';

/** Sheet name of the workbook (Pennylane's is unknown; readers take the first sheet whatever its name). */
export const AGL_SHEET_NAME = 'Grand livre analytique';

/**
 * Order of the parts in the zip. `streaming` (the default): the shared strings and styles before the
 * sheet. `excel`: as Excel writes them, the sheet before the styles and the shared strings.
 */
export type AglPartOrder = 'streaming' | 'excel';

/** Rows serialised per piece of sheet XML handed to the compressor. */
const ROWS_PER_PIECE = 1000;

/**
 * The AGL xlsx workbook for `rows`: one sheet, a header row of AGL_COLUMNS labels, then one row per
 * entry; typed cells as an accountant's spreadsheet has them: dates are date cells (dd/mm/yyyy),
 * amounts and weights number cells (#,##0.00), ids number cells, texts shared strings, empty values no
 * cell at all. A decimal that a double cannot hold exactly to 15 significant digits (or an id above 2^53)
 * is written as a text cell instead, so no value ever changes; the reader accepts both.
 *
 * `partOrder: 'excel'` lays the zip out as Excel does (the sheet before the styles and the shared
 * strings), for testing readers on that order.
 *
 * The SpreadsheetML is written here rather than through exceljs's writer, which costs ~0.1 ms of CPU per
 * row (20 s for a large sandbox's year); the tests read the result back with exceljs.
 */
export async function writeAglXlsx(
  rows: Iterable<AglRow>,
  options: { partOrder?: AglPartOrder } = {},
): Promise<Buffer> {
  const strings = new SharedStrings();
  const fixed = (name: string, xml: string) => deflateEntry({ name, data: [Buffer.from(xml, 'utf8')] });
  // The sheet is compressed first: it registers the shared strings.
  const sheet = await deflateEntry({ name: 'xl/worksheets/sheet1.xml', data: sheetXml(rows, strings) });
  const sharedStrings = await deflateEntry({ name: 'xl/sharedStrings.xml', data: [strings.xml()] });
  const contentTypes = await fixed('[Content_Types].xml', CONTENT_TYPES);
  const rootRels = await fixed('_rels/.rels', ROOT_RELS);
  const workbook = await fixed('xl/workbook.xml', WORKBOOK);
  const workbookRels = await fixed('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
  const styles = await fixed('xl/styles.xml', STYLES);
  const head = [contentTypes, rootRels, workbook, workbookRels];
  // By default the shared strings come before the sheet (Excel puts them after): a reader that
  // streams the zip meets them before the cells that refer to them.
  return zipDeflated(
    options.partOrder === 'excel'
      ? [...head, sheet, styles, sharedStrings]
      : [...head, styles, sharedStrings, sheet],
  );
}

function* sheetXml(rows: Iterable<AglRow>, strings: SharedStrings): Generator<Buffer> {
  const header = AGL_COLUMNS.map(
    (c, i) => `<c r="${LETTERS[i]}1" t="s"><v>${strings.index(c.header)}</v></c>`,
  );
  let piece = `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}"><sheetData><row r="1">${header.join('')}</row>`;
  let rowNumber = 1;
  for (const row of rows) {
    rowNumber++;
    piece += `<row r="${rowNumber}">`;
    for (let i = 0; i < AGL_COLUMNS.length; i++) {
      const column = AGL_COLUMNS[i]!;
      piece += cellXml(column, row[column.key], LETTERS[i]! + rowNumber, rowNumber - 1, strings);
    }
    piece += '</row>';
    if (rowNumber % ROWS_PER_PIECE === 0) {
      yield Buffer.from(piece, 'utf8');
      piece = '';
    }
  }
  yield Buffer.from(`${piece}</sheetData></worksheet>`, 'utf8');
}

/** Style indexes into STYLES' cellXfs. */
const STYLE = { date: 1, decimal: 2, integer: 3 } as const;
/** Days from Excel's day 0 (1899-12-30, in the 1900 date system) to 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;

function cellXml(
  column: AglColumn,
  value: string | number | null | undefined,
  ref: string,
  index: number,
  strings: SharedStrings,
): string {
  if (value === null || value === undefined || value === '') return '';
  switch (column.type) {
    case 'string':
      return textCell(ref, strings.index(String(value)));
    case 'date': {
      const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      if (!m) throw invalid(column, value, index, 'a YYYY-MM-DD date');
      const days = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
      return numberCell(ref, days + EXCEL_EPOCH_DAYS, STYLE.date);
    }
    case 'integer': {
      const digits = String(value);
      if (!/^-?\d+$/.test(digits)) throw invalid(column, value, index, 'an integer');
      const n = Number(digits);
      return Number.isSafeInteger(n)
        ? numberCell(ref, n, STYLE.integer)
        : textCell(ref, strings.index(digits));
    }
    case 'decimal': {
      const decimal = String(value);
      if (!/^-?\d+(\.\d+)?$/.test(decimal)) throw invalid(column, value, index, 'a dot-decimal string');
      return doubleHoldsExactly(decimal)
        ? numberCell(ref, Number(decimal), STYLE.decimal)
        : textCell(ref, strings.index(decimal));
    }
  }
}

// Module-level helpers rather than closures per cell: this runs for every cell of a large export.
function textCell(ref: string, stringIndex: number): string {
  return `<c r="${ref}" t="s"><v>${stringIndex}</v></c>`;
}

function numberCell(ref: string, n: number, style: number): string {
  return `<c r="${ref}" s="${style}"><v>${n}</v></c>`;
}

function invalid(column: AglColumn, value: unknown, index: number, expected: string): Error {
  return new Error(`AGL row ${index}, column ${column.key}: ${JSON.stringify(value)} is not ${expected}`);
}

/** True when the double nearest to `decimal` reads back as the same decimal at 15 significant digits. */
function doubleHoldsExactly(decimal: string): boolean {
  const significant = decimal.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15;
}

class SharedStrings {
  private readonly indexes = new Map<string, number>();
  private count = 0;

  index(s: string): number {
    this.count++;
    let i = this.indexes.get(s);
    if (i === undefined) {
      i = this.indexes.size;
      this.indexes.set(s, i);
    }
    return i;
  }

  xml(): Buffer {
    const items = [...this.indexes.keys()].map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`);
    return Buffer.from(
      `${XML_DECLARATION}<sst xmlns="${MAIN_NS}" count="${this.count}" uniqueCount="${this.indexes.size}">${items.join('')}</sst>`,
      'utf8',
    );
  }
}

/** XML text: markup characters escaped, and the control characters XML 1.0 cannot carry dropped. */
const escapeXml = (s: string): string =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

const LETTERS = AGL_COLUMNS.map((_, i) => String.fromCharCode(65 + i)); // 19 columns: A..S

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

const CONTENT_TYPES = `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${CT}.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/></Types>`;

const ROOT_RELS = `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">\
<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK = `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">\
<sheets><sheet name="${AGL_SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

const WORKBOOK_RELS = `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">\
<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>\
<Relationship Id="rId3" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;

/** cellXfs: 0 default, 1 date dd/mm/yyyy (custom 164), 2 amount #,##0.00 (built-in 4), 3 integer 0 (built-in 1). */
const STYLES = `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;
