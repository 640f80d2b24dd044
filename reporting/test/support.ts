/**
 * The rules of issue 11, written again independently of the SQL, as the oracle the reconciliation
 * tests compare the views with: a wrong prefix in a .sql file makes a test fail.
 */

/** Income-statement section by the longest matching prefix; undefined for non_classe. */
const SECTIONS: [prefix: string, section: string][] = [
  ['70', 'ventes'],
  ['71', 'production_stockee_immobilisee'],
  ['72', 'production_stockee_immobilisee'],
  ['74', 'subventions_exploitation'],
  ['73', 'autres_produits'],
  ['75', 'autres_produits'],
  ['781', 'reprises_exploitation'],
  ['791', 'reprises_exploitation'],
  ['60', 'achats'],
  ['61', 'charges_externes'],
  ['62', 'charges_externes'],
  ['63', 'impots_taxes'],
  ['64', 'charges_personnel'],
  ['65', 'autres_charges'],
  ['68', 'dotations_exploitation'],
  ['66', 'charges_financieres'],
  ['686', 'charges_financieres'],
  ['76', 'produits_financiers'],
  ['786', 'produits_financiers'],
  ['796', 'produits_financiers'],
  ['67', 'charges_exceptionnelles'],
  ['687', 'charges_exceptionnelles'],
  ['77', 'produits_exceptionnels'],
  ['787', 'produits_exceptionnels'],
  ['797', 'produits_exceptionnels'],
  ['69', 'participation_impots'],
];

const longest = <T extends string>(table: [string, T][], account: string): T | undefined =>
  table.filter(([prefix]) => account.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0]?.[1];

export const sectionOf = (account: string): string => longest(SECTIONS, account) ?? 'non_classe';

export function groupOf(section: string): string {
  if (section === 'charges_financieres' || section === 'produits_financiers') return 'financier';
  if (section === 'charges_exceptionnelles' || section === 'produits_exceptionnels') return 'exceptionnel';
  if (section === 'participation_impots') return 'impots';
  return 'exploitation';
}

/** SIG components as the issue names them, plus the documented choices for unnamed accounts. */
type Component =
  | 'marge'
  | 'production'
  | 'consommations'
  | 'ebe'
  | 'exploitation'
  | 'financier'
  | 'exceptionnel'
  | 'impots';
const NAMED: [string, Component][] = [
  ['707', 'marge'],
  ['7097', 'marge'],
  ['607', 'marge'],
  ['6087', 'marge'],
  ['6097', 'marge'],
  ['6037', 'marge'],
  ...['701', '702', '703', '704', '705', '706', '708', '709', '713', '72'].map(
    (p) => [p, 'production'] as [string, Component],
  ),
  ...['601', '602', '6031', '6032', '604', '605', '606', '6081', '6082', '6091', '6092', '61', '62'].map(
    (p) => [p, 'consommations'] as [string, Component],
  ),
  ...['74', '63', '64'].map((p) => [p, 'ebe'] as [string, Component]),
  ...['75', '781', '791', '65', '681'].map((p) => [p, 'exploitation'] as [string, Component]),
  ...['76', '786', '796', '66', '686'].map((p) => [p, 'financier'] as [string, Component]),
  ...['77', '787', '797', '67', '687'].map((p) => [p, 'exceptionnel'] as [string, Component]),
  ['69', 'impots'],
];
/** Where the SQL's comments say unnamed accounts go. */
const NEAREST: [string, Component][] = [
  ['70', 'production'],
  ['71', 'production'],
  ['60', 'consommations'],
  ['73', 'exploitation'],
  ['68', 'exploitation'],
  ['78', 'exploitation'],
  ['79', 'exploitation'],
];

export const componentOf = (account: string): Component | undefined =>
  longest(NAMED, account) ?? longest(NEAREST, account);

/** Cents from a numeric string, exactly (no float arithmetic on amounts). */
export function cents(text: string | null): bigint {
  if (text === null) return 0n;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(2, '0');
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) throw new Error(`more than 2 decimals: ${text}`);
  const v = BigInt(m[2]!) * 100n + BigInt(frac.slice(0, 2));
  return m[1] ? -v : v;
}
