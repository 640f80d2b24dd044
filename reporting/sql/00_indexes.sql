-- Indexes on the synced tables that the reporting views (and the queries users run on them) lean on.
-- Not a view: applied first, in the same transaction. Each index is created only when its table exists
-- (a stream that is not selected has no table), and IF NOT EXISTS makes a second run a no-op.
-- The target keeps indexes across syncs (it never drops a table), so this costs time once.
DO $$
BEGIN
  IF to_regclass('pennylane.ledger_entry_lines') IS NOT NULL THEN
    -- Lines by date (periods, months) and by account number (text_pattern_ops: prefix searches such
    -- as account_number LIKE '411%' use it too).
    CREATE INDEX IF NOT EXISTS ledger_entry_lines_date_reporting_idx
      ON pennylane.ledger_entry_lines (date);
    CREATE INDEX IF NOT EXISTS ledger_entry_lines_account_reporting_idx
      ON pennylane.ledger_entry_lines (ledger_account__number text_pattern_ops);
    CREATE INDEX IF NOT EXISTS ledger_entry_lines_entry_reporting_idx
      ON pennylane.ledger_entry_lines (ledger_entry__id);
  END IF;
  IF to_regclass('pennylane.ledger_accounts') IS NOT NULL THEN
    CREATE INDEX IF NOT EXISTS ledger_accounts_number_reporting_idx
      ON pennylane.ledger_accounts (number, id);
  END IF;
  IF to_regclass('pennylane.transactions') IS NOT NULL THEN
    CREATE INDEX IF NOT EXISTS transactions_bank_date_reporting_idx
      ON pennylane.transactions (bank_account__id, date);
  END IF;
  IF to_regclass('pennylane.customer_invoices') IS NOT NULL THEN
    CREATE INDEX IF NOT EXISTS customer_invoices_customer_reporting_idx
      ON pennylane.customer_invoices (customer__id);
  END IF;
  IF to_regclass('pennylane.supplier_invoices') IS NOT NULL THEN
    CREATE INDEX IF NOT EXISTS supplier_invoices_supplier_reporting_idx
      ON pennylane.supplier_invoices (supplier__id);
  END IF;
END
$$;
