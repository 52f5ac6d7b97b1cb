-- 002_model_search_path.sql — the search_path a model was created under. A table model's
-- query is run again at every refresh, by whichever session refreshes it; it runs with this
-- search_path, so that its unqualified names mean what they meant at CREATE MODEL. NULL for
-- models created before this column: they refresh with the session's search_path.

ALTER TABLE sluice.model ADD COLUMN IF NOT EXISTS search_path text;

CREATE OR REPLACE VIEW sluice.models AS
    SELECT name, schema_name, materialized, refresh, refresh_every, base_tables, options,
           incremental, not_incremental_because, created_at, updated_at, search_path
      FROM sluice.model;
