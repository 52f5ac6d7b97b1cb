DROP MATERIALIZED VIEW IF EXISTS "marts"."daily_revenue";
DROP TABLE IF EXISTS "marts"."weekly_revenue";
