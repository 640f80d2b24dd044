-- view: reporting.accounts
-- needs: pennylane.ledger_accounts
--
-- The chart of accounts (plan comptable), one row per account number. Pennylane can hold one number
-- under several ids (one per VAT rate): the oldest id gives the label.
CREATE OR REPLACE VIEW reporting.accounts AS
SELECT DISTINCT ON (a.number)
  a.number AS account_number,
  a.label AS account_label,
  left(a.number, 1) AS pcg_class,
  left(a.number, 2) AS pcg_2,
  left(a.number, 3) AS pcg_3,
  CASE
    WHEN left(a.number, 1) IN ('1', '2', '3', '4', '5') THEN 'bilan'
    WHEN left(a.number, 1) IN ('6', '7') THEN 'resultat'
    ELSE 'hors_bilan'
  END AS nature
FROM pennylane.ledger_accounts a
WHERE a._sdc_deleted_at IS NULL AND a.number IS NOT NULL
ORDER BY a.number, a.id;

COMMENT ON VIEW reporting.accounts IS 'Chart of accounts (plan comptable général, PCG): one row per account number. Relate accounts.account_number to ledger_lines.account_number.';
COMMENT ON COLUMN reporting.accounts.account_number IS 'Account number (numéro de compte), e.g. 411 or 4110001 for an auxiliary (compte auxiliaire).';
COMMENT ON COLUMN reporting.accounts.account_label IS 'Account label (libellé du compte), from the oldest Pennylane account with this number.';
COMMENT ON COLUMN reporting.accounts.pcg_class IS 'PCG class (classe): first character of the number, 1 to 7 (8 and 9 are off balance sheet).';
COMMENT ON COLUMN reporting.accounts.pcg_2 IS 'First 2 characters of the number (PCG chapter, e.g. 60 achats).';
COMMENT ON COLUMN reporting.accounts.pcg_3 IS 'First 3 characters of the number (PCG account, e.g. 607 achats de marchandises).';
COMMENT ON COLUMN reporting.accounts.nature IS 'bilan (balance sheet, classes 1-5), resultat (income statement, classes 6-7) or hors_bilan (other classes).';
