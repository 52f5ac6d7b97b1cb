--
-- Several statements in one Query message (psql sends text joined by \; in one go).
-- The backend runs them in order as one implicit transaction and answers each with its
-- own result; the first error ends the message, and undoes what came before it unless
-- an explicit COMMIT intervened.
--
CREATE TABLE log (n integer);

SELECT 1 AS a \; SELECT 2 AS b \; SELECT 'three' AS c;
INSERT INTO log VALUES (1) \; INSERT INTO log VALUES (2) \; SELECT count(*) FROM log;
SELECT 1 AS a, 2 AS b \; VALUES (3, 4), (5, 6) \; SELECT;

-- command tags of each part (shown for this part)
\set QUIET off
INSERT INTO log VALUES (3) \; UPDATE log SET n = n + 10 WHERE n > 2 \; DELETE FROM log WHERE n = 13 \; SELECT 1;
\set QUIET on

-- an error in the middle: the parts before it are rolled back, those after never run
INSERT INTO log VALUES (100) \; SELECT 1 / 0 \; INSERT INTO log VALUES (200);
\echo :LAST_ERROR_SQLSTATE
SELECT n FROM log ORDER BY n;

-- a syntax error anywhere rejects the whole message before anything runs
INSERT INTO log VALUES (300) \; SELEC 2 \; INSERT INTO log VALUES (400);
SELECT n FROM log ORDER BY n;

-- an explicit COMMIT inside the message keeps what came before it
INSERT INTO log VALUES (500) \; COMMIT \; INSERT INTO log VALUES (600) \; SELECT 1 / 0;
SELECT n FROM log ORDER BY n;

-- a whole transaction block in one message, and a block left open by one
BEGIN \; INSERT INTO log VALUES (700) \; COMMIT \; SELECT count(*) FROM log;
BEGIN \; INSERT INTO log VALUES (800) \; SELECT count(*) FROM log;
ROLLBACK;
SELECT count(*) FROM log;

-- an error in a message inside an open block leaves the block failed
BEGIN;
INSERT INTO log VALUES (900) \; SELECT 1 / 0 \; SELECT 'never';
SELECT 1;
ROLLBACK;

-- the notices and results of one message all arrive, in the order psql prints them
DO $$ BEGIN RAISE NOTICE 'first'; END $$ \; SELECT 'between' AS x \; DO $$ BEGIN RAISE NOTICE 'last'; END $$;

-- semicolons inside literals, identifiers and comments do not split statements
SELECT 'a;b' AS "semi;colon" \; SELECT $$ ; $$ AS dollar /* ; */ \; SELECT E'\x3b' AS escaped;

-- empty statements
;
SELECT 1 AS one \; ;

DROP TABLE log;
