-- alone: sent by itself, outside a transaction block
REFRESH MATERIALIZED VIEW "marts"."daily_revenue";
