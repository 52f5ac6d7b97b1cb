BEGIN;
CREATE TEMP TABLE "stage_events" ("id" bigint, "user_id" bigint, "event" text, "amount" numeric(12,2), "payload" json, "updated_at" timestamptz, "_sluice_seq" bigint) ON COMMIT DROP;
COPY "stage_events" ("id", "user_id", "event", "amount", "payload", "updated_at", "_sluice_seq") FROM STDIN WITH (FORMAT csv);
INSERT INTO "analytics"."events" ("id", "user_id", "event", "amount", "payload", "updated_at") SELECT "id", "user_id", "event", "amount", "payload", "updated_at" FROM "stage_events";
INSERT INTO "sluice"."batch" ("pipeline", "batch_id", "source", "format", "items", "rows_loaded", "error_rows", "started_at") SELECT 'events', 'b-000042', 'http', 'json', 0, count(*), 0, CAST('2026-11-22 01:00:00+00' AS timestamptz) FROM "stage_events";
COMMIT;
