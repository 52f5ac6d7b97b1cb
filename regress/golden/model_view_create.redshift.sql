CREATE SCHEMA IF NOT EXISTS "marts";
CREATE MATERIALIZED VIEW "marts"."daily_revenue" DISTSTYLE KEY DISTKEY ("user_id") SORTKEY ("day") AUTO REFRESH NO AS SELECT CAST(updated_at AS date) AS day, user_id, count(*) AS n, sum(amount) AS revenue FROM analytics.events GROUP BY 1, 2;
