import type { AglRow, FecRow } from '../../../pennylane/src/export-formats.js';
import { CATEGORY_GROUP } from '../data/french.js';
import type { AccountRow, LineRow } from '../data/model.js';
import { formatCents } from '../money.js';
import { formatDay } from '../time.js';

/**
 * What the export files contain, straight from the ledger entry lines dated in the period (inclusive),
 * ordered by date, entry id, line id. Third-party lines are written the FEC way: CompteNum is the
 * collective account (411, 401), CompAuxNum/CompAuxLib the auxiliary account and its name; other lines
 * have empty auxiliary columns. EcritureNum is the ledger entry id, PieceRef its piece number, ValidDate
 * the entry date (Pennylane's real values are unknown; these keep every line traceable to the API).
 */
export function linesInPeriod(lines: readonly LineRow[], periodStart: number, periodEnd: number): LineRow[] {
  return lines
    .filter((l) => l.entry.day >= periodStart && l.entry.day <= periodEnd)
    .sort((a, b) => a.entry.day - b.entry.day || a.entry.id - b.entry.id || a.id - b.id);
}

type AccountColumns = { number: string; label: string; auxNumber: string; auxLabel: string };

function accountColumns(account: AccountRow, collectiveLabel: (n: string) => string): AccountColumns {
  return account.collective
    ? {
        number: account.collective,
        label: collectiveLabel(account.collective),
        auxNumber: account.number,
        auxLabel: account.label,
      }
    : { number: account.number, label: account.label, auxNumber: '', auxLabel: '' };
}

export function toFecRows(lines: readonly LineRow[], collectiveLabel: (n: string) => string): FecRow[] {
  return lines.map((line) => {
    const entry = line.entry;
    const account = accountColumns(line.account, collectiveLabel);
    const date = formatDay(entry.day);
    return {
      JournalCode: entry.journal.code,
      JournalLib: entry.journal.label,
      EcritureNum: String(entry.id),
      EcritureDate: date,
      CompteNum: account.number,
      CompteLib: account.label,
      CompAuxNum: account.auxNumber,
      CompAuxLib: account.auxLabel,
      PieceRef: entry.piece ?? String(entry.id),
      PieceDate: date,
      EcritureLib: line.label,
      Debit: formatCents(line.debit),
      Credit: formatCents(line.credit),
      EcritureLet: line.letter?.code ?? '',
      DateLet: line.letter ? formatDay(line.letter.day) : '',
      ValidDate: date,
      Montantdevise: '',
      Idevise: '',
    };
  });
}

/** One row per line and analytical allocation (a line without category gives one row, category columns null). */
export function toAglRows(lines: readonly LineRow[], collectiveLabel: (n: string) => string): AglRow[] {
  return lines.map((line) => {
    const entry = line.entry;
    const account = accountColumns(line.account, collectiveLabel);
    const category = line.category;
    return {
      date: formatDay(entry.day),
      journal_code: entry.journal.code,
      journal_label: entry.journal.label,
      piece_number: entry.piece,
      account_number: account.number,
      account_label: account.label,
      thirdparty_account_number: account.auxNumber || null,
      thirdparty_label: account.auxLabel || null,
      label: line.label,
      invoice_number: entry.invoiceNumber,
      debit: formatCents(line.debit),
      credit: formatCents(line.credit),
      lettering: line.letter?.code ?? null,
      category_group: category ? CATEGORY_GROUP : null,
      category_label: category?.label ?? null,
      analytical_code: category?.code ?? null,
      category_weight: category ? '1.00' : null,
      ledger_entry_id: entry.id,
      ledger_entry_line_id: line.id,
    };
  });
}
