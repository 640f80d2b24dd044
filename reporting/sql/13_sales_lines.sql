-- view: reporting.sales_lines
-- needs: pennylane.customer_invoice_lines, pennylane.customer_invoices, pennylane.customers, pennylane.products
--
-- Sales per line (ventes par ligne de facture): every line of a customer invoice that is not a draft,
-- credit notes included (their lines are negative), with its invoice, customer and product. Amounts are
-- in euros: amount is the line's total with tax, tax its VAT, amount_before_tax the difference, so the
-- lines of an invoice add up exactly to its amount, tax and amount - tax.
CREATE OR REPLACE VIEW reporting.sales_lines AS
SELECT
  l.id AS line_id,
  i.id AS invoice_id,
  i.invoice_number,
  i.date,
  i.date - (extract(day FROM i.date)::integer - 1) AS month_start,
  i.customer__id AS customer_id,
  c.name AS customer_name,
  l.product__id AS product_id,
  p.label AS product_label,
  l.label,
  l.quantity,
  l.vat_rate,
  l.amount - l.tax AS amount_before_tax,
  l.tax,
  l.amount
FROM pennylane.customer_invoice_lines l
JOIN pennylane.customer_invoices i ON i.id = l.customer_invoice_id AND i._sdc_deleted_at IS NULL
LEFT JOIN pennylane.customers c ON c.id = i.customer__id AND c._sdc_deleted_at IS NULL
LEFT JOIN pennylane.products p ON p.id = l.product__id AND p._sdc_deleted_at IS NULL
WHERE l._sdc_deleted_at IS NULL
  AND i.draft IS NOT TRUE;

COMMENT ON VIEW reporting.sales_lines IS 'Sales per invoice line (ventes par ligne): lines of customer invoices that are not drafts, with invoice, customer and product.';
COMMENT ON COLUMN reporting.sales_lines.line_id IS 'Pennylane id of the invoice line.';
COMMENT ON COLUMN reporting.sales_lines.invoice_id IS 'Pennylane id of the customer invoice.';
COMMENT ON COLUMN reporting.sales_lines.invoice_number IS 'Invoice number (numéro de facture).';
COMMENT ON COLUMN reporting.sales_lines.date IS 'Invoice date.';
COMMENT ON COLUMN reporting.sales_lines.month_start IS 'First day of the invoice''s month.';
COMMENT ON COLUMN reporting.sales_lines.customer_id IS 'Pennylane id of the customer.';
COMMENT ON COLUMN reporting.sales_lines.customer_name IS 'Customer name.';
COMMENT ON COLUMN reporting.sales_lines.product_id IS 'Pennylane id of the product sold (null for a free-text line).';
COMMENT ON COLUMN reporting.sales_lines.product_label IS 'Product label, as the product is now.';
COMMENT ON COLUMN reporting.sales_lines.label IS 'The line''s own label, as printed on the invoice.';
COMMENT ON COLUMN reporting.sales_lines.quantity IS 'Quantity.';
COMMENT ON COLUMN reporting.sales_lines.vat_rate IS 'Pennylane VAT code, e.g. FR_200 for 20 %, exempt.';
COMMENT ON COLUMN reporting.sales_lines.amount_before_tax IS 'Line amount before tax in euros (HT) = amount - tax.';
COMMENT ON COLUMN reporting.sales_lines.tax IS 'VAT of the line in euros (TVA).';
COMMENT ON COLUMN reporting.sales_lines.amount IS 'Line amount with tax in euros (TTC), discounts deducted.';
