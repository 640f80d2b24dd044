import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateEntry, zipDeflated } from '../../../sandbox/src/exports/zip-writer.js';
import { isDateFormat, readFirstSheet, type SheetRow, XlsxFormatError } from './xlsx-first-sheet.js';

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/**
 * A workbook written by hand as other generators write them: two sheets listed in an order other than
 * their part names, a prefixed namespace, a custom date format, rich text and phonetic runs, inline
 * strings, booleans, errors, formulas and ISO date cells, cells and rows without their `r`.
 */
const workbook = async (parts: Record<string, string>): Promise<Buffer> =>
  zipDeflated(
    await Promise.all(
      Object.entries(parts).map(([name, xml]) => deflateEntry({ name, data: [Buffer.from(xml)] })),
    ),
  );

const PARTS = {
  'xl/worksheets/sheet1.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
  'xl/worksheets/sheet2.xml': `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="C2" t="s"><x:v>1</x:v></x:c><x:c r="D2" s="1"><x:v>45838</x:v></x:c><x:c r="E2" s="2"><x:v>45838.5</x:v></x:c></x:row>
<x:row><x:c t="inlineStr"><x:is><x:r><x:t>Œuvre </x:t></x:r><x:r><x:t>d’été</x:t></x:r></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c t="str"><x:f>A2&amp;"x"</x:f><x:v>a &lt; b</x:v></x:c><x:c t="d"><x:v>2025-06-30T00:00:00Z</x:v></x:c><x:c s="2"><x:v>1234.56</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`,
  'xl/sharedStrings.xml': `<sst ${NS}><si><t xml:space="preserve"> Libellé </t></si><si><r><t>Fac</t></r><r><rPr><b/></rPr><t>ture</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si></sst>`,
  'xl/styles.xml': `<styleSheet ${NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="#,##0.00&quot; days&quot;"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>`,
  'xl/workbook.xml': `<workbook ${NS} ${R_NS}><sheets><sheet name="Export" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Target="/xl/worksheets/sheet2.xml"/></Relationships>`,
};

describe('readFirstSheet', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xlsx-first-sheet-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const read = async (bytes: Buffer): Promise<SheetRow[]> => {
    const path = join(dir, `${++n}.xlsx`);
    await writeFile(path, bytes);
    const rows: SheetRow[] = [];
    for await (const row of readFirstSheet(path)) rows.push(row);
    return rows;
  };

  it("reads the workbook's first sheet with every cell type, by column, whatever the part order", async () => {
    const rows = await read(await workbook(PARTS));
    // Cells by column number (1 = A): a column without a cell has no entry.
    const byColumn = rows.map((r) => ({
      number: r.number,
      cells: Object.fromEntries(Object.entries(r.cells)),
    }));
    const june30 = new Date(Date.UTC(2025, 5, 30));
    assert.deepEqual(byColumn, [
      { number: 2, cells: { 1: ' Libellé ', 3: 'Facture', 4: june30, 5: 45838.5 } },
      { number: 3, cells: { 1: 'Œuvre d’été', 2: true, 3: null, 4: 'a < b', 5: june30, 6: 1234.56 } },
    ]);
  });

  it('names the row of a shared string the workbook does not have', async () => {
    const { 'xl/sharedStrings.xml': _, ...withoutStrings } = PARTS;
    await assert.rejects(
      read(await workbook(withoutStrings)),
      (err: unknown) =>
        err instanceof XlsxFormatError &&
        /row 2: a cell refers to a shared string but the workbook has no xl\/sharedStrings.xml part/.test(
          err.message,
        ),
    );
  });

  it('fails on XML that does not parse with an XlsxFormatError naming the part', async () => {
    const broken = { ...PARTS, 'xl/worksheets/sheet2.xml': `<worksheet ${NS}><sheetData><row r="1"><c>` };
    await assert.rejects(
      read(await workbook(broken)),
      /^XlsxFormatError: not a readable xlsx workbook \(xl\/worksheets\/sheet2\.xml: /,
    );
  });

  it('tells date formats from number formats', () => {
    for (const code of ['dd/mm/yyyy', 'yyyy-mm-dd hh:mm', '[$-40C]d mmmm yyyy', 'h:mm:ss']) {
      assert.equal(isDateFormat(code), true, code);
    }
    for (const code of ['General', '#,##0.00', '0.00E+00', '#,##0.00" days"', '[Red]-#,##0', '0%']) {
      assert.equal(isDateFormat(code), false, code);
    }
  });
});
