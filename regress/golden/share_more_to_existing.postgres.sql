GRANT USAGE ON SCHEMA "finance" TO "sluice_fdw";
GRANT SELECT ON "finance"."invoices" TO "sluice_fdw";
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SCHEMA IF NOT EXISTS "finance";
IMPORT FOREIGN SCHEMA "finance" LIMIT TO ("invoices") FROM SERVER "sluice_producer" INTO "finance";
GRANT USAGE ON SCHEMA "finance" TO "bi_users";
GRANT SELECT ON "finance"."invoices" TO "bi_users";
