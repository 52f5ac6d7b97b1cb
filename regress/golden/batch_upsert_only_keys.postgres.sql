BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'tags' AND "item_kind" = 'cursor' AND (("item_key" = 'cursor=eyJwYWdlIjo0Mn0'));
CREATE TEMP TABLE "_sluice_stage" ("user_id" bigint, "tag" text, "_sluice_seq" bigint) ON COMMIT DROP;
COPY "_sluice_stage" ("user_id", "tag", "_sluice_seq") FROM STDIN WITH (FORMAT csv);
INSERT INTO "user_tags" AS "_sluice_target" ("user_id", "tag") SELECT DISTINCT ON ("user_id", "tag") "user_id", "tag" FROM "_sluice_stage" ORDER BY "user_id", "tag", "_sluice_seq" DESC ON CONFLICT ("user_id", "tag") DO NOTHING;
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key") VALUES ('tags', 'b-000042', 'cursor', 'cursor=eyJwYWdlIjo0Mn0');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'tags', 'b-000042', 'http', 'csv', 1, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
COMMIT;
