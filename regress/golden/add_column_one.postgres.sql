ALTER TABLE "analytics"."events" ADD COLUMN "score" double precision;
