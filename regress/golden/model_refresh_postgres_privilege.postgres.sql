BEGIN;
DROP TABLE IF EXISTS "marts"."daily_revenue__new";
CREATE TABLE "marts"."daily_revenue__new" AS SELECT CAST(updated_at AS date) AS day, user_id, count(*) AS n, sum(amount) AS revenue FROM analytics.events GROUP BY 1, 2;
ALTER TABLE "marts"."daily_revenue" RENAME TO "daily_revenue__old";
ALTER TABLE "marts"."daily_revenue__new" RENAME TO "daily_revenue";
DROP TABLE "marts"."daily_revenue__old";
GRANT SELECT, TRIGGER ON "marts"."daily_revenue" TO "etl";
COMMIT;
