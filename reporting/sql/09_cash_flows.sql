-- view: reporting.cash_flows
-- needs: pennylane.transactions, pennylane.bank_accounts
--
-- Cash per bank account and month (trésorerie), from the bank transactions: money in, money out, net.
CREATE OR REPLACE VIEW reporting.cash_flows AS
SELECT
  t.bank_account__id AS bank_account_id,
  b.name AS bank_account_name,
  date_trunc('month', t.date)::date AS month_start,
  coalesce(sum(t.amount) FILTER (WHERE t.amount > 0), 0) AS inflows,
  coalesce(-sum(t.amount) FILTER (WHERE t.amount < 0), 0) AS outflows,
  coalesce(sum(t.amount), 0) AS net,
  count(*) AS transactions
FROM pennylane.transactions t
LEFT JOIN pennylane.bank_accounts b ON b.id = t.bank_account__id AND b._sdc_deleted_at IS NULL
WHERE t._sdc_deleted_at IS NULL
GROUP BY t.bank_account__id, b.name, date_trunc('month', t.date)::date;

COMMENT ON VIEW reporting.cash_flows IS 'Cash flows (flux de trésorerie) per bank account and month, from bank transactions.';
COMMENT ON COLUMN reporting.cash_flows.bank_account_id IS 'Pennylane id of the bank account (compte bancaire).';
COMMENT ON COLUMN reporting.cash_flows.bank_account_name IS 'Bank account name.';
COMMENT ON COLUMN reporting.cash_flows.month_start IS 'First day of the month.';
COMMENT ON COLUMN reporting.cash_flows.inflows IS 'Σ of the positive amounts (encaissements).';
COMMENT ON COLUMN reporting.cash_flows.outflows IS 'Σ of the negative amounts, as a positive number (décaissements).';
COMMENT ON COLUMN reporting.cash_flows.net IS 'Σ amount: inflows - outflows (variation de trésorerie).';
COMMENT ON COLUMN reporting.cash_flows.transactions IS 'Number of transactions.';
