CREATE SCHEMA IF NOT EXISTS "sluice";
CREATE TABLE IF NOT EXISTS "sluice"."ledger" ("pipeline" text NOT NULL, "batch_id" text NOT NULL, "item_kind" text NOT NULL, "item_key" text NOT NULL, "item_size" bigint, "item_mtime" timestamptz, "item_etag" text, "loaded_at" timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS "sluice"."batch" ("pipeline" text NOT NULL, "batch_id" text NOT NULL, "source" text, "format" text, "items" integer, "rows_loaded" bigint, "error_rows" bigint, "started_at" timestamptz, "committed_at" timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS "sluice"."batch_error" ("pipeline" text NOT NULL, "batch_id" text NOT NULL, "item" text, "line" bigint, "column_name" text, "reason" text, "raw" text);
