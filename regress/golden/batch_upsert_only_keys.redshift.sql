BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'tags' AND "item_kind" = 'cursor' AND (("item_key" = 'cursor=eyJwYWdlIjo0Mn0'));
CREATE TEMP TABLE "_sluice_stage" ("user_id" BIGINT, "tag" VARCHAR(65535), "_sluice_seq" bigint);
COPY "_sluice_stage" ("user_id", "tag", "_sluice_seq") FROM 's3://acme-staging/sluice/staging/events/b-000042/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' MANIFEST FORMAT AS CSV GZIP DATEFORMAT 'auto' TIMEFORMAT 'auto' NULL AS '\\N' COMPUPDATE OFF STATUPDATE OFF;
CREATE TEMP TABLE "_sluice_dedup" AS SELECT "user_id", "tag" FROM (SELECT *, row_number() OVER (PARTITION BY "user_id", "tag" ORDER BY "_sluice_seq" DESC) AS "_sluice_rn" FROM "_sluice_stage") AS "s" WHERE "_sluice_rn" = 1;
DELETE FROM "user_tags" USING "_sluice_dedup" WHERE "user_tags"."user_id" = "_sluice_dedup"."user_id" AND "user_tags"."tag" = "_sluice_dedup"."tag";
INSERT INTO "user_tags" ("user_id", "tag") SELECT "user_id", "tag" FROM "_sluice_dedup" WHERE NOT EXISTS (SELECT 1 FROM "user_tags" WHERE "user_tags"."user_id" = "_sluice_dedup"."user_id" AND "user_tags"."tag" = "_sluice_dedup"."tag");
DROP TABLE "_sluice_dedup";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key") VALUES ('tags', 'b-000042', 'cursor', 'cursor=eyJwYWdlIjo0Mn0');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'tags', 'b-000042', 'http', 'csv', 1, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
DROP TABLE "_sluice_stage";
COMMIT;
