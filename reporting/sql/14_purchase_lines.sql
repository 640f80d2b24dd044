-- view: reporting.purchase_lines
-- needs: pennylane.supplier_invoice_lines, pennylane.supplier_invoices, pennylane.suppliers
--
-- Purchases per line (achats par ligne de facture): every line of a supplier invoice that is not a
-- draft (accounting_status draft), with its invoice and supplier. Supplier invoice lines carry no
-- product or quantity in the API. Amounts are in euros: amount is the line's total with tax, tax its
-- VAT, amount_before_tax the difference, so an invoice's lines add up exactly to its amount and tax.
CREATE OR REPLACE VIEW reporting.purchase_lines AS
SELECT
  l.id AS line_id,
  i.id AS invoice_id,
  i.invoice_number,
  i.date,
  i.date - (extract(day FROM i.date)::integer - 1) AS month_start,
  i.supplier__id AS supplier_id,
  s.name AS supplier_name,
  l.label,
  l.vat_rate,
  l.amount - l.tax AS amount_before_tax,
  l.tax,
  l.amount
FROM pennylane.supplier_invoice_lines l
JOIN pennylane.supplier_invoices i ON i.id = l.supplier_invoice_id AND i._sdc_deleted_at IS NULL
LEFT JOIN pennylane.suppliers s ON s.id = i.supplier__id AND s._sdc_deleted_at IS NULL
WHERE l._sdc_deleted_at IS NULL
  AND i.accounting_status IS DISTINCT FROM 'draft';

COMMENT ON VIEW reporting.purchase_lines IS 'Purchases per invoice line (achats par ligne): lines of supplier invoices that are not drafts, with invoice and supplier.';
COMMENT ON COLUMN reporting.purchase_lines.line_id IS 'Pennylane id of the invoice line.';
COMMENT ON COLUMN reporting.purchase_lines.invoice_id IS 'Pennylane id of the supplier invoice.';
COMMENT ON COLUMN reporting.purchase_lines.invoice_number IS 'Invoice number (numéro de facture).';
COMMENT ON COLUMN reporting.purchase_lines.date IS 'Invoice date.';
COMMENT ON COLUMN reporting.purchase_lines.month_start IS 'First day of the invoice''s month.';
COMMENT ON COLUMN reporting.purchase_lines.supplier_id IS 'Pennylane id of the supplier.';
COMMENT ON COLUMN reporting.purchase_lines.supplier_name IS 'Supplier name.';
COMMENT ON COLUMN reporting.purchase_lines.label IS 'The line''s label.';
COMMENT ON COLUMN reporting.purchase_lines.vat_rate IS 'Pennylane VAT code, e.g. FR_200 for 20 %, exempt.';
COMMENT ON COLUMN reporting.purchase_lines.amount_before_tax IS 'Line amount before tax in euros (HT) = amount - tax.';
COMMENT ON COLUMN reporting.purchase_lines.tax IS 'Deductible VAT of the line in euros (TVA).';
COMMENT ON COLUMN reporting.purchase_lines.amount IS 'Line amount with tax in euros (TTC).';
