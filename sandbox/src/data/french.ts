/** Reference data for one plausible French small company and its partners. */
export const COMPANY = {
  name: 'Atelier Lumière SAS',
  regNo: '852147963',
  user: { firstName: 'Camille', lastName: 'Martin', email: 'camille.martin@atelier-lumiere.fr' },
};

export const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Emma',
  'Jade',
  'Louise',
  'Zoé',
  'Alice',
  'Lucas',
  'Hugo',
  'Louis',
  'Gabriel',
  'Arthur',
  'Jules',
  'Raphaël',
  'Théo',
  'Nathan',
  'Étienne',
  'Hélène',
  'François',
  'Amélie',
  'Noël',
  'Maëlys',
  'Benoît',
  'Cécile',
  'Jérôme',
  'Élodie',
  'Loïc',
];
export const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefèvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Morel',
  'Girard',
  'André',
  'Lefebvre',
  'Mercier',
  'Dupont',
  'Lambert',
  'Bonnet',
  'François',
  'Faure',
];
export const COMPANY_WORDS = [
  'Boulangerie',
  'Menuiserie',
  'Transports',
  'Cabinet',
  'Atelier',
  'Studio',
  'Garage',
  'Pharmacie',
  'Librairie',
  'Agence',
  'Brasserie',
  'Imprimerie',
  'Fromagerie',
  'Serrurerie',
  'Conseil',
  'Ébénisterie',
];
export const COMPANY_SUFFIXES = ['SAS', 'SARL', 'SA', 'EURL', 'SCOP', 'SASU'];
export const CITIES: readonly [city: string, postalCode: string][] = [
  ['Paris', '75011'],
  ['Lyon', '69003'],
  ['Marseille', '13006'],
  ['Toulouse', '31000'],
  ['Nice', '06000'],
  ['Nantes', '44000'],
  ['Strasbourg', '67000'],
  ['Montpellier', '34000'],
  ['Bordeaux', '33000'],
  ['Lille', '59000'],
  ['Rennes', '35000'],
  ['Reims', '51100'],
  ['Saint-Étienne', '42000'],
  ['Le Havre', '76600'],
  ['Grenoble', '38000'],
  ['Dijon', '21000'],
  ['Angers', '49000'],
  ['Besançon', '25000'],
];
export const STREETS = [
  'rue de la République',
  'avenue Jean Jaurès',
  'boulevard Victor Hugo',
  'rue des Écoles',
  'place de la Mairie',
  'rue Pasteur',
  'allée des Tilleuls',
  'chemin du Moulin',
  'rue du Général Leclerc',
  'quai de Saône',
];

/** Suppliers by trade: name, expense account, VAT rate in basis points. */
export const SUPPLIER_TRADES: readonly { name: string; account: string; vatBp: number }[] = [
  { name: 'Fournitures de bureau', account: '6064', vatBp: 2000 },
  { name: 'Énergie', account: '6061', vatBp: 2000 },
  { name: 'Location immobilière', account: '6132', vatBp: 2000 },
  { name: 'Maintenance', account: '6156', vatBp: 2000 },
  { name: 'Assurances', account: '616', vatBp: 0 },
  { name: 'Honoraires', account: '6226', vatBp: 2000 },
  { name: 'Publicité', account: '6231', vatBp: 2000 },
  { name: 'Déplacements', account: '6251', vatBp: 1000 },
  { name: 'Télécommunications', account: '626', vatBp: 2000 },
  { name: 'Marchandises', account: '607', vatBp: 2000 },
];

/** Products: label, unit, revenue account, VAT code and rate, price range in euros. */
export const PRODUCT_KINDS: readonly {
  label: string;
  unit: string;
  account: string;
  vatRate: string;
  vatBp: number;
  min: number;
  max: number;
}[] = [
  {
    label: 'Journée de conseil',
    unit: 'day',
    account: '706',
    vatRate: 'FR_200',
    vatBp: 2000,
    min: 450,
    max: 1200,
  },
  {
    label: 'Heure de formation',
    unit: 'hour',
    account: '706',
    vatRate: 'FR_200',
    vatBp: 2000,
    min: 60,
    max: 180,
  },
  {
    label: 'Luminaire sur mesure',
    unit: 'piece',
    account: '707',
    vatRate: 'FR_200',
    vatBp: 2000,
    min: 80,
    max: 900,
  },
  { label: 'Livre technique', unit: 'piece', account: '707', vatRate: 'FR_55', vatBp: 550, min: 15, max: 60 },
  {
    label: 'Installation électrique',
    unit: 'hour',
    account: '706',
    vatRate: 'FR_100',
    vatBp: 1000,
    min: 45,
    max: 95,
  },
  {
    label: 'Abonnement maintenance',
    unit: 'month',
    account: '706',
    vatRate: 'FR_200',
    vatBp: 2000,
    min: 30,
    max: 250,
  },
];

/** The general chart (PCG): number, label, Pennylane-like type, VAT rate code. */
export const GENERAL_ACCOUNTS: readonly [number: string, label: string, type: string, vatRate: string][] = [
  ['101', 'Capital', 'capital', 'any'],
  ['120', "Résultat de l'exercice (bénéfice)", 'capital', 'any'],
  ['401', 'Fournisseurs', 'supplier', 'any'],
  ['411', 'Clients', 'customer', 'any'],
  ['421', 'Personnel - rémunérations dues', 'payroll', 'any'],
  ['431', 'Sécurité sociale', 'payroll', 'any'],
  ['44566', 'TVA déductible sur autres biens et services', 'vat', 'FR_200'],
  ['44571', 'TVA collectée', 'vat', 'FR_200'],
  ['44551', 'TVA à décaisser', 'vat', 'any'],
  ['580', 'Virements internes', 'bank', 'any'],
  ['6061', 'Fournitures non stockables (eau, énergie)', 'expense', 'FR_200'],
  ['6064', 'Fournitures administratives', 'expense', 'FR_200'],
  ['607', 'Achats de marchandises', 'expense', 'FR_200'],
  ['6132', 'Locations immobilières', 'expense', 'FR_200'],
  ['6156', 'Maintenance', 'expense', 'FR_200'],
  ['616', "Primes d'assurances", 'expense', 'exempt'],
  ['6226', 'Honoraires', 'expense', 'FR_200'],
  ['6231', 'Annonces et insertions', 'expense', 'FR_200'],
  ['6251', 'Voyages et déplacements', 'expense', 'FR_100'],
  ['626', 'Frais postaux et de télécommunications', 'expense', 'FR_200'],
  ['627', 'Services bancaires et assimilés', 'expense', 'exempt'],
  ['6411', 'Salaires, appointements', 'expense', 'any'],
  ['6451', "Cotisations à l'URSSAF", 'expense', 'any'],
  ['706', 'Prestations de services', 'revenue', 'FR_200'],
  ['707', 'Ventes de marchandises', 'revenue', 'FR_200'],
  ['758', 'Produits divers de gestion courante', 'revenue', 'any'],
];

export const BANKS: readonly { name: string; establishment: number }[] = [
  { name: 'Compte courant Crédit Agricole', establishment: 30006 },
  { name: 'Compte Qonto', establishment: 16958 },
  { name: 'Livret BNP Paribas', establishment: 30004 },
  { name: 'Compte Shine', establishment: 16798 },
];

/** Analytical axis and its categories (for ledger entry line `categories` and the AGL export). */
export const CATEGORY_GROUP = 'Activité';
export const CATEGORIES: readonly [label: string, code: string][] = [
  ['Conseil', 'CONS'],
  ['Formation', 'FORM'],
  ['Fabrication', 'FAB'],
  ['Maintenance', 'MAINT'],
];
