REFRESH MATERIALIZED VIEW "marts"."daily_revenue";
