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

/**
 * One FEC row in neutral form: dates as YYYY-MM-DD ('' when empty), amounts as dot-decimal strings
 * ('' when empty). Writers turn them into the legal encoding; readers turn the file back into this.
 */
export type FecRow = Record<FecColumn, string>;

export type FecDialect = { separator: '\t' | '|'; encoding: 'utf-8' | 'iso-8859-15' };

/** AGL columns: `key` is the neutral name (and the table column), `header` the label in the workbook. */
export const AGL_COLUMNS = [
  { key: 'date', header: 'Date', type: 'date' },
  { key: 'journal_code', header: 'Code journal', type: 'string' },
  { key: 'journal_label', header: 'Libellé journal', type: 'string' },
  { key: 'piece_number', header: 'Numéro de pièce', type: 'string' },
  { key: 'account_number', header: 'Numéro de compte', type: 'string' },
  { key: 'account_label', header: 'Libellé de compte', type: 'string' },
  { key: 'thirdparty_account_number', header: 'Compte auxiliaire', type: 'string' },
  { key: 'thirdparty_label', header: 'Libellé compte auxiliaire', type: 'string' },
  { key: 'label', header: 'Libellé', type: 'string' },
  { key: 'invoice_number', header: 'Numéro de facture', type: 'string' },
  { key: 'debit', header: 'Débit', type: 'decimal' },
  { key: 'credit', header: 'Crédit', type: 'decimal' },
  { key: 'lettering', header: 'Lettrage', type: 'string' },
  { key: 'category_group', header: 'Axe analytique', type: 'string' },
  { key: 'category_label', header: 'Catégorie', type: 'string' },
  { key: 'analytical_code', header: 'Code analytique', type: 'string' },
  { key: 'category_weight', header: 'Pondération', type: 'decimal' },
  { key: 'ledger_entry_id', header: 'Identifiant écriture', type: 'integer' },
  { key: 'ledger_entry_line_id', header: 'Identifiant ligne', type: 'integer' },
] as const;

export type AglColumnKey = (typeof AGL_COLUMNS)[number]['key'];

/** One AGL row in neutral form: dates YYYY-MM-DD, decimals as dot-decimal strings, ids as numbers, '' or null when empty. */
export type AglRow = Record<AglColumnKey, string | number | null>;
