-- SHOW PIPELINES, SHOW PIPELINE [ERRORS], SHOW MODELS, SHOW SHARES and SHOW CREATE read
-- sluice's catalog on the client's own backend session, so they see the client's
-- transaction. The catalog rows are written here directly, as sluice writes them, with
-- fixed times so that every value shown is stable.
--
-- a database without sluice's catalog: the lists are empty, a named object does not exist
\connect regression
SHOW PIPELINES;
SHOW MODELS;
SHOW SHARES;
SHOW PIPELINE clicks;
SHOW PIPELINE ERRORS clicks;
SHOW CREATE PIPELINE clicks;
SHOW CREATE MODEL daily;
\connect postgres
SHOW PIPELINES;
SHOW MODELS;
SHOW SHARES;
INSERT INTO sluice.connection (name, kind, options) VALUES
    ('show_lake', 's3', '{"bucket": "raw"}'),
    ('show_bi', 'redshift', '{"host": "bi.internal"}');
INSERT INTO sluice.pipeline (name, definition, source, location, connection, target_schema,
                             target_table, mode, state, last_error) VALUES
    ('clicks', $$CREATE PIPELINE clicks FROM S3 'clicks/' CONNECTION show_lake FORMAT CSV INTO public.clicks$$,
     's3', 'clicks/', 'show_lake', 'public', 'clicks', 'append', 'running', NULL),
    ('Orders', $$CREATE PIPELINE "Orders" FROM FILES '/data/orders/*.csv' INTO sales."Order Lines" WITH (mode = upsert, primary_key = 'id')$$,
     'files', '/data/orders/*.csv', NULL, 'sales', 'Order Lines', 'upsert', 'failed',
     'column "id" of relation "Order Lines" does not exist'),
    ('it''s', $$CREATE PIPELINE "it's" FROM FILES '/data/it''s/*.json' FORMAT JSON INTO public.notes$$,
     'files', '/data/it''s/*.json', NULL, 'public', 'notes', 'append', 'stopped', NULL),
    ('idle', $$CREATE PIPELINE idle FROM FILES '/data/idle/*.csv' INTO idle WITH (schedule = 'manual')$$,
     'files', '/data/idle/*.csv', NULL, 'public', 'idle', 'append', 'created', NULL);
INSERT INTO sluice.pipeline_run (id, pipeline, started_at, finished_at, status, items,
                                 rows_loaded, error_rows, message) VALUES
    (101, 'clicks', '2026-03-01 10:00:00+00', '2026-03-01 10:00:04+00', 'succeeded', 2, 1000, 3, NULL),
    (102, 'clicks', '2026-03-01 10:05:00+00', '2026-03-01 10:05:02+00', 'succeeded', 1, 250, 0, NULL),
    (103, 'clicks', '2026-03-01 10:10:00+00', NULL, 'running', 0, 0, 0, NULL),
    (104, 'Orders', '2026-03-02 08:00:00+00', '2026-03-02 08:00:01+00', 'failed', 1, 0, 0,
     'column "id" of relation "Order Lines" does not exist'),
    (105, 'it''s', '2026-03-03 12:00:00+00', '2026-03-03 12:00:09+00', 'succeeded', 4, 77, 1, NULL);
INSERT INTO sluice.pipeline_error (id, pipeline, run_id, item, line, byte_offset, column_name,
                                   reason, raw, created_at) VALUES
    (201, 'clicks', 101, 'clicks/2026-03-01/a.csv', 17, 1024, 'ts',
     'invalid input syntax for type timestamp: "yesterday-ish"', '17,yesterday-ish,/home',
     '2026-03-01 10:00:03+00'),
    (202, 'clicks', 101, 'clicks/2026-03-01/a.csv', 40, 2871, NULL,
     'extra data after last expected column', '40,2026-03-01,/x,surplus', '2026-03-01 10:00:03+00'),
    (203, 'clicks', 101, 'clicks/2026-03-01/b.csv', 3, 88, 'url', 'value too long', NULL,
     '2026-03-01 10:00:04+00'),
    (204, 'it''s', 105, '/data/it''s/4.json', 1, 0, 'body', 'not valid JSON', '{"body": ',
     '2026-03-03 12:00:08+00');
INSERT INTO sluice.model (name, definition, schema_name, materialized, refresh, refresh_every,
                          select_sql, base_tables, incremental, not_incremental_because) VALUES
    ('daily', 'CREATE MODEL daily MATERIALIZED AS VIEW REFRESH ON CHANGE AS SELECT day, count(*) AS n FROM public.clicks GROUP BY day',
     'public', 'view', 'on change', NULL, 'SELECT day, count(*) AS n FROM public.clicks GROUP BY day',
     '{public.clicks}', true, NULL),
    ('Hourly', 'CREATE MODEL "Hourly" MATERIALIZED AS TABLE REFRESH EVERY ''1 hour'' AS SELECT * FROM sales."Order Lines"',
     'sales', 'table', 'every', '1 hour', 'SELECT * FROM sales."Order Lines"',
     '{"sales.\"Order Lines\""}', false, 'SELECT * has no GROUP BY'),
    ('by_hand', 'CREATE MODEL by_hand MATERIALIZED AS VIEW REFRESH MANUAL AS SELECT c.day, o.n FROM public.clicks c JOIN public.notes o USING (day)',
     'public', 'view', 'manual', NULL, 'SELECT c.day, o.n FROM public.clicks c JOIN public.notes o USING (day)',
     '{public.clicks,public.notes}', false, 'a join of two pipeline tables');
INSERT INTO sluice.model_refresh (id, model, started_at, finished_at, kind, status, rows) VALUES
    (301, 'daily', '2026-03-01 10:00:05+00', '2026-03-01 10:00:07.25+00', 'full', 'succeeded', 40),
    (302, 'daily', '2026-03-01 10:05:03+00', '2026-03-01 10:05:03.5+00', 'incremental', 'succeeded', 42),
    (303, 'Hourly', '2026-03-02 09:00:00+00', NULL, 'full', 'running', NULL);
INSERT INTO sluice.share (object_kind, schema_name, table_name, consumer, grp, datashare, state) VALUES
    ('schema', 'public', '', 'show_bi', 'analysts', 'sluice_show_bi', 'active'),
    ('table', 'sales', 'Order Lines', 'show_bi', NULL, 'sluice_show_bi', 'active'),
    ('table', 'public', 'clicks', 'show_lake', 'readers', NULL, 'pending');
-- one row per pipeline, by name in byte order; lag is NULL until a run records an item time
SHOW PIPELINES;
-- a pipeline's runs, newest first; one that never ran has one row with NULL run columns
SHOW PIPELINE clicks;
SHOW PIPELINE idle;
-- names are identifiers: folded to lower case unless quoted
SHOW PIPELINE "Orders";
SHOW PIPELINE orders;
SHOW PIPELINE "it's";
SHOW PIPELINE "a""b";
-- "errors" alone is a pipeline's name
SHOW PIPELINE errors;
-- error rows, oldest first, as many as LIMIT says
SHOW PIPELINE ERRORS clicks;
SHOW PIPELINE ERRORS clicks LIMIT 2;
SHOW PIPELINE ERRORS clicks LIMIT 0;
SHOW PIPELINE ERRORS "it's" LIMIT 10;
SHOW PIPELINE ERRORS idle;
SHOW PIPELINE ERRORS nowhere;
SHOW PIPELINE ERRORS nowhere LIMIT 0;
-- models: the newest refresh says when, how long and how many rows (nothing while it runs)
SHOW MODELS;
SHOW SHARES;
-- the definitions, as the catalog keeps them
SHOW CREATE PIPELINE clicks;
SHOW CREATE PIPELINE "Orders";
SHOW CREATE PIPELINE "it's";
SHOW CREATE MODEL daily;
SHOW CREATE MODEL "Hourly";
SHOW CREATE MODEL hourly;
SHOW CREATE MODEL clicks;
SHOW CREATE PIPELINE daily;
-- inside a transaction block: the block's own writes are seen, and undone by ROLLBACK.
-- now() is fixed for a transaction, so here lag shows exactly: now() - newest item time.
BEGIN;
INSERT INTO sluice.pipeline (name, definition, source, location, target_schema, target_table)
    VALUES ('scratch', $$CREATE PIPELINE scratch FROM FILES '/tmp/*.csv' INTO scratch$$,
            'files', '/tmp/*.csv', 'public', 'scratch'),
           ('back\slash', $$CREATE PIPELINE "back\slash" FROM FILES '/tmp/*.csv' INTO "back\slash"$$,
            'files', '/tmp/*.csv', 'public', 'back\slash');
UPDATE sluice.pipeline_run SET newest_item_at = now() - interval '1 hour' WHERE id = 101;
UPDATE sluice.pipeline_run SET newest_item_at = now() - interval '5 minutes' WHERE id = 102;
SHOW PIPELINES;
SHOW PIPELINE scratch;
SHOW CREATE PIPELINE scratch;
SHOW CREATE PIPELINE "back\slash";
SHOW PIPELINE ERRORS "back\slash";
ROLLBACK;
SHOW PIPELINE scratch;
SHOW PIPELINES;
-- in a failed block it is refused like any other statement
BEGIN;
SELECT 1 / 0;
SHOW PIPELINES;
ROLLBACK;
-- in one message with ordinary statements, answered in order
SHOW PIPELINES \; SELECT 1;
SELECT 1 AS before \; SHOW PIPELINE ERRORS clicks LIMIT 1 \; SHOW SHARES \; SELECT 2 AS after;
SELECT 1 AS before \; SHOW CREATE MODEL nowhere \; SELECT 2 AS after;
-- the extended protocol: psql's \gdesc sends Parse and Describe; the columns follow the form
SHOW PIPELINES \gdesc
SHOW PIPELINE clicks \gdesc
SHOW PIPELINE ERRORS clicks LIMIT 5 \gdesc
SHOW MODELS \gdesc
SHOW SHARES \gdesc
SHOW CREATE MODEL daily \gdesc
-- leave the catalog as it was
DELETE FROM sluice.share WHERE consumer IN ('show_bi', 'show_lake');
DELETE FROM sluice.model WHERE name IN ('daily', 'Hourly', 'by_hand');
DELETE FROM sluice.pipeline WHERE name IN ('clicks', 'Orders', 'it''s', 'idle');
DELETE FROM sluice.connection WHERE name IN ('show_bi', 'show_lake');
SHOW PIPELINES;
SHOW MODELS;
SHOW SHARES;
