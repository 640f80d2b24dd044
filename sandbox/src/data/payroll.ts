import { formatDay } from '../time.js';
import { balancedEntry } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import type { EntryRow } from './model.js';

/** The month's payroll on the miscellaneous journal: salaries and employer charges against what is owed. */
export function makePayrollEntry(
  b: CompanyBuilder,
  at: number,
  day: number,
  gross: number,
  net: number,
  employer: number,
): EntryRow {
  const label = `Salaires ${formatDay(day).slice(0, 7)}`;
  return balancedEntry(
    at,
    day,
    b.mainJournals.misc,
    label,
    [
      { account: b.general.get('6411')!, cents: gross, label },
      { account: b.general.get('6451')!, cents: employer, label: `${label} - charges patronales` },
      { account: b.general.get('421')!, cents: -net, label: `${label} - net à payer` },
      { account: b.general.get('431')!, cents: -(gross - net + employer), label: `${label} - URSSAF` },
    ],
    { piece: `OD-${label.slice(9)}`, invoiceNumber: null, dueDay: null, filename: null },
  );
}
