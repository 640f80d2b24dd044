import { applyRate } from '../money.js';
import { MICROS_PER_DAY } from '../time.js';
import { balancedEntry, type Posting } from './balanced-entry.js';
import type { CompanyBuilder } from './company-builder.js';
import type { AccountRow, EntryRow } from './model.js';
import { MICROS_PER_HOUR } from './model.js';

/**
 * The accounts only the year-end work uses: fixed assets and their depreciation, stock, the loan,
 * provisions, taxes, financial and exceptional items, income tax, and the carried-forward result.
 * Created after everything else, so the rest of the company (and its seeded draws) is unchanged.
 */
const YEAR_END_ACCOUNTS: readonly [number: string, label: string, type: string][] = [
  ['1013', 'Capital souscrit - appelé, versé', 'capital'],
  ['110', 'Report à nouveau (solde créditeur)', 'capital'],
  ['119', 'Report à nouveau (solde débiteur)', 'capital'],
  ['129', "Résultat de l'exercice (perte)", 'capital'],
  ['1511', 'Provisions pour litiges', 'general'],
  ['164', 'Emprunts auprès des établissements de crédit', 'general'],
  ['1688', 'Intérêts courus sur emprunts', 'general'],
  ['2154', 'Matériel industriel', 'fixed_asset'],
  ['2183', 'Matériel de bureau et matériel informatique', 'fixed_asset'],
  ['28154', 'Amortissements du matériel industriel', 'fixed_asset'],
  ['28183', 'Amortissements du matériel de bureau et informatique', 'fixed_asset'],
  ['37', 'Stocks de marchandises', 'general'],
  ['4417', "État - subventions d'exploitation à recevoir", 'general'],
  ['444', 'État - impôts sur les bénéfices', 'general'],
  ['447', 'Autres impôts, taxes et versements assimilés', 'general'],
  ['44562', 'TVA déductible sur immobilisations', 'vat'],
  ['4686', 'Charges à payer', 'general'],
  ['4687', 'Produits à recevoir', 'general'],
  ['5088', 'Intérêts courus sur placements', 'general'],
  ['6037', 'Variation des stocks de marchandises', 'expense'],
  ['63511', 'Cotisation foncière des entreprises', 'expense'],
  ['6516', "Droits d'auteur et de reproduction", 'expense'],
  ['6611', 'Intérêts des emprunts et dettes', 'expense'],
  ['6712', 'Pénalités, amendes fiscales et pénales', 'expense'],
  ['6811', 'Dotations aux amortissements des immobilisations', 'expense'],
  ['6815', "Dotations aux provisions d'exploitation", 'expense'],
  ['695', 'Impôts sur les bénéfices', 'expense'],
  ['699', "Produits - reports en arrière des déficits et crédits d'impôt", 'revenue'],
  ['740', "Subventions d'exploitation", 'revenue'],
  ['768', 'Autres produits financiers', 'revenue'],
  ['751', 'Redevances pour concessions, brevets, licences, marques', 'revenue'],
  ['7788', 'Produits exceptionnels divers', 'revenue'],
  ['7815', "Reprises sur provisions d'exploitation", 'revenue'],
  ['791', "Transferts de charges d'exploitation", 'revenue'],
];

/** Equipment brought in and bought at the start, and how many years each is depreciated over. */
const EQUIPMENT = [
  { asset: '2154', depreciation: '28154', cents: 1_500_000, years: 5, label: 'Apport en nature - machine' },
  { asset: '2183', depreciation: '28183', cents: 2_400_000, years: 3, label: 'Matériel informatique' },
] as const;

/**
 * Entries an accountant books besides the daily documents, all on the miscellaneous journal: the
 * founding ones (capital brought in kind, equipment financed by a loan paid straight to the seller),
 * each ended year's inventory (travaux d'inventaire: depreciation, stock, provisions, accrued
 * interest, taxes, subsidy, exceptional items, income tax or a tax credit), and, once a year is
 * closed, the opening entry (à-nouveaux) of the next one. They do not touch the bank, so transactions are unchanged.
 * `entries` are the company's other entries (not yet numbered); the new ones are returned.
 */
export function yearEndEntries(b: CompanyBuilder, entries: EntryRow[], lastDay: number): EntryRow[] {
  const r = b.random;
  const years = b.fiscalYears.rows;
  const first = years[0]!;
  const setupAt = first.createdAt;
  for (const [number, label, type] of YEAR_END_ACCOUNTS) {
    if (!b.general.has(number)) b.general.set(number, b.addAccount(number, label, type, 'any', setupAt));
  }
  const acc = (n: string): AccountRow => b.general.get(n)!;
  const misc = b.mainJournals.misc;
  const out: EntryRow[] = [];
  const book = (day: number, at: number, label: string, piece: string, postings: Posting[]) =>
    out.push(
      balancedEntry(at, day, misc, label, postings, {
        piece,
        invoiceNumber: null,
        dueDay: null,
        filename: null,
      }),
    );

  // Founding entries, in the first days of the first year.
  const foundingDay = Math.min(first.start + 5, lastDay);
  const foundingAt = foundingDay * MICROS_PER_DAY + 10 * MICROS_PER_HOUR;
  const [machine, computers] = EQUIPMENT;
  book(foundingDay, foundingAt, 'Apport en nature - machine', 'OD-APPORT', [
    { account: acc(machine.asset), cents: machine.cents, label: machine.label },
    { account: acc('1013'), cents: -machine.cents, label: 'Augmentation de capital par apport en nature' },
  ]);
  const vat = applyRate(computers.cents, 2000);
  book(foundingDay, foundingAt + MICROS_PER_HOUR, 'Emprunt - achat matériel informatique', 'OD-EMPRUNT', [
    { account: acc(computers.asset), cents: computers.cents, label: computers.label },
    { account: acc('44562'), cents: vat, label: 'TVA sur immobilisation' },
    { account: acc('164'), cents: -(computers.cents + vat), label: 'Emprunt versé au fournisseur' },
  ]);

  let stock = 0;
  let provision = 0;
  for (const [index, year] of years.entries()) {
    if (year.finish >= lastDay) break; // the year is not over: no inventory yet
    const day = year.finish;
    const at = Math.min(year.finish + r.int(20, 60), lastDay) * MICROS_PER_DAY + b.timeOfDay();
    const y = new Date(year.start * 86_400_000).getUTCFullYear();
    const post = (label: string, postings: Posting[]) => book(day, at, label, `OD-INV-${y}`, postings);

    const depreciation = EQUIPMENT.filter((e) => index < e.years).map((e) => ({
      e,
      cents: Math.round(e.cents / e.years),
    }));
    if (depreciation.length > 0) {
      post(`Dotations aux amortissements ${y}`, [
        ...depreciation.map(({ e, cents }) => ({
          account: acc(e.depreciation),
          cents: -cents,
          label: `Amortissement ${e.label}`,
        })),
        {
          account: acc('6811'),
          cents: depreciation.reduce((s, d) => s + d.cents, 0),
          label: 'Dotation aux amortissements',
          category: b.categories[2] ?? null,
        },
      ]);
    }
    // Stock: the opening stock goes back to expenses, the counted one comes in (variation des stocks).
    const counted = r.int(2_000, 8_000) * 100;
    post(`Variation des stocks ${y}`, [
      ...(stock > 0
        ? [
            { account: acc('6037'), cents: stock, label: 'Annulation du stock initial' },
            { account: acc('37'), cents: -stock, label: 'Annulation du stock initial' },
          ]
        : []),
      { account: acc('37'), cents: counted, label: 'Stock final' },
      { account: acc('6037'), cents: -counted, label: 'Stock final' },
    ]);
    stock = counted;
    // Each year a customer dispute is provisioned; at the year's end the previous dispute is settled
    // (its provision reversed) and this one is re-estimated lower (part of it reversed).
    if (provision > 0) {
      post(`Reprise de provision ${y}`, [
        { account: acc('1511'), cents: provision, label: 'Reprise provision litige réglé' },
        { account: acc('7815'), cents: -provision, label: 'Reprise provision litige réglé' },
      ]);
    }
    const disputed = r.int(1_500, 6_000) * 100;
    const overestimate = applyRate(disputed, 4000);
    post(`Provision pour litige ${y}`, [
      { account: acc('6815'), cents: disputed, label: 'Dotation provision litige' },
      { account: acc('1511'), cents: -disputed, label: 'Dotation provision litige' },
      { account: acc('1511'), cents: overestimate, label: 'Reprise partielle, litige réestimé' },
      { account: acc('7815'), cents: -overestimate, label: 'Reprise partielle, litige réestimé' },
    ]);
    provision = disputed - overestimate;
    const interest = applyRate(computers.cents + vat, 400);
    post(`Intérêts courus ${y}`, [
      { account: acc('6611'), cents: interest, label: "Intérêts d'emprunt courus" },
      { account: acc('1688'), cents: -interest, label: "Intérêts d'emprunt courus" },
    ]);
    const placement = r.int(120, 400) * 100;
    post(`Intérêts de placement ${y}`, [
      { account: acc('5088'), cents: placement, label: 'Intérêts courus sur compte à terme' },
      { account: acc('768'), cents: -placement, label: 'Intérêts courus sur compte à terme' },
    ]);
    const cfe = r.int(400, 1_200) * 100;
    post(`CFE ${y}`, [
      { account: acc('63511'), cents: cfe, label: 'Cotisation foncière des entreprises' },
      { account: acc('447'), cents: -cfe, label: 'Cotisation foncière des entreprises' },
    ]);
    const subsidy = r.int(2_000, 6_000) * 100;
    post(`Subvention d'exploitation ${y}`, [
      { account: acc('4417'), cents: subsidy, label: "Aide à l'embauche" },
      { account: acc('740'), cents: -subsidy, label: "Aide à l'embauche", category: b.categories[0] ?? null },
    ]);
    const royalties = r.int(100, 600) * 100;
    post(`Droits d'auteur ${y}`, [
      { account: acc('6516'), cents: royalties, label: 'Droits de reproduction catalogue' },
      { account: acc('4686'), cents: -royalties, label: 'Droits de reproduction catalogue' },
    ]);
    const training = r.int(300, 1_800) * 100;
    post(`Transfert de charges ${y}`, [
      { account: acc('4687'), cents: training, label: 'Prise en charge formation (OPCO)' },
      { account: acc('791'), cents: -training, label: 'Prise en charge formation (OPCO)' },
    ]);
    const licence = r.int(200, 1_500) * 100;
    post(`Redevances de licence ${y}`, [
      { account: acc('4687'), cents: licence, label: 'Licence du modèle de luminaire' },
      { account: acc('751'), cents: -licence, label: 'Licence du modèle de luminaire' },
    ]);
    const penalty = r.int(150, 900) * 100;
    const indemnity = r.int(500, 2_500) * 100;
    post(`Éléments exceptionnels ${y}`, [
      { account: acc('6712'), cents: penalty, label: 'Majoration de retard' },
      { account: acc('4686'), cents: -penalty, label: 'Majoration de retard' },
      { account: acc('4687'), cents: indemnity, label: "Indemnité d'assurance à recevoir" },
      { account: acc('7788'), cents: -indemnity, label: "Indemnité d'assurance à recevoir" },
    ]);
    // Income tax on the year's result: 15% up to 42,500 €, 25% above (the SME rates).
    const inYear = (e: EntryRow) => e.day >= year.start && e.day <= year.finish;
    let before = 0; // Σ(credit - debit) over classes 6-7
    for (const e of [...entries, ...out])
      if (inYear(e))
        for (const l of e.lines) if (/^[67]/.test(l.account.number)) before += l.credit - l.debit;
    if (before > 0) {
      const tax =
        applyRate(Math.min(before, 4_250_000), 1500) + applyRate(Math.max(before - 4_250_000, 0), 2500);
      post(`Impôt sur les sociétés ${y}`, [
        { account: acc('695'), cents: tax, label: 'Impôt sur les sociétés' },
        { account: acc('444'), cents: -tax, label: 'Impôt sur les sociétés' },
      ]);
    } else {
      // No tax on a loss; the year's tax credit (crédit d'impôt innovation) is booked against the tax line.
      const credit = Math.max(applyRate(-before, 100), 100);
      post(`Crédit d'impôt ${y}`, [
        { account: acc('444'), cents: credit, label: "Crédit d'impôt innovation" },
        { account: acc('699'), cents: -credit, label: "Crédit d'impôt innovation" },
      ]);
    }

    // Once the year is closed, its balance-sheet accounts open the next one (à-nouveaux); its
    // result, and the earlier results still in 12x, become report à nouveau.
    const next = years[index + 1];
    if (year.status !== 'closed' || !next || next.start > lastDay) continue;
    const balances = new Map<AccountRow, number>();
    let result = 0;
    let earlierResults = 0;
    for (const e of [...entries, ...out]) {
      if (!inYear(e)) continue;
      for (const l of e.lines) {
        const n = l.account.number;
        if (/^[67]/.test(n)) result += l.debit - l.credit;
        else if (n.startsWith('12')) earlierResults += l.debit - l.credit;
        else if (/^[1-5]/.test(n))
          balances.set(l.account, (balances.get(l.account) ?? 0) + l.debit - l.credit);
      }
    }
    if (earlierResults !== 0) {
      const carried = acc(earlierResults > 0 ? '119' : '110');
      balances.set(carried, (balances.get(carried) ?? 0) + earlierResults);
    }
    const postings: Posting[] = [...balances.entries()]
      .filter(([, cents]) => cents !== 0)
      .sort(([a], [c]) => (a.number < c.number ? -1 : a.number > c.number ? 1 : 0))
      .map(([account, cents]) => ({ account, cents, label: `À nouveau ${account.label}` }));
    postings.push({
      account: acc(result > 0 ? '129' : '120'),
      cents: result,
      label: `Résultat de l'exercice ${y}`,
    });
    const closedAt = Math.min(next.start + r.int(90, 110), lastDay) * MICROS_PER_DAY + b.timeOfDay();
    out.push(
      balancedEntry(closedAt, next.start, misc, `À nouveaux ${y + 1}`, postings, {
        piece: `AN-${y + 1}`,
        invoiceNumber: null,
        dueDay: null,
        filename: null,
      }),
    );
  }
  return out;
}
