-- view: reporting.sig
-- needs: reporting.ledger_lines
--
-- Intermediate management balances (soldes intermédiaires de gestion, SIG) per fiscal year and month,
-- one row per line of the official presentation, each built from the class 6-7 lines as Σ(credit - debit)
-- (charges therefore negative):
--   1 marge_commerciale              = 707, 7097 + 607, 6087, 6097, 6037
--   2 production_exercice            = 701-706, 708, 709 (not 7097) + 713 + 72
--   3 consommations_tiers            = 601, 602, 6031, 6032, 604, 605, 606, 6081, 6082, 6091, 6092, 61, 62
--   4 valeur_ajoutee                 = 1 + 2 + 3
--   5 ebe                            = 4 + 74 + 63 + 64
--   6 resultat_exploitation          = 5 + 75, 781, 791 + 65, 681
--   7 resultat_courant_avant_impots  = 6 + 76, 786, 796 + 66, 686
--   8 resultat_exceptionnel          = 77, 787, 797 + 67, 687
--   9 resultat_net                   = 7 + 8 + 69
-- Accounts the definitions do not name go to the nearest line by the PCG's own classification, so
-- nothing is dropped and resultat_net = Σ income_statement.amount for every fiscal year:
--   70 other than 707/7097 (e.g. 700, 7091) -> production (production vendue);
--   71 other than 713 -> production (production stockée);
--   60 other than the named ones (603, 6033, 6083, 6094…) -> consommations (achats et variations);
--   73 -> résultat d'exploitation (produits d'exploitation, with 75 as in the compte de résultat);
--   68 other than 681/686/687 -> résultat d'exploitation (dotations d'exploitation);
--   78 other than 781/786/787 and 79 other than 791/796/797 -> résultat d'exploitation (reprises and
--   transferts de charges d'exploitation, the PCG's default for class 78/79).
-- The mapping is by longest matching prefix, as in income_statement.
CREATE OR REPLACE VIEW reporting.sig AS
WITH components (prefix, component) AS (
  VALUES
    ('707', 'marge'), ('7097', 'marge'), ('607', 'marge'), ('6087', 'marge'), ('6097', 'marge'), ('6037', 'marge'),
    ('70', 'production'), ('71', 'production'), ('72', 'production'),
    ('60', 'consommations'), ('61', 'consommations'), ('62', 'consommations'),
    ('74', 'ebe'), ('63', 'ebe'), ('64', 'ebe'),
    ('73', 'exploitation'), ('75', 'exploitation'), ('65', 'exploitation'), ('68', 'exploitation'),
    ('78', 'exploitation'), ('79', 'exploitation'),
    ('76', 'financier'), ('786', 'financier'), ('796', 'financier'), ('66', 'financier'), ('686', 'financier'),
    ('77', 'exceptionnel'), ('787', 'exceptionnel'), ('797', 'exceptionnel'), ('67', 'exceptionnel'), ('687', 'exceptionnel'),
    ('69', 'impots')
),
per_account AS (
  SELECT fiscal_year_id, month_start, account_number, sum(credit - debit) AS amount
  FROM reporting.ledger_lines
  WHERE pcg_class IN ('6', '7')
  GROUP BY fiscal_year_id, month_start, account_number
),
month_totals AS (
  SELECT
    p.fiscal_year_id,
    p.month_start,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'marge'), 0) AS marge,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'production'), 0) AS production,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'consommations'), 0) AS consommations,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'ebe'), 0) AS ebe_items,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'exploitation'), 0) AS exploitation_items,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'financier'), 0) AS financier_items,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'exceptionnel'), 0) AS exceptionnel,
    coalesce(sum(p.amount) FILTER (WHERE c.component = 'impots'), 0) AS impots
  FROM per_account p
  LEFT JOIN LATERAL (
    SELECT components.component FROM components
    WHERE p.account_number LIKE components.prefix || '%'
    ORDER BY length(components.prefix) DESC
    LIMIT 1
  ) c ON true
  GROUP BY p.fiscal_year_id, p.month_start
),
running AS (
  SELECT
    m.*,
    m.marge + m.production + m.consommations AS valeur_ajoutee,
    m.marge + m.production + m.consommations + m.ebe_items AS ebe,
    m.marge + m.production + m.consommations + m.ebe_items + m.exploitation_items AS resultat_exploitation,
    m.marge + m.production + m.consommations + m.ebe_items + m.exploitation_items + m.financier_items AS rcai
  FROM month_totals m
)
SELECT
  r.fiscal_year_id,
  r.month_start,
  s.line_order,
  s.line_code,
  s.line_label_fr,
  s.amount
FROM running r
CROSS JOIN LATERAL (
  VALUES
    (1, 'marge_commerciale', 'Marge commerciale', r.marge),
    (2, 'production_exercice', 'Production de l''exercice', r.production),
    (3, 'consommations_tiers', 'Consommations de l''exercice en provenance des tiers', r.consommations),
    (4, 'valeur_ajoutee', 'Valeur ajoutée', r.valeur_ajoutee),
    (5, 'ebe', 'Excédent brut d''exploitation (EBE)', r.ebe),
    (6, 'resultat_exploitation', 'Résultat d''exploitation', r.resultat_exploitation),
    (7, 'resultat_courant_avant_impots', 'Résultat courant avant impôts', r.rcai),
    (8, 'resultat_exceptionnel', 'Résultat exceptionnel', r.exceptionnel),
    (9, 'resultat_net', 'Résultat de l''exercice', r.rcai + r.exceptionnel + r.impots)
) AS s (line_order, line_code, line_label_fr, amount);

COMMENT ON VIEW reporting.sig IS 'Intermediate management balances (soldes intermédiaires de gestion, SIG) per fiscal year and month, one row per line in the order of the official presentation; Σ resultat_net over a fiscal year = Σ income_statement.amount.';
COMMENT ON COLUMN reporting.sig.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice).';
COMMENT ON COLUMN reporting.sig.month_start IS 'First day of the month.';
COMMENT ON COLUMN reporting.sig.line_order IS 'Order of the line in the SIG presentation, 1 to 9.';
COMMENT ON COLUMN reporting.sig.line_code IS 'marge_commerciale, production_exercice, consommations_tiers, valeur_ajoutee, ebe, resultat_exploitation, resultat_courant_avant_impots, resultat_exceptionnel or resultat_net.';
COMMENT ON COLUMN reporting.sig.line_label_fr IS 'Line label in French (intitulé du solde).';
COMMENT ON COLUMN reporting.sig.amount IS 'Amount of the line for the month, Σ(credit - debit): a balance (solde) is the running construction of the lines before it.';
