import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEC_COLUMNS, type FecRow } from '../../../pennylane/src/export-formats.js';
import { writeFec } from './fec-writer.js';

const row = (fields: Partial<FecRow>): FecRow =>
  Object.fromEntries(FEC_COLUMNS.map((c) => [c, fields[c] ?? ''])) as FecRow;

describe('writeFec', () => {
  it('writes the 18-column header, then rows with YYYYMMDD dates and comma decimals, CRLF line ends', () => {
    const file = writeFec(
      [
        row({
          JournalCode: 'VT',
          EcritureDate: '2025-01-31',
          CompteNum: '411000',
          Debit: '1234.50',
          Credit: '0.00',
          Montantdevise: '-12.3',
        }),
      ],
      { separator: '|', encoding: 'utf-8' },
    ).toString('utf8');
    const lines = file.split('\r\n');
    assert.equal(lines[0], FEC_COLUMNS.join('|'));
    assert.equal(lines[1], 'VT|||20250131|411000|||||||1234,50|0,00||||-12,3|');
    assert.deepEqual(lines.slice(2), ['']);
  });

  it('replaces separators and line breaks inside values with spaces so columns never shift', () => {
    const file = writeFec([row({ EcritureLib: 'a\tb|c\r\nd', CompteLib: 'x|y' })], {
      separator: '\t',
      encoding: 'utf-8',
    }).toString('utf8');
    const fields = file.split('\r\n')[1]!.split('\t');
    assert.equal(fields.length, 18);
    assert.equal(fields[FEC_COLUMNS.indexOf('EcritureLib')], 'a b|c  d');
    assert.equal(fields[FEC_COLUMNS.indexOf('CompteLib')], 'x|y');
  });

  it('encodes ISO-8859-15 with € and Œ as single bytes and no BOM', () => {
    const file = writeFec([row({ EcritureLib: 'Œuvre 5 €' })], { separator: '\t', encoding: 'iso-8859-15' });
    assert.notEqual(file[0], 0xef);
    assert.ok(file.includes(Buffer.from([0xbc, 0x75, 0x76, 0x72, 0x65, 0x20, 0x35, 0x20, 0xa4])));
    assert.ok(!file.includes(Buffer.from('€', 'utf8')));
  });

  it('rejects an amount or a date that is not in neutral form, naming the row and column', () => {
    assert.throws(
      () => writeFec([row({}), row({ Debit: '12,50' })], { separator: '|', encoding: 'utf-8' }),
      /FEC row 2, column Debit: "12,50" is not a dot-decimal amount/,
    );
    assert.throws(
      () => writeFec([row({ PieceDate: '31/01/2025' })], { separator: '|', encoding: 'utf-8' }),
      /FEC row 1, column PieceDate: "31\/01\/2025" is not a YYYY-MM-DD date/,
    );
  });
});
