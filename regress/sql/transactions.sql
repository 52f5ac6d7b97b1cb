--
-- Transactions: the backend's transaction state (idle, in a block, failed) must reach
-- the client unchanged; psql's prompt and ON_ERROR_ROLLBACK read it from ReadyForQuery.
--
CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 50);

-- COMMIT keeps the work
BEGIN;
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
UPDATE accounts SET balance = balance + 30 WHERE id = 2;
SELECT * FROM accounts ORDER BY id;
COMMIT;
SELECT * FROM accounts ORDER BY id;

-- ROLLBACK undoes it
BEGIN;
DELETE FROM accounts;
SELECT count(*) FROM accounts;
ROLLBACK;
SELECT count(*) FROM accounts;

-- psql's ON_ERROR_ROLLBACK wraps each statement of a block in a savepoint, but only when
-- ReadyForQuery says the session is in a block: the rows before and after the error stay
\set ON_ERROR_ROLLBACK on
BEGIN;
INSERT INTO accounts VALUES (10, 1);
INSERT INTO accounts VALUES (10, 2);
INSERT INTO accounts VALUES (11, 3);
COMMIT;
\set ON_ERROR_ROLLBACK off
SELECT * FROM accounts WHERE id >= 10 ORDER BY id;
DELETE FROM accounts WHERE id >= 10;

-- savepoints
BEGIN;
INSERT INTO accounts VALUES (3, 10);
SAVEPOINT a;
INSERT INTO accounts VALUES (4, 20);
SAVEPOINT b;
INSERT INTO accounts VALUES (5, 30);
ROLLBACK TO SAVEPOINT b;
SELECT id FROM accounts ORDER BY id;
RELEASE SAVEPOINT a;
ROLLBACK TO SAVEPOINT a;
ROLLBACK;
SELECT id FROM accounts ORDER BY id;

-- a savepoint rescues a block from an error
BEGIN;
INSERT INTO accounts VALUES (3, 10);
SAVEPOINT before_dup;
INSERT INTO accounts VALUES (1, 0);
ROLLBACK TO SAVEPOINT before_dup;
INSERT INTO accounts VALUES (4, 20);
COMMIT;
SELECT id FROM accounts ORDER BY id;

-- an error inside a block: every later statement fails with 25P02 until the block ends,
-- and COMMIT then reports ROLLBACK (command tags shown for this part)
\set QUIET off
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
SELECT 1 / 0;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM accounts;
\echo :LAST_ERROR_SQLSTATE
UPDATE accounts SET balance = 1;
COMMIT;
\set QUIET on
SELECT id, balance FROM accounts WHERE id = 1;

-- the same, ended with ROLLBACK
BEGIN;
INSERT INTO accounts VALUES (1, 0);
SELECT 'ignored';
ROLLBACK;
SELECT count(*) FROM accounts;

-- an error outside a block leaves the session ready for the next statement
SELECT * FROM no_such_table;
\echo :LAST_ERROR_SQLSTATE
SELECT 'still working' AS status;

-- statements that end blocks when there is none
COMMIT;
ROLLBACK;
BEGIN;
BEGIN;
COMMIT;

-- transaction-scoped settings go away with the block
BEGIN;
SET LOCAL work_mem = '1MB';
SHOW work_mem;
COMMIT;
SHOW work_mem;

-- a read-only transaction
BEGIN READ ONLY;
INSERT INTO accounts VALUES (9, 9);
ROLLBACK;

DROP TABLE accounts;
