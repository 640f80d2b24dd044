-- view: reporting.income_statement
-- needs: reporting.ledger_lines, reporting.accounts
--
-- The income statement (compte de résultat) per fiscal year, month, section and account, over the
-- class 6 and 7 lines. amount = Σ(credit - debit): income positive, expenses negative, so the sum
-- over a fiscal year IS its net result (résultat de l'exercice).
-- Each account goes to the section of its LONGEST matching prefix (681 is dotations d'exploitation,
-- 686 charges financières, 687 charges exceptionnelles). A class 6-7 account that fits none (78 or
-- 79 outside 781/786/787/791/796/797) goes to non_classe: never dropped.
CREATE OR REPLACE VIEW reporting.income_statement AS
WITH sections (prefix, section_group, section_code, section_label_fr, section_order) AS (
  VALUES
    ('70',  'exploitation', 'ventes', 'Ventes de marchandises et production vendue', 10),
    ('71',  'exploitation', 'production_stockee_immobilisee', 'Production stockée et immobilisée', 20),
    ('72',  'exploitation', 'production_stockee_immobilisee', 'Production stockée et immobilisée', 20),
    ('74',  'exploitation', 'subventions_exploitation', 'Subventions d''exploitation', 30),
    ('781', 'exploitation', 'reprises_exploitation', 'Reprises sur amortissements, dépréciations et provisions, transferts de charges', 40),
    ('791', 'exploitation', 'reprises_exploitation', 'Reprises sur amortissements, dépréciations et provisions, transferts de charges', 40),
    ('73',  'exploitation', 'autres_produits', 'Autres produits', 50),
    ('75',  'exploitation', 'autres_produits', 'Autres produits', 50),
    ('60',  'exploitation', 'achats', 'Achats et variations de stocks', 60),
    ('61',  'exploitation', 'charges_externes', 'Autres achats et charges externes', 70),
    ('62',  'exploitation', 'charges_externes', 'Autres achats et charges externes', 70),
    ('63',  'exploitation', 'impots_taxes', 'Impôts, taxes et versements assimilés', 80),
    ('64',  'exploitation', 'charges_personnel', 'Charges de personnel', 90),
    ('68',  'exploitation', 'dotations_exploitation', 'Dotations aux amortissements, dépréciations et provisions', 100),
    ('65',  'exploitation', 'autres_charges', 'Autres charges', 110),
    ('76',  'financier', 'produits_financiers', 'Produits financiers', 120),
    ('786', 'financier', 'produits_financiers', 'Produits financiers', 120),
    ('796', 'financier', 'produits_financiers', 'Produits financiers', 120),
    ('66',  'financier', 'charges_financieres', 'Charges financières', 130),
    ('686', 'financier', 'charges_financieres', 'Charges financières', 130),
    ('77',  'exceptionnel', 'produits_exceptionnels', 'Produits exceptionnels', 140),
    ('787', 'exceptionnel', 'produits_exceptionnels', 'Produits exceptionnels', 140),
    ('797', 'exceptionnel', 'produits_exceptionnels', 'Produits exceptionnels', 140),
    ('67',  'exceptionnel', 'charges_exceptionnelles', 'Charges exceptionnelles', 150),
    ('687', 'exceptionnel', 'charges_exceptionnelles', 'Charges exceptionnelles', 150),
    ('69',  'impots', 'participation_impots', 'Participation des salariés et impôts sur les bénéfices', 160)
),
-- Classify per account and month rather than per line: a few hundred rows instead of every line.
per_account AS (
  SELECT fiscal_year_id, month_start, account_number, sum(credit - debit) AS amount
  FROM reporting.ledger_lines
  WHERE pcg_class IN ('6', '7')
  GROUP BY fiscal_year_id, month_start, account_number
)
SELECT
  p.fiscal_year_id,
  p.month_start,
  coalesce(s.section_group, 'exploitation') AS section_group,
  coalesce(s.section_code, 'non_classe') AS section_code,
  coalesce(s.section_label_fr, 'Non classé (compte de classe 6 ou 7 hors des sections)') AS section_label_fr,
  coalesce(s.section_order, 999) AS section_order,
  p.account_number,
  a.account_label,
  p.amount
FROM per_account p
LEFT JOIN reporting.accounts a ON a.account_number = p.account_number
LEFT JOIN LATERAL (
  SELECT * FROM sections
  WHERE p.account_number LIKE sections.prefix || '%'
  ORDER BY length(sections.prefix) DESC
  LIMIT 1
) s ON true;

COMMENT ON VIEW reporting.income_statement IS 'Income statement (compte de résultat) per fiscal year, month, section and account over class 6-7 lines; amount = credit - debit, so Σ amount over a fiscal year is its net result (résultat net).';
COMMENT ON COLUMN reporting.income_statement.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice).';
COMMENT ON COLUMN reporting.income_statement.month_start IS 'First day of the month.';
COMMENT ON COLUMN reporting.income_statement.section_group IS 'exploitation, financier, exceptionnel or impots (participation et impôts sur les bénéfices).';
COMMENT ON COLUMN reporting.income_statement.section_code IS 'Section of the compte de résultat (e.g. ventes, achats, charges_externes), by the account number''s longest matching prefix; non_classe when none matches.';
COMMENT ON COLUMN reporting.income_statement.section_label_fr IS 'Section label in French (intitulé du poste).';
COMMENT ON COLUMN reporting.income_statement.section_order IS 'Order of the section in the presentation (sort a P&L matrix by it).';
COMMENT ON COLUMN reporting.income_statement.account_number IS 'Account number (numéro de compte).';
COMMENT ON COLUMN reporting.income_statement.account_label IS 'Account label (libellé du compte).';
COMMENT ON COLUMN reporting.income_statement.amount IS 'Σ(credit - debit) of the month''s lines: income (produits) positive, expenses (charges) negative.';
