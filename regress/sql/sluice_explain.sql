-- EXPLAIN of every statement that sends warehouse SQL, for PostgreSQL (the configured
-- dialect) and for Redshift: the statements, in order, as sluice would send them. Nothing
-- is sent but read-only lookups of the catalog. The regress sluice runs with
-- --iam-role arn:aws:iam::123456789012:role/SluiceLoad --staging-connection staging.
-- Redshift rows are checked against redshift-sql.md by regress/scenarios/redshift_rules.sh.
\connect postgres
CREATE CONNECTION staging TYPE s3 WITH (bucket = 'acme-staging', region = 'us-east-1');
CREATE CONNECTION datalake TYPE s3 WITH (bucket = 'acme-lake');
CREATE CONNECTION crm TYPE postgres WITH (host = 'crm.internal', dbname = 'crm', user = 'reader', password = 'hunter2');
CREATE CONNECTION api TYPE http WITH (url = 'https://api.example.com', bearer_token = 't0k3n');
CREATE CONNECTION ftp TYPE sftp WITH (host = 'ftp.partner.example', user = 'acme');
CREATE CONNECTION bi_pg TYPE postgres WITH (host = 'bi.internal', dbname = 'bi', user = 'sluice');
CREATE CONNECTION bi_rs TYPE redshift WITH (host = 'bi.example.redshift.amazonaws.com', dbname = 'dev', namespace = '13b8833d-17c6-4f16-8fe4-1a018f5ed00d');
CREATE TABLE public.legacy_target (id bigint, name varchar(40), amount numeric(12,2), seen_at timestamp with time zone);
CREATE SCHEMA explain_src;
CREATE TABLE explain_src.clicks (user_id bigint, amount numeric(12,2), ts timestamptz);
CREATE TABLE explain_src."we""ird" (a integer);
CREATE MODEL stored_table_model MATERIALIZED AS TABLE AS SELECT user_id, count(*) AS n FROM explain_src.clicks GROUP BY user_id;
CREATE MODEL stored_view_model AS SELECT count(*) AS n FROM explain_src.clicks;
CREATE PIPELINE stored_upsert FROM S3 'stored/' CONNECTION datalake FORMAT JSON INTO raw.stored (id bigint, v text, updated_at timestamptz) WITH (mode = upsert, primary_key = id, updated_at = updated_at);
\pset format unaligned
\pset tuples_only on

-- append: local CSV files, default format options
EXPLAIN CREATE PIPELINE clicks FROM FILES '/data/clicks/*.csv.gz' INTO analytics.clicks (id bigint, user_id bigint, url text, ts timestamptz);
EXPLAIN (DIALECT redshift) CREATE PIPELINE clicks FROM FILES '/data/clicks/*.csv.gz' INTO analytics.clicks (id bigint, user_id bigint, url text, ts timestamptz);
-- append: CSV options (no header, ';' delimiter, NULL spelled NA)
EXPLAIN CREATE PIPELINE clicks_eu FROM FILES '/data/eu/*.csv' FORMAT CSV (header = false, delimiter = ';', null = 'NA') INTO analytics.clicks_eu (id bigint, amount numeric(12,2), day date);
EXPLAIN (DIALECT redshift) CREATE PIPELINE clicks_eu FROM FILES '/data/eu/*.csv' FORMAT CSV (header = false, delimiter = ';', null = 'NA') INTO analytics.clicks_eu (id bigint, amount numeric(12,2), day date);
-- append: S3 JSON with a records path
EXPLAIN CREATE PIPELINE orders FROM S3 'orders/2026/' CONNECTION datalake FORMAT JSON (records = 'data.items') INTO raw.orders (id bigint, customer text, total numeric(12,2), placed_at timestamptz);
EXPLAIN (DIALECT redshift) CREATE PIPELINE orders FROM S3 'orders/2026/' CONNECTION datalake FORMAT JSON (records = 'data.items') INTO raw.orders (id bigint, customer text, total numeric(12,2), placed_at timestamptz);
-- upsert: S3 objects, newest updated_at wins
EXPLAIN CREATE PIPELINE customers FROM S3 'crm/customers/' CONNECTION datalake FORMAT JSON INTO raw.customers (id bigint, email text, plan text, updated_at timestamptz) WITH (mode = upsert, primary_key = 'id', updated_at = updated_at);
EXPLAIN (DIALECT redshift) CREATE PIPELINE customers FROM S3 'crm/customers/' CONNECTION datalake FORMAT JSON INTO raw.customers (id bigint, email text, plan text, updated_at timestamptz) WITH (mode = upsert, primary_key = 'id', updated_at = updated_at);
-- upsert without updated_at: the last row of a batch wins
EXPLAIN CREATE PIPELINE plans FROM FILES '/data/plans/*.csv' INTO raw.plans (code text, price numeric(8,2)) WITH (mode = upsert, primary_key = code);
EXPLAIN (DIALECT redshift) CREATE PIPELINE plans FROM FILES '/data/plans/*.csv' INTO raw.plans (code text, price numeric(8,2)) WITH (mode = upsert, primary_key = code);
-- history: type-2 versions with a composite key
EXPLAIN CREATE PIPELINE prices FROM FILES '/data/prices/*.csv' INTO raw.prices (sku text, region text, price numeric(10,2), changed_at timestamptz) WITH (mode = history, primary_key = 'sku, region', updated_at = changed_at);
EXPLAIN (DIALECT redshift) CREATE PIPELINE prices FROM FILES '/data/prices/*.csv' INTO raw.prices (sku text, region text, price numeric(10,2), changed_at timestamptz) WITH (mode = history, primary_key = 'sku, region', updated_at = changed_at);
-- POSTGRES source: a query on another database, watermarked by updated_at
EXPLAIN CREATE PIPELINE crm_accounts FROM POSTGRES $$SELECT id, name, updated_at FROM accounts$$ CONNECTION crm INTO raw.accounts (id bigint, name text, updated_at timestamptz) WITH (mode = upsert, primary_key = id, updated_at = updated_at);
EXPLAIN (DIALECT redshift) CREATE PIPELINE crm_accounts FROM POSTGRES $$SELECT id, name, updated_at FROM accounts$$ CONNECTION crm INTO raw.accounts (id bigint, name text, updated_at timestamptz) WITH (mode = upsert, primary_key = id, updated_at = updated_at);
-- HTTP source: JSON pages
EXPLAIN CREATE PIPELINE tickets FROM HTTP '/v2/tickets' CONNECTION api FORMAT JSON (records = 'tickets') INTO raw.tickets (id bigint, subject text, status text, created_at timestamptz);
EXPLAIN (DIALECT redshift) CREATE PIPELINE tickets FROM HTTP '/v2/tickets' CONNECTION api FORMAT JSON (records = 'tickets') INTO raw.tickets (id bigint, subject text, status text, created_at timestamptz);
-- SFTP source into history
EXPLAIN CREATE PIPELINE partners FROM SFTP '/outbox/partners_*.csv' CONNECTION ftp INTO raw.partners (partner_id integer, name text, tier text, modified timestamptz) WITH (mode = history, primary_key = partner_id, updated_at = modified);
EXPLAIN (DIALECT redshift) CREATE PIPELINE partners FROM SFTP '/outbox/partners_*.csv' CONNECTION ftp INTO raw.partners (partner_id integer, name text, tier text, modified timestamptz) WITH (mode = history, primary_key = partner_id, updated_at = modified);
-- transforms: the steps that run in sluice leave the SQL alone; COMPUTE reaches the merge
EXPLAIN CREATE PIPELINE signups FROM FILES '/data/signups/*.csv' TRANSFORM (RENAME mail TO email, DROP password, HASH email, MASK phone KEEP LAST 4, TRIM name, LOWER country, NULLIF country '', DEFAULT plan 'free', CAST signed_up AS date FORMAT 'DD/MM/YYYY', FILTER country <> 'test', COMPUTE email_domain AS split_part(email, '@', 2)) INTO raw.signups (email text, phone text, name text, country text, plan text, signed_up date, email_domain text);
EXPLAIN (DIALECT redshift) CREATE PIPELINE signups FROM FILES '/data/signups/*.csv' TRANSFORM (RENAME mail TO email, DROP password, HASH email, MASK phone KEEP LAST 4, TRIM name, LOWER country, NULLIF country '', DEFAULT plan 'free', CAST signed_up AS date FORMAT 'DD/MM/YYYY', FILTER country <> 'test', COMPUTE email_domain AS split_part(email, '@', 2)) INTO raw.signups (email text, phone text, name text, country text, plan text, signed_up date, email_domain text);
-- SPLIT and EXTRACT make columns of the list
EXPLAIN CREATE PIPELINE logs FROM FILES '/var/log/app/*.log.csv' TRANSFORM (SPLIT full_name ON ' ' INTO (first_name, last_name), EXTRACT path MATCHING '^/([a-z]+)/([0-9]+)' INTO (section, item)) INTO raw.logs (first_name text, last_name text, section text, item text, status integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE logs FROM FILES '/var/log/app/*.log.csv' TRANSFORM (SPLIT full_name ON ' ' INTO (first_name, last_name), EXTRACT path MATCHING '^/([a-z]+)/([0-9]+)' INTO (section, item)) INTO raw.logs (first_name text, last_name text, section text, item text, status integer);
-- distkey and sortkey: Redshift table attributes (ignored with a NOTICE on PostgreSQL)
EXPLAIN CREATE PIPELINE events FROM S3 'events/' CONNECTION datalake FORMAT JSON INTO analytics.events (id bigint, user_id bigint, event text, payload json, at timestamptz) WITH (distkey = user_id, sortkey = 'at, id');
EXPLAIN (DIALECT redshift) CREATE PIPELINE events FROM S3 'events/' CONNECTION datalake FORMAT JSON INTO analytics.events (id bigint, user_id bigint, event text, payload json, at timestamptz) WITH (distkey = user_id, sortkey = 'at, id');
-- types: every mapping the planner knows
EXPLAIN CREATE PIPELINE typed FROM FILES '/data/typed/*.csv' INTO raw.typed (a smallint, b integer, c bigint, d numeric(38,6), e real, f double precision, g boolean, h date, i timestamp, j timestamptz, k text, l varchar(20), m char(2), n json, o jsonb, p uuid, q bytea, r time);
EXPLAIN (DIALECT redshift) CREATE PIPELINE typed FROM FILES '/data/typed/*.csv' INTO raw.typed (a smallint, b integer, c bigint, d numeric(38,6), e real, f double precision, g boolean, h date, i timestamp, j timestamptz, k text, l varchar(20), m char(2), n json, o jsonb, p uuid, q bytea, r time);
-- staging overridden by the pipeline: another s3 connection and prefix
EXPLAIN CREATE PIPELINE audit FROM FILES '/data/audit/*.csv' INTO raw.audit (id bigint, what text) WITH (staging_connection = datalake, staging_prefix = 'tmp/loads');
EXPLAIN (DIALECT redshift) CREATE PIPELINE audit FROM FILES '/data/audit/*.csv' INTO raw.audit (id bigint, what text) WITH (staging_connection = datalake, staging_prefix = 'tmp/loads');
-- an existing table: its columns are the pipeline's
EXPLAIN CREATE PIPELINE legacy FROM FILES '/data/legacy/*.csv' INTO public.legacy_target;
EXPLAIN (DIALECT redshift) CREATE PIPELINE legacy FROM FILES '/data/legacy/*.csv' INTO public.legacy_target;
-- no column list and no table: columns come from the first rows (NOTICE, no batch)
EXPLAIN CREATE PIPELINE inferred FROM S3 'inbox/' CONNECTION datalake INTO raw.inferred;
EXPLAIN (DIALECT redshift) CREATE PIPELINE inferred FROM S3 'inbox/' CONNECTION datalake INTO raw.inferred;
-- an unqualified table goes to the session's current schema
EXPLAIN CREATE PIPELINE here FROM FILES '/data/here/*.csv' INTO here_table (id integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE here FROM FILES '/data/here/*.csv' INTO here_table (id integer);
-- one run of an existing pipeline
EXPLAIN RUN PIPELINE stored_upsert;
EXPLAIN (DIALECT redshift) RUN PIPELINE stored_upsert;
-- ALTER PIPELINE writes the new definition
EXPLAIN ALTER PIPELINE stored_upsert SET (max_errors = 10, schedule = '15 minutes');
EXPLAIN (DIALECT redshift) ALTER PIPELINE stored_upsert SET (max_errors = 10, schedule = '15 minutes');
-- DROP PIPELINE: catalog rows and ledger
EXPLAIN DROP PIPELINE stored_upsert;
EXPLAIN (DIALECT redshift) DROP PIPELINE stored_upsert;
-- DROP PIPELINE … AND TABLE
EXPLAIN DROP PIPELINE stored_upsert AND TABLE;
EXPLAIN (DIALECT redshift) DROP PIPELINE stored_upsert AND TABLE;
-- awkward names: embedded quotes and backslashes
EXPLAIN CREATE PIPELINE "it's" FROM FILES 'C:\data\it''s\*.csv' INTO "we""ird"."ta'b\le" ("co""l" text, "o'k" integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE "it's" FROM FILES 'C:\data\it''s\*.csv' INTO "we""ird"."ta'b\le" ("co""l" text, "o'k" integer);
-- awkward names: unicode
EXPLAIN CREATE PIPELINE ventes FROM FILES '/données/ventes_*.csv' INTO "entrepôt"."événements" ("clé" integer, "montant_€" numeric(10,2));
EXPLAIN (DIALECT redshift) CREATE PIPELINE ventes FROM FILES '/données/ventes_*.csv' INTO "entrepôt"."événements" ("clé" integer, "montant_€" numeric(10,2));
-- awkward names: mixed case (Redshift refuses without case sensitivity)
EXPLAIN CREATE PIPELINE "Sales" FROM FILES '/data/sales/*.csv' INTO "Analytics"."DailySales" ("Id" integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE "Sales" FROM FILES '/data/sales/*.csv' INTO "Analytics"."DailySales" ("Id" integer);
-- awkward names: 63 bytes, the longest PostgreSQL keeps
EXPLAIN CREATE PIPELINE long63 FROM FILES '/data/l/*.csv' INTO raw.t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE long63 FROM FILES '/data/l/*.csv' INTO raw.t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id integer);
-- awkward names: 64 bytes, which PostgreSQL would truncate
EXPLAIN CREATE PIPELINE long64 FROM FILES '/data/l/*.csv' INTO raw.t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id integer);
EXPLAIN (DIALECT redshift) CREATE PIPELINE long64 FROM FILES '/data/l/*.csv' INTO raw.t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id integer);
-- awkward names: 127 bytes, the longest Redshift keeps
EXPLAIN (DIALECT redshift) CREATE PIPELINE long127 FROM FILES '/data/l/*.csv' INTO raw.t_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy (id integer);
-- awkward names: 128 bytes, too long for Redshift
EXPLAIN (DIALECT redshift) CREATE PIPELINE long128 FROM FILES '/data/l/*.csv' INTO raw.t_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy (id integer);
-- SHARE tables to a group
EXPLAIN SHARE TABLE analytics.events, analytics.clicks WITH bi_pg TO GROUP bi_users;
EXPLAIN (DIALECT redshift) SHARE TABLE analytics.events, analytics.clicks WITH bi_rs TO GROUP bi_users;
-- SHARE a schema
EXPLAIN SHARE SCHEMA marts WITH bi_pg;
EXPLAIN (DIALECT redshift) SHARE SCHEMA marts WITH bi_rs;
-- UNSHARE a table
EXPLAIN UNSHARE TABLE analytics.events FROM bi_pg;
EXPLAIN (DIALECT redshift) UNSHARE TABLE analytics.events FROM bi_rs;
-- UNSHARE a schema
EXPLAIN UNSHARE SCHEMA marts FROM bi_pg;
EXPLAIN (DIALECT redshift) UNSHARE SCHEMA marts FROM bi_rs;
-- a model as a materialized view
EXPLAIN CREATE MODEL daily_clicks AS SELECT CAST(ts AS date) AS day, count(*) AS clicks FROM explain_src.clicks GROUP BY 1;
EXPLAIN (DIALECT redshift) CREATE MODEL daily_clicks AS SELECT CAST(ts AS date) AS day, count(*) AS clicks FROM explain_src.clicks GROUP BY 1;
-- a model as a table, refreshed every hour, with Redshift table attributes
EXPLAIN CREATE MODEL user_totals MATERIALIZED AS TABLE REFRESH EVERY '1 hour' WITH (distkey = user_id, sortkey = user_id) AS SELECT user_id, sum(amount) AS total FROM explain_src.clicks GROUP BY user_id;
EXPLAIN (DIALECT redshift) CREATE MODEL user_totals MATERIALIZED AS TABLE REFRESH EVERY '1 hour' WITH (distkey = user_id, sortkey = user_id) AS SELECT user_id, sum(amount) AS total FROM explain_src.clicks GROUP BY user_id;
-- a model reading a table with an awkward name
EXPLAIN CREATE MODEL "it's_model" MATERIALIZED AS TABLE AS SELECT * FROM explain_src."we""ird";
EXPLAIN (DIALECT redshift) CREATE MODEL "it's_model" MATERIALIZED AS TABLE AS SELECT * FROM explain_src."we""ird";
-- REFRESH MODEL of a table model: build name__new, swap by rename
EXPLAIN REFRESH MODEL stored_table_model;
EXPLAIN (DIALECT redshift) REFRESH MODEL stored_table_model;
-- REFRESH MODEL of a view model
EXPLAIN REFRESH MODEL stored_view_model;
EXPLAIN (DIALECT redshift) REFRESH MODEL stored_view_model;
-- DROP MODEL
EXPLAIN DROP MODEL stored_table_model;
EXPLAIN (DIALECT redshift) DROP MODEL stored_table_model;
-- a connection's catalog write, secrets masked
EXPLAIN CREATE CONNECTION vault TYPE s3 WITH (bucket = 'vault', access_key_id = 'AKIA', secret_access_key = 'never-shown');
EXPLAIN (DIALECT redshift) CREATE CONNECTION vault TYPE s3 WITH (bucket = 'vault', access_key_id = 'AKIA', secret_access_key = 'never-shown');
\pset tuples_only off
\pset format aligned
-- EXPLAIN sent nothing: the stored pipeline is still there, none of the others is
SELECT name FROM sluice.pipeline ORDER BY name;
SELECT name FROM sluice.model ORDER BY name;
SELECT count(*) AS tables_made FROM pg_tables WHERE schemaname IN ('analytics', 'raw', 'marts');
DROP PIPELINE stored_upsert AND TABLE;
DROP MODEL stored_table_model;
DROP MODEL stored_view_model;
DROP SCHEMA explain_src CASCADE;
DROP TABLE public.legacy_target;
DROP SCHEMA raw;
DROP CONNECTION staging;
DROP CONNECTION datalake;
DROP CONNECTION crm;
DROP CONNECTION api;
DROP CONNECTION ftp;
DROP CONNECTION bi_pg;
DROP CONNECTION bi_rs;
