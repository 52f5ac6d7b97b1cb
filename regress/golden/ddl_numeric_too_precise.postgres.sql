CREATE TABLE "big_numbers" ("id" bigint, "big" numeric(40,2));
