ALTER TABLE "analytics"."events" ADD COLUMN "channel" varchar(16), ADD COLUMN "referrer" text, ADD COLUMN "meta" jsonb;
