-- 001_catalog.sql — sluice's catalog: what users defined (connections, pipelines, models,
-- shares) and what happened (runs, error rows, refreshes). Tables are singular and owned
-- by sluice; the plural views are what users and BI tools read.
--
-- The ledger (which items a pipeline has loaded) is not here: it lives in the warehouse,
-- beside the rows, and is written in the same transaction as them (the exactly-once rule).

CREATE SCHEMA IF NOT EXISTS sluice;

CREATE TABLE sluice.connection (
    name        text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('s3', 'postgres', 'redshift', 'http', 'sftp')),
    options     jsonb NOT NULL DEFAULT '{}',   -- everything but secrets
    secrets     jsonb NOT NULL DEFAULT '{}',   -- option name -> AES-256-GCM sealed value
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice.pipeline (
    name          text PRIMARY KEY,
    definition    text NOT NULL,               -- canonical CREATE PIPELINE (SHOW CREATE)
    source        text NOT NULL CHECK (source IN ('files', 's3', 'postgres', 'http', 'sftp')),
    location      text NOT NULL,
    connection    text REFERENCES sluice.connection (name),
    target_schema text NOT NULL,
    target_table  text NOT NULL,
    mode          text NOT NULL DEFAULT 'append' CHECK (mode IN ('append', 'upsert', 'history')),
    options       jsonb NOT NULL DEFAULT '{}',
    state         text NOT NULL DEFAULT 'created'
                  CHECK (state IN ('created', 'running', 'stopped', 'failed', 'refreshing')),
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice.pipeline_run (
    id           bigserial PRIMARY KEY,
    pipeline     text NOT NULL REFERENCES sluice.pipeline (name) ON DELETE CASCADE,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    status       text NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed')),
    items        integer NOT NULL DEFAULT 0,
    rows_loaded  bigint NOT NULL DEFAULT 0,
    error_rows   bigint NOT NULL DEFAULT 0,
    bytes        bigint NOT NULL DEFAULT 0,
    newest_item_at timestamptz,                -- for lag: now() - newest loaded item's time
    message      text
);
CREATE INDEX ON sluice.pipeline_run (pipeline, started_at DESC);

CREATE TABLE sluice.pipeline_error (
    id           bigserial PRIMARY KEY,
    pipeline     text NOT NULL REFERENCES sluice.pipeline (name) ON DELETE CASCADE,
    run_id       bigint REFERENCES sluice.pipeline_run (id) ON DELETE SET NULL,
    item         text NOT NULL,                -- file path, object key, page…
    line         bigint,
    byte_offset  bigint,
    column_name  text,
    reason       text NOT NULL,
    raw          text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON sluice.pipeline_error (pipeline, id);

CREATE TABLE sluice.model (
    name           text PRIMARY KEY,
    definition     text NOT NULL,              -- canonical CREATE MODEL (SHOW CREATE)
    schema_name    text NOT NULL,
    materialized   text NOT NULL CHECK (materialized IN ('view', 'table')),
    refresh        text NOT NULL CHECK (refresh IN ('on change', 'every', 'manual')),
    refresh_every  interval,
    select_sql     text NOT NULL,
    base_tables    text[] NOT NULL DEFAULT '{}',
    options        jsonb NOT NULL DEFAULT '{}',
    incremental    boolean NOT NULL DEFAULT false,
    not_incremental_because text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice.model_refresh (
    id           bigserial PRIMARY KEY,
    model        text NOT NULL REFERENCES sluice.model (name) ON DELETE CASCADE,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    kind         text NOT NULL CHECK (kind IN ('full', 'incremental')),
    status       text NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed')),
    rows         bigint,
    message      text
);
CREATE INDEX ON sluice.model_refresh (model, started_at DESC);

CREATE TABLE sluice.share (
    object_kind  text NOT NULL CHECK (object_kind IN ('table', 'schema')),
    schema_name  text NOT NULL,
    table_name   text NOT NULL DEFAULT '',     -- '' for a whole schema
    consumer     text NOT NULL REFERENCES sluice.connection (name),
    grp          text,
    datashare    text,
    state        text NOT NULL DEFAULT 'active',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (object_kind, schema_name, table_name, consumer)
);

-- What users read: secrets never appear, only whether one is set.
CREATE VIEW sluice.connections AS
    SELECT name, kind, options,
           (SELECT coalesce(jsonb_object_agg(key, '********'), '{}') FROM jsonb_each(secrets))
               AS secrets,
           created_at, updated_at
      FROM sluice.connection;
CREATE VIEW sluice.pipelines AS
    SELECT name, state, source, location, connection, target_schema, target_table, mode,
           options, last_error, created_at, updated_at
      FROM sluice.pipeline;
CREATE VIEW sluice.pipeline_runs AS SELECT * FROM sluice.pipeline_run;
CREATE VIEW sluice.pipeline_errors AS SELECT * FROM sluice.pipeline_error;
CREATE VIEW sluice.models AS
    SELECT name, schema_name, materialized, refresh, refresh_every, base_tables, options,
           incremental, not_incremental_because, created_at, updated_at
      FROM sluice.model;
CREATE VIEW sluice.model_refreshes AS SELECT * FROM sluice.model_refresh;
CREATE VIEW sluice.shares AS SELECT * FROM sluice.share;
