ALTER DATASHARE "sluice_bi" REMOVE ALL TABLES IN SCHEMA "marts";
ALTER DATASHARE "sluice_bi" REMOVE SCHEMA "marts";
-- alone: sent by itself, outside a transaction block
DROP SCHEMA IF EXISTS "marts";
