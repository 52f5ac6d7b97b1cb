BEGIN;
-- guard: any row returned means ROLLBACK
SELECT "item_key" FROM "sluice"."ledger" WHERE "pipeline" = 'events' AND "item_kind" = 'cursor' AND (("item_key" = 'cursor=eyJwYWdlIjo0Mn0'));
CREATE TEMP TABLE "_sluice_stage" ("id" bigint, "user_id" bigint, "event" text, "amount" numeric(12,2), "payload" json, "updated_at" timestamptz, "_sluice_seq" bigint) ON COMMIT DROP;
COPY "_sluice_stage" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM STDIN WITH (FORMAT csv);
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", "payload", "updated_at" FROM "_sluice_stage";
INSERT INTO "sluice"."ledger" ("pipeline", "batch_id", "item_kind", "item_key") VALUES ('events', 'b-000042', 'cursor', 'cursor=eyJwYWdlIjo0Mn0');
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 'http', 'json', 1, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "_sluice_stage";
COMMIT;
