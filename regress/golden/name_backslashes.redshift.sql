BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'win\\files' AND "item_kind" = 'file' AND (("item_key" = 'C:\\exports\\day 1\\it''s.csv' AND "item_size" = 42 AND "item_mtime" = '2026-11-01 00:00:00+00'));
CREATE TEMP TABLE "_sluice_stage" ("id" BIGINT, "path\to" VARCHAR(65535), "_sluice_seq" bigint);
COPY "_sluice_stage" ("id", "path\to", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
INSERT INTO "back\slash" ("id", "path\to") SELECT "id", "path\to" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_size", "item_mtime") VALUES ('win\\files', 'b-000042', 'file', 'C:\\exports\\day 1\\it''s.csv', 42, '2026-11-01 00:00:00+00');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'win\\files', 'b-000042', 'files', 'csv', 1, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
DROP TABLE "_sluice_stage";
COMMIT;
