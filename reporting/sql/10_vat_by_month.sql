-- view: reporting.vat_by_month
-- needs: reporting.ledger_lines
--
-- VAT per month (TVA) from the ledger: collected on 4457x (TVA collectée), deductible on 4456x
-- (TVA déductible), and what is due for the month. A month with no VAT line has no row.
CREATE OR REPLACE VIEW reporting.vat_by_month AS
SELECT
  month_start,
  coalesce(sum(credit - debit) FILTER (WHERE account_number LIKE '4457%'), 0) AS vat_collected,
  coalesce(sum(debit - credit) FILTER (WHERE account_number LIKE '4456%'), 0) AS vat_deductible,
  coalesce(sum(credit - debit) FILTER (WHERE account_number LIKE '4457%'), 0)
    - coalesce(sum(debit - credit) FILTER (WHERE account_number LIKE '4456%'), 0) AS vat_due
FROM reporting.ledger_lines
WHERE account_number LIKE '4457%' OR account_number LIKE '4456%'
GROUP BY month_start;

COMMENT ON VIEW reporting.vat_by_month IS 'VAT per month (TVA) from the ledger lines on 4457x (collectée) and 4456x (déductible).';
COMMENT ON COLUMN reporting.vat_by_month.month_start IS 'First day of the month.';
COMMENT ON COLUMN reporting.vat_by_month.vat_collected IS 'VAT collected (TVA collectée): Σ(credit - debit) on accounts 4457x.';
COMMENT ON COLUMN reporting.vat_by_month.vat_deductible IS 'Deductible VAT (TVA déductible): Σ(debit - credit) on accounts 4456x.';
COMMENT ON COLUMN reporting.vat_by_month.vat_due IS 'VAT due for the month (TVA due): vat_collected - vat_deductible; negative is a VAT credit (crédit de TVA).';
