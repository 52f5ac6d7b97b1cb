-- alone: sent by itself, outside a transaction block
CREATE DATABASE "sluice_bi_db" FROM DATASHARE "sluice_bi" OF NAMESPACE '13b8833d-17c6-4f16-8fe4-1a018f5ed00d';
-- alone: sent by itself, outside a transaction block
CREATE EXTERNAL SCHEMA IF NOT EXISTS "marts" FROM REDSHIFT DATABASE 'sluice_bi_db' SCHEMA 'marts';
