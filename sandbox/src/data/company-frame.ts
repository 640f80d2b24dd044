import { MICROS_PER_DAY, yearStart } from '../time.js';
import type { SandboxCounts } from '../types.js';
import type { CompanyBuilder, MainJournals } from './company-builder.js';
import { BANKS, CATEGORIES, CATEGORY_GROUP, GENERAL_ACCOUNTS } from './french.js';
import { type JournalRow, MICROS_PER_HOUR } from './model.js';

/**
 * The company's frame: fiscal years, journals, the general chart, analytical categories, bank accounts.
 * Returns the journals that invoices and payroll post to.
 */
export function setUpCompany(b: CompanyBuilder, counts: SandboxCounts): MainJournals {
  const r = b.random;
  const anchorYear = new Date(b.anchorDay * 86_400_000).getUTCFullYear();
  const firstYear = anchorYear - counts.fiscalYears + 1;
  const firstDay = yearStart(firstYear);
  const setupAt = (firstDay - 45) * MICROS_PER_DAY + 10 * MICROS_PER_HOUR;

  for (let year = firstYear; year <= anchorYear; year++) {
    const start = yearStart(year);
    const finish = yearStart(year + 1) - 1;
    const open = year === anchorYear;
    const createdAt = year === firstYear ? setupAt : (start - 20) * MICROS_PER_DAY + b.timeOfDay();
    const closedAt = (finish + 110) * MICROS_PER_DAY + b.timeOfDay();
    const updatedAt = !open && finish + 110 < b.anchorDay ? closedAt : createdAt;
    b.fiscalYears.add({
      id: b.nextId('fiscal_years'),
      createdAt,
      updatedAt,
      start,
      finish,
      status: open || finish + 110 >= b.anchorDay ? 'open' : 'closed',
    });
  }
  // A year still being closed is realistic, but the data promise is at least one closed year: the
  // oldest one is always closed once there are two.
  const oldest = b.fiscalYears.rows[0]!;
  if (b.fiscalYears.rows.length > 1 && oldest.status === 'open') oldest.status = 'closed';

  const journal = (code: string, label: string, type: string): JournalRow => {
    const row = { id: b.nextId('journals'), createdAt: setupAt, updatedAt: setupAt, code, label, type };
    b.journals.add(row);
    return row;
  };
  const main: MainJournals = {
    sales: journal('VT', 'Ventes', 'sales'),
    purchases: journal('HA', 'Achats', 'purchases'),
    misc: journal('OD', 'Opérations diverses', 'misc'),
  };
  for (const [number, label, type, vatRate] of GENERAL_ACCOUNTS) {
    b.general.set(number, b.addAccount(number, label, type, vatRate, setupAt));
  }
  const groupId = b.nextId('categories');
  b.categoryGroups.add({ id: groupId, createdAt: setupAt, updatedAt: setupAt, label: CATEGORY_GROUP });
  for (const [label, code] of CATEGORIES) {
    b.categories.push({
      id: b.nextId('categories'),
      createdAt: setupAt,
      updatedAt: setupAt,
      label,
      code,
      groupId,
    });
  }
  for (let i = 0; i < counts.bankAccounts; i++) {
    const bank = BANKS[i % BANKS.length]!;
    const code = i === 0 ? 'BQ' : `BQ${i + 1}`;
    const bankJournal = journal(code, `Banque - ${bank.name}`, 'bank');
    const account = b.addAccount(`512${i + 1}`, bank.name, 'bank', 'any', setupAt);
    const openingCents = r.int(5_000, 40_000) * 100;
    b.bankAccounts.add({
      id: b.nextId('bank_accounts'),
      createdAt: setupAt,
      updatedAt: setupAt,
      name: bank.name,
      establishment: bank.establishment,
      journal: bankJournal,
      account,
      openingCents,
      balanceCents: openingCents,
    });
  }
  return main;
}
