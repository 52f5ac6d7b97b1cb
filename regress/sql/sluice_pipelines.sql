-- Pipelines: CREATE, ALTER and DROP PIPELINE write the catalog (and create the target
-- table from a column list) on the client's own session, so they follow its transaction.
-- Running pipelines is the engine's; here they are defined, checked, shown and removed.
\connect postgres
CREATE CONNECTION pl_lake TYPE s3 WITH (bucket = 'acme-raw');
CREATE CONNECTION pl_web TYPE http WITH (url = 'https://api.example.com');
CREATE CONNECTION pl_crm TYPE redshift WITH (host = 'rs.internal', dbname = 'dev');
-- a column list: the target table is created at once, with the key of an upsert
CREATE PIPELINE pl_events FROM S3 'logs/2026/' CONNECTION pl_lake FORMAT JSON
    INTO pl.events (id bigint, user_id bigint, event text, amount numeric(12,2), updated_at timestamptz)
    WITH (mode = upsert, primary_key = 'id', updated_at = updated_at, schedule = '5 minutes');
\d pl.events
SELECT name, state, source, location, connection, target_schema, target_table, mode, options
  FROM sluice.pipelines WHERE name LIKE 'pl\_%' ORDER BY name;
SHOW PIPELINES;
-- history adds valid_from and valid_to, with the key
CREATE PIPELINE pl_prices FROM FILES '/data/prices/*.csv'
    INTO pl.prices (sku text, region text, price numeric(10,2), changed_at timestamptz)
    WITH (mode = history, primary_key = 'sku, region', updated_at = changed_at);
\d pl.prices
-- a POSTGRES source may read a redshift connection too; COMPUTE needs its column listed
CREATE PIPELINE pl_accounts FROM POSTGRES $$SELECT id, name FROM accounts$$ CONNECTION pl_crm
    TRANSFORM (TRIM name, COMPUTE name_upper AS upper(name))
    INTO pl.accounts (id bigint, name text, name_upper text);
\d pl.accounts
-- no column list and no table: the table comes later, from the first rows
CREATE PIPELINE pl_inferred FROM FILES '/data/inferred/*.json' INTO pl.inferred;
SELECT to_regclass('pl.inferred') IS NULL AS no_table_yet;
-- into an existing table: its columns are the pipeline's; a listed column must be one of them
CREATE TABLE pl.existing (id integer, note text);
CREATE PIPELINE pl_existing FROM FILES '/data/e/*.csv' INTO pl.existing (id integer, nope text);
CREATE PIPELINE pl_existing FROM FILES '/data/e/*.csv' INTO pl.existing (id integer);
-- distkey and sortkey mean nothing to PostgreSQL: a NOTICE says so
CREATE PIPELINE pl_sorted FROM FILES '/data/s/*.csv' INTO pl.sorted (id integer, at timestamptz)
    WITH (sortkey = 'at, id', distkey = id);
-- what is checked against the catalog and the column list
CREATE PIPELINE pl_bad FROM S3 'x/' CONNECTION pl_nowhere INTO pl.bad (a integer);
CREATE PIPELINE pl_bad FROM S3 'x/' CONNECTION pl_web INTO pl.bad (a integer);
CREATE PIPELINE pl_bad FROM HTTP '/v1/x' CONNECTION pl_lake INTO pl.bad (a integer);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' TRANSFORM (RENAME a TO b) INTO pl.bad (a integer);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' TRANSFORM (DROP a) INTO pl.bad (a integer, c text);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' TRANSFORM (KEEP a) INTO pl.bad (a integer, c text);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' TRANSFORM (SPLIT full ON ' ' INTO (f, l)) INTO pl.bad (f text);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' TRANSFORM (COMPUTE z AS a + 1) INTO pl.bad (a integer);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.bad (a integer) WITH (mode = upsert, primary_key = 'id');
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.bad (a integer) WITH (mode = upsert);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.bad (a integer, t timestamptz) WITH (mode = history, primary_key = a, updated_at = nope);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.existing WITH (mode = history, primary_key = id, updated_at = id);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.bad ("xmin" integer);
CREATE PIPELINE pl_bad FROM FILES '/d/*.csv' INTO pl.t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (a integer);
SELECT count(*) AS bad_ones FROM sluice.pipeline WHERE name = 'pl_bad';
SELECT to_regclass('pl.bad') IS NULL AS no_bad_table;
-- names are unique; IF NOT EXISTS skips quietly
CREATE PIPELINE pl_events FROM FILES '/x/*.csv' INTO pl.other (a integer);
CREATE PIPELINE IF NOT EXISTS pl_events FROM FILES '/x/*.csv' INTO pl.other (a integer);
SELECT to_regclass('pl.other') IS NULL AS no_other_table;
-- BEGIN … ROLLBACK leaves neither the catalog row nor the table
BEGIN;
CREATE PIPELINE "Pl Mixed" FROM FILES '/data/m/*.csv' INTO "Pl"."Mixed ""Case""" ("Id" integer);
SELECT name, target_schema, target_table FROM sluice.pipeline WHERE name = 'Pl Mixed';
ROLLBACK;
SELECT count(*) AS left_behind FROM sluice.pipeline WHERE name = 'Pl Mixed';
SELECT to_regnamespace('"Pl"') IS NULL AS no_schema;
-- an error in the block fails the block; nothing of it stays
BEGIN;
CREATE PIPELINE pl_tx FROM FILES '/data/tx/*.csv' INTO pl.tx (a integer);
CREATE PIPELINE pl_tx FROM FILES '/data/tx/*.csv' INTO pl.tx (a integer);
SELECT 1;
ROLLBACK;
SELECT count(*) AS left_behind FROM sluice.pipeline WHERE name = 'pl_tx';
-- in one message with ordinary statements, answered in order
SELECT 1 AS before \; CREATE PIPELINE pl_multi FROM FILES '/m/*.csv' INTO pl.multi (a integer) \; SELECT count(*) AS made FROM sluice.pipeline WHERE name = 'pl_multi';
-- the whole message is one transaction, as in PostgreSQL: a failure later in it undoes the
-- pipeline too
SELECT 1 AS before \; CREATE PIPELINE pl_multi2 FROM FILES '/m/*.csv' INTO pl.multi2 (a integer) \; SELECT 1 / 0;
SELECT count(*) AS left_behind FROM sluice.pipeline WHERE name = 'pl_multi2';
-- SHOW CREATE gives the canonical statement, which makes the same pipeline again
SHOW CREATE PIPELINE pl_events;
SELECT row(source, location, connection, target_schema, target_table, mode, options)::text AS before
  FROM sluice.pipeline WHERE name = 'pl_events' \gset
SHOW CREATE PIPELINE pl_events \gset
DROP PIPELINE pl_events;
:statement;
SELECT row(source, location, connection, target_schema, target_table, mode, options)::text = :'before'
       AS same_pipeline FROM sluice.pipeline WHERE name = 'pl_events';
SHOW CREATE PIPELINE pl_prices;
SHOW CREATE PIPELINE pl_accounts;
-- ALTER merges options into the definition; the mode stays; keys must still be columns
ALTER PIPELINE pl_events SET (max_errors = 5, on_error = abort);
SHOW CREATE PIPELINE pl_events;
ALTER PIPELINE pl_events SET (mode = history);
ALTER PIPELINE pl_events SET (sortkey = nope);
ALTER PIPELINE pl_events SET (bogus = 1);
ALTER PIPELINE pl_nowhere SET (max_errors = 1);
-- a pipeline runs from its creation unless start = false; STOP and START change its state
-- (this sluice runs with pipeline_workers = 0: the states are what the engine would read)
CREATE PIPELINE pl_waiting FROM FILES '/data/w/*.csv' INTO pl.waiting (a integer) WITH (start = false);
SELECT name, state FROM sluice.pipelines WHERE name IN ('pl_events', 'pl_waiting') ORDER BY name;
STOP PIPELINE pl_events;
START PIPELINE pl_waiting;
SELECT name, state FROM sluice.pipelines WHERE name IN ('pl_events', 'pl_waiting') ORDER BY name;
START PIPELINE pl_events;
STOP PIPELINE pl_nowhere;
BEGIN;
STOP PIPELINE pl_events;
ROLLBACK;
SELECT state FROM sluice.pipelines WHERE name = 'pl_events';
DROP PIPELINE pl_waiting AND TABLE;
-- a connection in use cannot be dropped
DROP CONNECTION pl_lake;
-- DROP removes the catalog rows (and with AND TABLE the table)
DROP PIPELINE pl_nowhere;
DROP PIPELINE IF EXISTS pl_nowhere;
DROP PIPELINE pl_events;
SELECT to_regclass('pl.events') IS NOT NULL AS table_kept;
DROP PIPELINE pl_prices AND TABLE;
SELECT to_regclass('pl.prices') IS NULL AS table_dropped;
DROP PIPELINE pl_accounts AND TABLE;
DROP PIPELINE pl_inferred;
DROP PIPELINE pl_existing;
DROP PIPELINE pl_sorted AND TABLE;
SHOW PIPELINES;
DROP PIPELINE pl_multi AND TABLE;
DROP SCHEMA pl CASCADE;
DROP CONNECTION pl_lake;
DROP CONNECTION pl_web;
DROP CONNECTION pl_crm;
-- outside the catalog's database
\connect regression
CREATE PIPELINE pl_elsewhere FROM FILES '/x/*.csv' INTO t (a integer);
