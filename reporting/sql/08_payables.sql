-- view: reporting.payables
-- needs: pennylane.supplier_invoices, pennylane.suppliers
--
-- The aged balance of suppliers (balance âgée fournisseurs): every supplier invoice that is not a draft
-- and still has something to pay (remaining_amount_with_tax ≠ 0,
-- credit notes included); a draft is an invoice whose accounting_status is draft.
-- days_overdue is counted from today (the database's current_date); an invoice due today or later,
-- or without a deadline, is non_echu (not yet due).
CREATE OR REPLACE VIEW reporting.payables AS
SELECT
  i.id AS invoice_id,
  i.invoice_number,
  i.supplier__id AS supplier_id,
  s.name AS supplier_name,
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
FROM pennylane.supplier_invoices i
CROSS JOIN LATERAL (SELECT greatest(coalesce(current_date - i.deadline, 0), 0) AS days_overdue) o
LEFT JOIN pennylane.suppliers s ON s.id = i.supplier__id AND s._sdc_deleted_at IS NULL
WHERE i._sdc_deleted_at IS NULL
  AND i.accounting_status IS DISTINCT FROM 'draft'
  AND i.remaining_amount_with_tax <> 0;

COMMENT ON VIEW reporting.payables IS 'Aged balance of suppliers (balance âgée fournisseurs): supplier invoices not in draft with a remaining amount to pay.';
COMMENT ON COLUMN reporting.payables.invoice_id IS 'Pennylane id of the supplier invoice.';
COMMENT ON COLUMN reporting.payables.invoice_number IS 'Invoice number (numéro de facture).';
COMMENT ON COLUMN reporting.payables.supplier_id IS 'Pennylane id of the supplier.';
COMMENT ON COLUMN reporting.payables.supplier_name IS 'Supplier name.';
COMMENT ON COLUMN reporting.payables.date IS 'Invoice date.';
COMMENT ON COLUMN reporting.payables.deadline IS 'Due date (échéance).';
COMMENT ON COLUMN reporting.payables.amount IS 'Invoice total including tax (TTC).';
COMMENT ON COLUMN reporting.payables.remaining_amount IS 'Amount still to pay, tax included (reste à payer TTC); negative for a supplier credit note (avoir) not yet used.';
COMMENT ON COLUMN reporting.payables.days_overdue IS 'Days past the due date: today - deadline, 0 when not yet due (or no deadline).';
COMMENT ON COLUMN reporting.payables.aging_bucket IS 'Aging bucket: non_echu (not yet due), 0-30, 31-60, 61-90 or 90+ days overdue.';
