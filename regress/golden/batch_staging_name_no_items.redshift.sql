BEGIN;
CREATE TEMP TABLE "stage_events" ("id" BIGINT, "user_id" BIGINT, "event" VARCHAR(65535), "amount" NUMERIC(12,2), "payload" VARCHAR(65535), "updated_at" TIMESTAMPTZ, "_sluice_seq" bigint);
COPY "stage_events" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", JSON_PARSE("payload") AS "payload", "updated_at" FROM "stage_events";
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 'http', 'json', 0, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "stage_events";
DROP TABLE "stage_events";
COMMIT;
