CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER "sluice_producer" FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'producer.internal', port '5432', dbname 'warehouse');
CREATE USER MAPPING FOR PUBLIC SERVER "sluice_producer" OPTIONS (user 'sluice_fdw', password '********');
CREATE SCHEMA IF NOT EXISTS "marts";
IMPORT FOREIGN SCHEMA "marts" FROM SERVER "sluice_producer" INTO "marts";
