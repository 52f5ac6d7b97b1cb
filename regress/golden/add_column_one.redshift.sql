ALTER TABLE "analytics"."events" ADD COLUMN "score" DOUBLE PRECISION;
