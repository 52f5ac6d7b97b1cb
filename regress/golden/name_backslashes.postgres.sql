BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = E'win\\files' AND "item_kind" = 'file' AND (("item_key" = E'C:\\exports\\day 1\\it''s.csv' AND "item_size" = 42 AND "item_mtime" = '2026-11-01 00:00:00+00'));
CREATE TEMP TABLE "_sluice_stage" ("id" bigint, "path\to" text, "_sluice_seq" bigint) ON COMMIT DROP;
COPY "_sluice_stage" ("id", "path\to", "_sluice_seq") FROM STDIN WITH (FORMAT csv);
INSERT INTO "back\slash" ("id", "path\to") SELECT "id", "path\to" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_size", "item_mtime") VALUES (E'win\\files', 'b-000042', 'file', E'C:\\exports\\day 1\\it''s.csv', 42, '2026-11-01 00:00:00+00');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT E'win\\files', 'b-000042', 'files', 'csv', 1, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
COMMIT;
