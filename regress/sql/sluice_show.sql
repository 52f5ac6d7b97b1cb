--
-- SHOW sluice.version is answered by sluice itself, never by the warehouse: one row,
-- one text column "version", command tag SHOW (so psql's ROW_COUNT is 0, as for any
-- SHOW). sluice answers it like PostgreSQL answers any statement, whatever state the
-- session is in. This test runs through sluice only.
--
SHOW sluice.version;
\echo :ROW_COUNT
SHOW work_mem;
\echo :ROW_COUNT
show SLUICE.Version;

-- the value can be taken into psql like any other
SHOW sluice.version \gset
\echo :version

-- inside a transaction block, the block goes on
BEGIN;
CREATE TABLE show_t (n integer);
SHOW sluice.version;
INSERT INTO show_t VALUES (1);
COMMIT;
SELECT n FROM show_t;

-- psql's ON_ERROR_ROLLBACK sets a savepoint before a statement only when ReadyForQuery
-- said "in a block": the ReadyForQuery after SHOW sluice.version must say so
\set ON_ERROR_ROLLBACK on
BEGIN;
INSERT INTO show_t VALUES (2);
SHOW sluice.version;
SELECT 1 / 0;
INSERT INTO show_t VALUES (3);
COMMIT;
\set ON_ERROR_ROLLBACK off
SELECT n FROM show_t ORDER BY n;

-- after an error outside a block
SELECT 1 / 0;
SHOW sluice.version;

-- inside a failed block: rejected like any statement there (25P02), until ROLLBACK
BEGIN;
SELECT 1 / 0;
SHOW sluice.version;
\echo :LAST_ERROR_SQLSTATE
SHOW sluice.version;
ROLLBACK;
SHOW sluice.version;

-- in one Query message with ordinary statements, answered in order
SELECT 1 AS before \; SHOW sluice.version \; SELECT 2 AS after;
SHOW sluice.version \; SHOW sluice.version;
INSERT INTO show_t VALUES (4) \; SHOW sluice.version \; SELECT count(*) FROM show_t;
-- an error before it ends the message: sluice's part does not run
SELECT 1 / 0 \; SHOW sluice.version \; SELECT 'never' AS x;
-- an error after it: the results before the error are shown, the insert is undone
SHOW sluice.version \; INSERT INTO show_t VALUES (5) \; SELECT 1 / 0;
SELECT n FROM show_t ORDER BY n;
-- in a failed block, inside one message
BEGIN;
SELECT 1 / 0;
SELECT 1 \; SHOW sluice.version;
ROLLBACK;

-- extended protocol: \gdesc sends Parse and Describe, and gets the row description
SHOW sluice.version \gdesc

DROP TABLE show_t;
SHOW sluice.version;
