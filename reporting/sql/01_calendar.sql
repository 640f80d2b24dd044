-- view: reporting.calendar
-- needs: pennylane.fiscal_years
--
-- One row per day from the first fiscal year's start to the last one's finish: the date table Power BI
-- (or any BI tool) relates to ledger_lines.date, with the fiscal year that holds each day.
CREATE OR REPLACE VIEW reporting.calendar AS
WITH years AS (
  SELECT id, start, finish, status
  FROM pennylane.fiscal_years
  WHERE _sdc_deleted_at IS NULL AND start IS NOT NULL AND finish IS NOT NULL
),
days AS (
  SELECT d::date AS date
  FROM generate_series(
    (SELECT min(start) FROM years)::timestamp,
    (SELECT max(finish) FROM years)::timestamp,
    interval '1 day'
  ) AS d
)
SELECT
  days.date,
  extract(year FROM days.date)::integer AS year,
  extract(quarter FROM days.date)::integer AS quarter,
  extract(month FROM days.date)::integer AS month,
  date_trunc('month', days.date)::date AS month_start,
  to_char(days.date, 'YYYY-MM') AS month_label,
  (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
         'octobre', 'novembre', 'décembre'])[extract(month FROM days.date)::integer] AS month_name_fr,
  extract(week FROM days.date)::integer AS iso_week,
  extract(isodow FROM days.date)::integer AS day_of_week,
  fy.id AS fiscal_year_id,
  -- '2025' for a calendar-year exercice, '2024-2025' for one that straddles two years.
  CASE WHEN extract(year FROM fy.start) = extract(year FROM fy.finish)
       THEN to_char(fy.start, 'YYYY')
       ELSE to_char(fy.start, 'YYYY') || '-' || to_char(fy.finish, 'YYYY') END AS fiscal_year_label,
  fy.status AS fiscal_year_status
FROM days
-- A day between two fiscal years (a gap) keeps its row, with no fiscal year.
LEFT JOIN LATERAL (
  SELECT y.id, y.start, y.finish, y.status FROM years y
  WHERE days.date BETWEEN y.start AND y.finish
  ORDER BY y.start DESC
  LIMIT 1
) fy ON true;

COMMENT ON VIEW reporting.calendar IS 'Date table: one row per day from the first fiscal year''s start to the last one''s finish, with its fiscal year (exercice). Relate calendar.date to ledger_lines.date.';
COMMENT ON COLUMN reporting.calendar.date IS 'The day.';
COMMENT ON COLUMN reporting.calendar.year IS 'Calendar year.';
COMMENT ON COLUMN reporting.calendar.quarter IS 'Calendar quarter, 1 to 4.';
COMMENT ON COLUMN reporting.calendar.month IS 'Calendar month, 1 to 12.';
COMMENT ON COLUMN reporting.calendar.month_start IS 'First day of the month (the key of the monthly views).';
COMMENT ON COLUMN reporting.calendar.month_label IS 'Month as YYYY-MM, e.g. 2025-03 (sorts as text).';
COMMENT ON COLUMN reporting.calendar.month_name_fr IS 'Month name in French (mois), e.g. mars.';
COMMENT ON COLUMN reporting.calendar.iso_week IS 'ISO 8601 week number.';
COMMENT ON COLUMN reporting.calendar.day_of_week IS 'Day of the week, 1 = Monday to 7 = Sunday (ISO).';
COMMENT ON COLUMN reporting.calendar.fiscal_year_id IS 'Pennylane id of the fiscal year (exercice) whose start..finish holds the day; null in a gap between years.';
COMMENT ON COLUMN reporting.calendar.fiscal_year_label IS 'Fiscal year (exercice) label: 2025, or 2024-2025 when it straddles two calendar years.';
COMMENT ON COLUMN reporting.calendar.fiscal_year_status IS 'Status of the fiscal year in Pennylane: open or closed (clôturé).';
