BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'events' AND "item_kind" = 'object' AND (("item_key" = 'logs/2026/11/01/part-0000.json.gz' AND "item_etag" = '9b2cf535f27731c974343645a3985328') OR ("item_key" = 'logs/2026/11/01/part-0001.json.gz' AND "item_etag" = 'e1b849f9631ffc1829b2e31402373e3c'));
CREATE TEMP TABLE "_sluice_stage" ("id" BIGINT, "user_id" BIGINT, "event" VARCHAR(65535), "amount" NUMERIC(12,2), "payload" VARCHAR(65535), "updated_at" TIMESTAMPTZ, "_sluice_seq" bigint);
COPY "_sluice_stage" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", JSON_PARSE("payload") AS "payload", "updated_at" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_etag") VALUES ('events', 'b-000042', 'object', 'logs/2026/11/01/part-0000.json.gz', '9b2cf535f27731c974343645a3985328'), ('events', 'b-000042', 'object', 'logs/2026/11/01/part-0001.json.gz', 'e1b849f9631ffc1829b2e31402373e3c');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 's3', 'json', 2, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
DROP TABLE "_sluice_stage";
COMMIT;
