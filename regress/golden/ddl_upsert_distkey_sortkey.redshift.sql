CREATE SCHEMA IF NOT EXISTS "analytics";
CREATE TABLE "analytics"."events" ("id" BIGINT, "user_id" BIGINT, "event" VARCHAR(65535), "amount" NUMERIC(12,2), "payload" SUPER, "updated_at" TIMESTAMPTZ, PRIMARY KEY ("id")) DISTSTYLE KEY DISTKEY ("user_id") COMPOUND SORTKEY ("updated_at", "id");
