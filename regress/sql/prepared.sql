--
-- Prepared statements: SQL-level PREPARE/EXECUTE/DEALLOCATE are ordinary statements,
-- relayed like any other. psql's \gdesc uses the extended protocol (Parse, Describe,
-- Sync without Execute); \gset and \gexec feed results back into psql.
--
CREATE TABLE kv (k text PRIMARY KEY, v integer);
INSERT INTO kv SELECT 'key' || g, g FROM generate_series(1, 5) g;

PREPARE get_v (text) AS SELECT v FROM kv WHERE k = $1;
EXECUTE get_v ('key3');
EXECUTE get_v ('nokey');
PREPARE put_v (text, integer) AS
    INSERT INTO kv VALUES ($1, $2)
    ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING k, v;
EXECUTE put_v ('key6', 60);
EXECUTE put_v ('key1', 100);
SELECT name, statement, parameter_types FROM pg_prepared_statements ORDER BY name;

-- errors: wrong number of parameters, bad type, unknown and duplicate names
EXECUTE get_v;
EXECUTE get_v (1, 2);
EXECUTE put_v ('key7', 'seven');
EXECUTE no_such_statement;
PREPARE get_v AS SELECT 1;
PREPARE broken AS SELEC 1;

DEALLOCATE get_v;
EXECUTE get_v ('key3');
DEALLOCATE ALL;
SELECT count(*) FROM pg_prepared_statements;

-- a prepared statement survives a failed transaction block that used it
PREPARE total AS SELECT sum(v) FROM kv;
BEGIN;
EXECUTE total;
SELECT 1 / 0;
EXECUTE total;
ROLLBACK;
EXECUTE total;
DEALLOCATE total;

-- \gdesc describes a query's result columns without running it (Parse + Describe)
SELECT k, v, v * 1.5 AS scaled, now() AS at FROM kv \gdesc
SELECT $$a literal$$ AS text_col, 42::smallint AS small, NULL::jsonb AS doc \gdesc
INSERT INTO kv VALUES ('x', 1) \gdesc
SELECT count(*) FROM kv;
SELECT no_such_column FROM kv \gdesc
SELECT count(*) FROM kv;

-- \gset and \gexec take results back into psql
SELECT min(v) AS lo, max(v) AS hi FROM kv \gset
\echo lo=:lo hi=:hi
SELECT format('SELECT %L AS k, v FROM kv WHERE k = %L', k, k) FROM kv WHERE v < 3 ORDER BY k \gexec

DROP TABLE kv;
