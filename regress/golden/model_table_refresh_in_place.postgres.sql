BEGIN;
DELETE FROM "marts"."daily_revenue";
SELECT set_config('search_path', 'marts, public', true);
INSERT INTO "marts"."daily_revenue" SELECT CAST(updated_at AS date) AS day, user_id, count(*) AS n, sum(amount) AS revenue FROM analytics.events GROUP BY 1, 2;
SELECT set_config('search_path', 'analytics', true);
COMMIT;
