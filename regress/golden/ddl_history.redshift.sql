CREATE SCHEMA IF NOT EXISTS "analytics";
CREATE TABLE "analytics"."events" ("id" BIGINT, "user_id" BIGINT, "event" VARCHAR(65535), "amount" NUMERIC(12,2), "payload" SUPER, "updated_at" TIMESTAMPTZ, "valid_from" TIMESTAMPTZ NOT NULL, "valid_to" TIMESTAMPTZ, PRIMARY KEY ("id", "valid_from")) COMPOUND SORTKEY ("updated_at");
