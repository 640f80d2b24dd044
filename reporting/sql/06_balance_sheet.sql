-- view: reporting.balance_sheet
-- needs: reporting.account_balances
--
-- The balance sheet (bilan) per fiscal year, side, section and account, over that year's lines (which
-- in Pennylane include the opening entries, à-nouveaux, once the previous year is closed).
-- Rules: classes 2 and 3 are actif at debit - credit (amortissements 28x and dépréciations 29x/39x
-- reduce it); class 1 is passif at credit - debit; in classes 4 and 5 EACH account number goes to actif
-- when its balance for the year is a debit and to passif when it is a credit. One passif row,
-- resultat_exercice, carries the year's net result from classes 6-7. So Σ actif = Σ passif whenever
-- the year's entries balance.
CREATE OR REPLACE VIEW reporting.balance_sheet AS
-- Read once, used twice (the accounts and the result row).
WITH balances AS MATERIALIZED (
  SELECT fiscal_year_id, account_number, account_label, pcg_class, pcg_2, debit, credit, balance
  FROM reporting.account_balances
),
placed AS (
  SELECT
    b.fiscal_year_id,
    b.account_number,
    b.account_label,
    b.pcg_class,
    b.pcg_2,
    b.balance,
    CASE
      WHEN b.pcg_class IN ('2', '3') THEN 'actif'
      WHEN b.pcg_class = '1' THEN 'passif'
      WHEN b.balance >= 0 THEN 'actif'
      ELSE 'passif'
    END AS side
  FROM balances b
  WHERE b.pcg_class IN ('1', '2', '3', '4', '5')
),
sectioned AS (
  SELECT
    p.*,
    CASE
      WHEN p.pcg_class = '2' THEN 'immobilisations'
      WHEN p.pcg_class = '3' THEN 'stocks'
      WHEN p.side = 'actif' AND p.pcg_2 = '41' THEN 'creances_clients'
      WHEN p.side = 'actif' AND p.pcg_class = '4' THEN 'autres_creances'
      WHEN p.side = 'actif' AND p.pcg_class = '5' THEN 'disponibilites'
      WHEN p.pcg_2 IN ('10', '11', '12', '13', '14') THEN 'capitaux_propres'
      WHEN p.pcg_2 = '15' THEN 'provisions'
      WHEN p.pcg_2 IN ('16', '17') OR p.pcg_class = '5' THEN 'dettes_financieres'
      WHEN p.pcg_2 = '40' THEN 'dettes_fournisseurs'
      WHEN p.pcg_2 IN ('42', '43', '44') THEN 'dettes_fiscales_sociales'
      ELSE 'autres_dettes' -- other class 4 with a credit balance, and 18, 19
    END AS section_code
  FROM placed p
),
labelled (section_code, section_label_fr, section_order) AS (
  VALUES
    ('immobilisations', 'Immobilisations (nettes des amortissements et dépréciations)', 10),
    ('stocks', 'Stocks et en-cours', 20),
    ('creances_clients', 'Créances clients et comptes rattachés', 30),
    ('autres_creances', 'Autres créances', 40),
    ('disponibilites', 'Disponibilités', 50),
    ('capitaux_propres', 'Capitaux propres', 110),
    ('resultat_exercice', 'Résultat de l''exercice', 120),
    ('provisions', 'Provisions pour risques et charges', 130),
    ('dettes_financieres', 'Emprunts et dettes financières', 140),
    ('dettes_fournisseurs', 'Dettes fournisseurs et comptes rattachés', 150),
    ('dettes_fiscales_sociales', 'Dettes fiscales et sociales', 160),
    ('autres_dettes', 'Autres dettes', 170)
)
SELECT
  s.fiscal_year_id,
  s.side,
  s.section_code,
  l.section_label_fr,
  l.section_order,
  s.account_number,
  s.account_label,
  CASE WHEN s.side = 'actif' THEN s.balance ELSE -s.balance END AS amount
FROM sectioned s
JOIN labelled l USING (section_code)
UNION ALL
SELECT
  b.fiscal_year_id,
  'passif',
  'resultat_exercice',
  l.section_label_fr,
  l.section_order,
  NULL,
  NULL,
  coalesce(sum(b.credit - b.debit) FILTER (WHERE b.pcg_class IN ('6', '7')), 0)
FROM balances b
JOIN labelled l ON l.section_code = 'resultat_exercice'
GROUP BY b.fiscal_year_id, l.section_label_fr, l.section_order;

COMMENT ON VIEW reporting.balance_sheet IS 'Balance sheet (bilan) per fiscal year, side, section and account; Σ amount on the actif side equals Σ amount on the passif side for every fiscal year.';
COMMENT ON COLUMN reporting.balance_sheet.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice).';
COMMENT ON COLUMN reporting.balance_sheet.side IS 'actif (assets) or passif (equity and liabilities).';
COMMENT ON COLUMN reporting.balance_sheet.section_code IS 'Section (poste): immobilisations, stocks, creances_clients, autres_creances, disponibilites; capitaux_propres, resultat_exercice, provisions, dettes_financieres, dettes_fournisseurs, dettes_fiscales_sociales, autres_dettes.';
COMMENT ON COLUMN reporting.balance_sheet.section_label_fr IS 'Section label in French (intitulé du poste).';
COMMENT ON COLUMN reporting.balance_sheet.section_order IS 'Order of the section in the presentation.';
COMMENT ON COLUMN reporting.balance_sheet.account_number IS 'Account number (numéro de compte); null on the resultat_exercice row.';
COMMENT ON COLUMN reporting.balance_sheet.account_label IS 'Account label (libellé du compte); null on the resultat_exercice row.';
COMMENT ON COLUMN reporting.balance_sheet.amount IS 'Amount, positive on its normal side: debit - credit on actif, credit - debit on passif (depreciation accounts 28x/29x/39x are negative on actif).';
