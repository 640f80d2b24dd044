-- view: reporting.ledger_lines
-- needs: pennylane.ledger_entry_lines, pennylane.ledger_entries, pennylane.journals, pennylane.fiscal_years, pennylane.ledger_accounts
--
-- The general ledger (grand livre): one row per live ledger entry line, with its fiscal year, journal,
-- account and PCG class. Every other accounting view reads this one.
CREATE OR REPLACE VIEW reporting.ledger_lines AS
SELECT
  l.id AS line_id,
  l.ledger_entry__id AS entry_id,
  l.date,
  fy.id AS fiscal_year_id,
  -- The month's first day (date arithmetic: date_trunc would go through timestamptz, slower).
  l.date - (extract(day FROM l.date)::integer - 1) AS month_start,
  l.journal__id AS journal_id,
  j.code AS journal_code,
  j.label AS journal_label,
  l.ledger_account__number AS account_number,
  a.account_label,
  left(l.ledger_account__number, 1) AS pcg_class,
  left(l.ledger_account__number, 2) AS pcg_2,
  left(l.ledger_account__number, 3) AS pcg_3,
  n.nature,
  l.label,
  e.piece_number,
  l.debit,
  l.credit,
  l.debit - l.credit AS balance,
  -- The seed project's rule: a balance-sheet account reads debit - credit, an income-statement
  -- account credit - debit (so income is positive and expenses negative).
  CASE WHEN n.nature = 'resultat' THEN l.credit - l.debit ELSE l.debit - l.credit END AS solde,
  l.categories
FROM pennylane.ledger_entry_lines l
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN left(l.ledger_account__number, 1) IN ('1', '2', '3', '4', '5') THEN 'bilan'
    WHEN left(l.ledger_account__number, 1) IN ('6', '7') THEN 'resultat'
    ELSE 'hors_bilan'
  END AS nature
) n
LEFT JOIN pennylane.ledger_entries e ON e.id = l.ledger_entry__id AND e._sdc_deleted_at IS NULL
LEFT JOIN pennylane.journals j ON j.id = l.journal__id AND j._sdc_deleted_at IS NULL
-- The label as in reporting.accounts (the oldest id of the number), looked up once per number: a join
-- on the accounts view would sort every line by account number first.
LEFT JOIN LATERAL (
  SELECT x.label AS account_label FROM pennylane.ledger_accounts x
  WHERE x.number = l.ledger_account__number AND x._sdc_deleted_at IS NULL
  ORDER BY x.id
  LIMIT 1
) a ON true
-- The fiscal year holding the date, looked up once per date.
LEFT JOIN LATERAL (
  SELECT y.id FROM pennylane.fiscal_years y
  WHERE y._sdc_deleted_at IS NULL AND l.date BETWEEN y.start AND y.finish
  ORDER BY y.start DESC
  LIMIT 1
) fy ON true
WHERE l._sdc_deleted_at IS NULL;

COMMENT ON VIEW reporting.ledger_lines IS 'General ledger (grand livre): one row per live ledger entry line (soft-deleted lines excluded), with fiscal year, journal, account and PCG class.';
COMMENT ON COLUMN reporting.ledger_lines.line_id IS 'Pennylane id of the ledger entry line (ligne d''écriture).';
COMMENT ON COLUMN reporting.ledger_lines.entry_id IS 'Pennylane id of the ledger entry (écriture) the line belongs to.';
COMMENT ON COLUMN reporting.ledger_lines.date IS 'Accounting date of the line (date d''écriture).';
COMMENT ON COLUMN reporting.ledger_lines.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice) whose start..finish holds the date; null outside every fiscal year.';
COMMENT ON COLUMN reporting.ledger_lines.month_start IS 'First day of the line''s month.';
COMMENT ON COLUMN reporting.ledger_lines.journal_id IS 'Pennylane id of the journal.';
COMMENT ON COLUMN reporting.ledger_lines.journal_code IS 'Journal code (code journal), e.g. VT, HA, BQ, OD.';
COMMENT ON COLUMN reporting.ledger_lines.journal_label IS 'Journal label (libellé du journal).';
COMMENT ON COLUMN reporting.ledger_lines.account_number IS 'Account number (numéro de compte), auxiliary accounts included (4110001).';
COMMENT ON COLUMN reporting.ledger_lines.account_label IS 'Account label (libellé du compte), as in reporting.accounts.';
COMMENT ON COLUMN reporting.ledger_lines.pcg_class IS 'PCG class (classe): first character of the account number.';
COMMENT ON COLUMN reporting.ledger_lines.pcg_2 IS 'First 2 characters of the account number.';
COMMENT ON COLUMN reporting.ledger_lines.pcg_3 IS 'First 3 characters of the account number.';
COMMENT ON COLUMN reporting.ledger_lines.nature IS 'bilan (classes 1-5), resultat (classes 6-7) or hors_bilan (other classes).';
COMMENT ON COLUMN reporting.ledger_lines.label IS 'Line label (libellé de la ligne).';
COMMENT ON COLUMN reporting.ledger_lines.piece_number IS 'Piece number of the entry (numéro de pièce).';
COMMENT ON COLUMN reporting.ledger_lines.debit IS 'Debit amount (débit), in euros.';
COMMENT ON COLUMN reporting.ledger_lines.credit IS 'Credit amount (crédit), in euros.';
COMMENT ON COLUMN reporting.ledger_lines.balance IS 'debit - credit.';
COMMENT ON COLUMN reporting.ledger_lines.solde IS 'Signed amount by nature (solde): debit - credit for bilan and hors_bilan, credit - debit for resultat (income positive, expenses negative).';
COMMENT ON COLUMN reporting.ledger_lines.categories IS 'Analytical categories of the line (catégories analytiques), jsonb as synced; one row each in analytic_lines.';
