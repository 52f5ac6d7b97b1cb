BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'events' AND "item_kind" = 'file' AND (("item_key" = '/data/clicks/2026-11-01.csv.gz' AND "item_size" = 1048576 AND "item_mtime" = '2026-11-01 10:00:00+00') OR ("item_key" = '/data/clicks/2026-11-02.csv.gz' AND "item_size" = 2097152 AND "item_mtime" = '2026-11-02 10:00:00+00'));
CREATE TEMP TABLE "_sluice_stage" ("id" bigint, "user_id" bigint, "event" text, "amount" numeric(12,2), "payload" json, "updated_at" timestamptz, "_sluice_seq" bigint) ON COMMIT DROP;
COPY "_sluice_stage" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM STDIN WITH (FORMAT csv);
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", "payload", "updated_at" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key", "item_size", "item_mtime") VALUES ('events', 'b-000042', 'file', '/data/clicks/2026-11-01.csv.gz', 1048576, '2026-11-01 10:00:00+00'), ('events', 'b-000042', 'file', '/data/clicks/2026-11-02.csv.gz', 2097152, '2026-11-02 10:00:00+00');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 'sftp', 'csv', 2, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
COMMIT;
