CREATE TABLE "marts"."daily_revenue" AS SELECT CAST(updated_at AS date) AS day, user_id, count(*) AS n, sum(amount) AS revenue FROM analytics.events GROUP BY 1, 2;
