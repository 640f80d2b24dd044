-- view: reporting.analytic_lines
-- needs: reporting.ledger_lines
--
-- Analytical accounting (comptabilité analytique): one row per ledger line and analytical category
-- found in its categories (jsonb), the line's credit - debit spread by the category's weight.
-- A line without a category has no row.
CREATE OR REPLACE VIEW reporting.analytic_lines AS
SELECT
  l.line_id,
  l.date,
  l.fiscal_year_id,
  l.account_number,
  l.pcg_class,
  (c.value ->> 'id')::bigint AS category_id,
  c.value ->> 'label' AS category_label,
  (c.value -> 'category_group' ->> 'id')::bigint AS category_group_id,
  c.value ->> 'analytical_code' AS analytical_code,
  (c.value ->> 'weight')::numeric AS weight,
  (l.credit - l.debit) * (c.value ->> 'weight')::numeric AS amount
FROM reporting.ledger_lines l
CROSS JOIN LATERAL jsonb_array_elements(
  CASE WHEN jsonb_typeof(l.categories) = 'array' THEN l.categories ELSE '[]'::jsonb END
) c;

COMMENT ON VIEW reporting.analytic_lines IS 'Analytical lines (comptabilité analytique): one row per ledger line and analytical category, amount weighted.';
COMMENT ON COLUMN reporting.analytic_lines.line_id IS 'Pennylane id of the ledger entry line.';
COMMENT ON COLUMN reporting.analytic_lines.date IS 'Accounting date of the line.';
COMMENT ON COLUMN reporting.analytic_lines.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice).';
COMMENT ON COLUMN reporting.analytic_lines.account_number IS 'Account number (numéro de compte).';
COMMENT ON COLUMN reporting.analytic_lines.pcg_class IS 'PCG class (classe) of the account.';
COMMENT ON COLUMN reporting.analytic_lines.category_id IS 'Pennylane id of the analytical category (catégorie analytique).';
COMMENT ON COLUMN reporting.analytic_lines.category_label IS 'Category label.';
COMMENT ON COLUMN reporting.analytic_lines.category_group_id IS 'Pennylane id of the category group (axe analytique).';
COMMENT ON COLUMN reporting.analytic_lines.analytical_code IS 'Analytical code (code analytique).';
COMMENT ON COLUMN reporting.analytic_lines.weight IS 'Weight of the category on the line (pondération), as the API gives it, e.g. 1.0 or 0.5.';
COMMENT ON COLUMN reporting.analytic_lines.amount IS '(credit - debit) × weight, exact (not rounded).';
