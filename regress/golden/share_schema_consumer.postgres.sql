CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER "sluice_producer" FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'producer.internal', port '5432', dbname 'warehouse');
CREATE USER MAPPING FOR PUBLIC SERVER "sluice_producer" OPTIONS (user 'sluice_fdw', password E's3cr3t''pa\\ss');
CREATE SCHEMA IF NOT EXISTS "marts";
IMPORT FOREIGN SCHEMA "marts" FROM SERVER "sluice_producer" INTO "marts";
GRANT USAGE ON SCHEMA "marts" TO "bi_users";
GRANT SELECT ON ALL TABLES IN SCHEMA "marts" TO "bi_users";
