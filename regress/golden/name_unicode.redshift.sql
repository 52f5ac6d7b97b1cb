CREATE SCHEMA IF NOT EXISTS "données";
CREATE TABLE "données"."événements_café" ("id" BIGINT, "prénom_ü_日本" VARCHAR(65535));
BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'événements_café' AND "item_kind" = 'file' AND (("item_key" = '/data/clicks/2026-11-01.csv.gz' AND "item_size" = 1048576 AND "item_mtime" = '2026-11-01 10:00:00+00') OR ("item_key" = '/data/clicks/2026-11-02.csv.gz' AND "item_size" = 2097152 AND "item_mtime" = '2026-11-02 10:00:00+00'));
CREATE TEMP TABLE "_sluice_stage" ("id" BIGINT, "prénom_ü_日本" VARCHAR(65535), "_sluice_seq" bigint);
COPY "_sluice_stage" ("id", "prénom_ü_日本", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
INSERT INTO "données"."événements_café" ("id", "prénom_ü_日本") SELECT "id", "prénom_ü_日本" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_size", "item_mtime") VALUES ('événements_café', 'b-000042', 'file', '/data/clicks/2026-11-01.csv.gz', 1048576, '2026-11-01 10:00:00+00'), ('événements_café', 'b-000042', 'file', '/data/clicks/2026-11-02.csv.gz', 2097152, '2026-11-02 10:00:00+00');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'événements_café', 'b-000042', 'files', 'csv', 2, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
DROP TABLE "_sluice_stage";
COMMIT;
