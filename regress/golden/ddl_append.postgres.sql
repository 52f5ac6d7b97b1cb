CREATE SCHEMA IF NOT EXISTS "analytics";
CREATE TABLE "analytics"."events" ("id" bigint, "user_id" bigint, "event" text, "amount" numeric(12,2), "payload" json, "updated_at" timestamptz);
