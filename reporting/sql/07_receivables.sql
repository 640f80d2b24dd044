-- view: reporting.receivables
-- needs: pennylane.customer_invoices, pennylane.customers
--
-- The aged balance of customers (balance âgée clients): every customer invoice that is not a draft
-- and still has something to collect (remaining_amount_with_tax ≠ 0, credit notes included).
-- days_overdue is counted from today (the database's current_date); an invoice due today or later,
-- or without a deadline, is non_echu (not yet due).
CREATE OR REPLACE VIEW reporting.receivables AS
SELECT
  i.id AS invoice_id,
  i.invoice_number,
  i.customer__id AS customer_id,
  c.name AS customer_name,
  i.date,
  i.deadline,
  i.amount,
  i.remaining_amount_with_tax AS remaining_amount,
  o.days_overdue,
  CASE
    WHEN o.days_overdue = 0 THEN 'non_echu'
    WHEN o.days_overdue <= 30 THEN '0-30'
    WHEN o.days_overdue <= 60 THEN '31-60'
    WHEN o.days_overdue <= 90 THEN '61-90'
    ELSE '90+'
  END AS aging_bucket
FROM pennylane.customer_invoices i
CROSS JOIN LATERAL (SELECT greatest(coalesce(current_date - i.deadline, 0), 0) AS days_overdue) o
LEFT JOIN pennylane.customers c ON c.id = i.customer__id AND c._sdc_deleted_at IS NULL
WHERE i._sdc_deleted_at IS NULL
  AND i.draft IS NOT TRUE
  AND i.remaining_amount_with_tax <> 0;

COMMENT ON VIEW reporting.receivables IS 'Aged balance of customers (balance âgée clients): customer invoices not in draft with a remaining amount to collect.';
COMMENT ON COLUMN reporting.receivables.invoice_id IS 'Pennylane id of the customer invoice.';
COMMENT ON COLUMN reporting.receivables.invoice_number IS 'Invoice number (numéro de facture).';
COMMENT ON COLUMN reporting.receivables.customer_id IS 'Pennylane id of the customer.';
COMMENT ON COLUMN reporting.receivables.customer_name IS 'Customer name.';
COMMENT ON COLUMN reporting.receivables.date IS 'Invoice date.';
COMMENT ON COLUMN reporting.receivables.deadline IS 'Due date (échéance).';
COMMENT ON COLUMN reporting.receivables.amount IS 'Invoice total including tax (TTC).';
COMMENT ON COLUMN reporting.receivables.remaining_amount IS 'Amount still to collect, tax included (reste à encaisser TTC); negative for a credit note not yet used.';
COMMENT ON COLUMN reporting.receivables.days_overdue IS 'Days past the due date: today - deadline, 0 when not yet due (or no deadline).';
COMMENT ON COLUMN reporting.receivables.aging_bucket IS 'Aging bucket: non_echu (not yet due), 0-30, 31-60, 61-90 or 90+ days overdue.';
