BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'events' AND "item_kind" = 'file' AND (("item_key" = '/data/clicks/2026-11-01.csv.gz' AND "item_size" = 1048576 AND "item_mtime" = '2026-11-01 10:00:00+00') OR ("item_key" = '/data/clicks/2026-11-02.csv.gz' AND "item_size" = 2097152 AND "item_mtime" = '2026-11-02 10:00:00+00'));
CREATE TEMP TABLE "_sluice_stage" ("id" BIGINT, "user_id" BIGINT, "event" VARCHAR(65535), "amount" NUMERIC(12,2), "payload" VARCHAR(65535), "updated_at" TIMESTAMPTZ, "_sluice_seq" bigint);
COPY "_sluice_stage" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
CREATE TEMP TABLE "_sluice_dedup" AS SELECT "id", "user_id", "event", "amount", JSON_PARSE("payload") AS "payload", "updated_at" FROM (SELECT *, row_number() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST, "_sluice_seq" DESC) AS "_sluice_rn" FROM "_sluice_stage") AS "s" WHERE "_sluice_rn" = 1;
DELETE FROM "analytics"."events" USING "_sluice_dedup" WHERE "analytics"."events"."id" = "_sluice_dedup"."id" AND ("analytics"."events"."updated_at" IS NULL OR "analytics"."events"."updated_at" <= "_sluice_dedup"."updated_at");
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", "payload", "updated_at" FROM "_sluice_dedup" WHERE NOT EXISTS (SELECT 1 FROM "analytics"."events" WHERE "analytics"."events"."id" = "_sluice_dedup"."id");
DROP TABLE "_sluice_dedup";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_size", "item_mtime") VALUES ('events', 'b-000042', 'file', '/data/clicks/2026-11-01.csv.gz', 1048576, '2026-11-01 10:00:00+00'), ('events', 'b-000042', 'file', '/data/clicks/2026-11-02.csv.gz', 2097152, '2026-11-02 10:00:00+00');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 'sftp', 'csv', 2, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
DROP TABLE "_sluice_stage";
COMMIT;
