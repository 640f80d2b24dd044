/**
 * The two export files, as both the sandbox writes them and the tap reads them.
 *
 * FEC: the legal "Fichier des Écritures Comptables" (LPF art. A47 A-1): a header row of the 18 column
 * names below, one row per ledger entry line, separator tab or `|`, dates YYYYMMDD, amounts with a comma
 * decimal mark, UTF-8 or ISO-8859-15. Pennylane does not document its flavour, so the reader detects
 * separator and encoding and the sandbox can produce all four combinations.
 *
 * AGL (analytical general ledger): an xlsx workbook, first sheet, header row then one row per line and
 * analytical allocation. Pennylane's real headers are not published; ours follow the column set of its
 * Redshift `analytical_ledger` table (the only list on record), with French header labels as its
 * exports use.
 */
export const FEC_COLUMNS = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'Debit',
  'Credit',
  'EcritureLet',
  'DateLet',
  'ValidDate',
  'Montantdevise',
  'Idevise',
] as const;

export type FecColumn = (typeof FEC_COLUMNS)[number];

/** Columns holding amounts: comma decimal mark in the file, dot-decimal string in neutral form. */
export const FEC_AMOUNT_COLUMNS: ReadonlySet<FecColumn> = new Set(['Debit', 'Credit', 'Montantdevise']);

/** Columns holding dates: YYYYMMDD in the file, YYYY-MM-DD in neutral form. */
export const FEC_DATE_COLUMNS: ReadonlySet<FecColumn> = new Set([
  'EcritureDate',
  'PieceDate',
  'DateLet',
  'ValidDate',
]);

/**
 * One FEC row in neutral form: dates as YYYY-MM-DD ('' when empty), amounts as dot-decimal strings
 * ('' when empty). Writers turn them into the legal encoding; readers turn the file back into this.
 */
export type FecRow = Record<FecColumn, string>;

export type FecDialect = { separator: '\t' | '|'; encoding: 'utf-8' | 'iso-8859-15' };

/**
 * AGL columns: `key` is the neutral name (and the table column), `header` the label in the workbook.
 * `required`: a workbook without this column is rejected (the other columns become null when absent,
 * since Pennylane's real header set is unconfirmed).
 */
export const AGL_COLUMNS = [
  { key: 'date', header: 'Date', type: 'date', required: true },
  { key: 'journal_code', header: 'Code journal', type: 'string', required: true },
  { key: 'journal_label', header: 'Libellé journal', type: 'string', required: false },
  { key: 'piece_number', header: 'Numéro de pièce', type: 'string', required: false },
  { key: 'account_number', header: 'Numéro de compte', type: 'string', required: true },
  { key: 'account_label', header: 'Libellé de compte', type: 'string', required: false },
  { key: 'thirdparty_account_number', header: 'Compte auxiliaire', type: 'string', required: false },
  { key: 'thirdparty_label', header: 'Libellé compte auxiliaire', type: 'string', required: false },
  { key: 'label', header: 'Libellé', type: 'string', required: true },
  { key: 'invoice_number', header: 'Numéro de facture', type: 'string', required: false },
  { key: 'debit', header: 'Débit', type: 'decimal', required: true },
  { key: 'credit', header: 'Crédit', type: 'decimal', required: true },
  { key: 'lettering', header: 'Lettrage', type: 'string', required: false },
  { key: 'category_group', header: 'Axe analytique', type: 'string', required: false },
  { key: 'category_label', header: 'Catégorie', type: 'string', required: false },
  { key: 'analytical_code', header: 'Code analytique', type: 'string', required: false },
  { key: 'category_weight', header: 'Pondération', type: 'decimal', required: false },
  { key: 'ledger_entry_id', header: 'Identifiant écriture', type: 'integer', required: false },
  { key: 'ledger_entry_line_id', header: 'Identifiant ligne', type: 'integer', required: false },
] as const;

export type AglColumn = (typeof AGL_COLUMNS)[number];

export type AglColumnKey = (typeof AGL_COLUMNS)[number]['key'];

/**
 * One AGL row in neutral form: dates YYYY-MM-DD, decimals as dot-decimal strings, ids (integer columns) as
 * numbers, null when empty. The writer also accepts '' for empty; the reader always gives null.
 */
export type AglRow = Record<AglColumnKey, string | number | null>;
