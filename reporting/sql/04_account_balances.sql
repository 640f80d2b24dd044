-- view: reporting.account_balances
-- needs: reporting.ledger_lines, reporting.accounts
--
-- The trial balance (balance générale) per fiscal year and account number, over that year's lines.
-- Reconciles with Pennylane's own trial_balance stream once auxiliary accounts (4110001…) are rolled
-- up into their collective account (411), as that stream does.
CREATE OR REPLACE VIEW reporting.account_balances AS
-- Sum the narrow columns first (a few thousand groups, hashed in memory), then label them: grouping
-- every line by its label and class would sort the whole ledger.
WITH sums AS (
  SELECT fiscal_year_id, account_number, sum(debit) AS debit, sum(credit) AS credit
  FROM reporting.ledger_lines
  GROUP BY fiscal_year_id, account_number
)
SELECT
  s.fiscal_year_id,
  s.account_number,
  a.account_label,
  left(s.account_number, 1) AS pcg_class,
  left(s.account_number, 2) AS pcg_2,
  left(s.account_number, 3) AS pcg_3,
  n.nature,
  s.debit,
  s.credit,
  s.debit - s.credit AS balance,
  CASE WHEN n.nature = 'resultat' THEN s.credit - s.debit ELSE s.debit - s.credit END AS solde
FROM sums s
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN left(s.account_number, 1) IN ('1', '2', '3', '4', '5') THEN 'bilan'
    WHEN left(s.account_number, 1) IN ('6', '7') THEN 'resultat'
    ELSE 'hors_bilan'
  END AS nature
) n
LEFT JOIN reporting.accounts a ON a.account_number = s.account_number;

COMMENT ON VIEW reporting.account_balances IS 'Trial balance (balance générale): debits, credits and balance per fiscal year and account number.';
COMMENT ON COLUMN reporting.account_balances.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice).';
COMMENT ON COLUMN reporting.account_balances.account_number IS 'Account number (numéro de compte).';
COMMENT ON COLUMN reporting.account_balances.account_label IS 'Account label (libellé du compte).';
COMMENT ON COLUMN reporting.account_balances.pcg_class IS 'PCG class (classe).';
COMMENT ON COLUMN reporting.account_balances.pcg_2 IS 'First 2 characters of the account number.';
COMMENT ON COLUMN reporting.account_balances.pcg_3 IS 'First 3 characters of the account number.';
COMMENT ON COLUMN reporting.account_balances.nature IS 'bilan, resultat or hors_bilan.';
COMMENT ON COLUMN reporting.account_balances.debit IS 'Total debits of the year (total débit).';
COMMENT ON COLUMN reporting.account_balances.credit IS 'Total credits of the year (total crédit).';
COMMENT ON COLUMN reporting.account_balances.balance IS 'debit - credit.';
COMMENT ON COLUMN reporting.account_balances.solde IS 'Balance by nature (solde): debit - credit for bilan and hors_bilan, credit - debit for resultat.';
