ALTER TABLE "analytics"."events" ADD COLUMN "channel" VARCHAR(64);
ALTER TABLE "analytics"."events" ADD COLUMN "referrer" VARCHAR(65535);
ALTER TABLE "analytics"."events" ADD COLUMN "meta" SUPER;
