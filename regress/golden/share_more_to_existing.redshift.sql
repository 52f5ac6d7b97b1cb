ALTER DATASHARE "sluice_bi" ADD SCHEMA "finance";
ALTER DATASHARE "sluice_bi" ADD TABLE "finance"."invoices";
-- alone: sent by itself, outside a transaction block
CREATE EXTERNAL SCHEMA IF NOT EXISTS "finance" FROM REDSHIFT DATABASE 'sluice_bi_db' SCHEMA 'finance';
GRANT USAGE ON SCHEMA "finance" TO GROUP "bi_users";
