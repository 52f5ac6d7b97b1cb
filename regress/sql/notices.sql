--
-- Notices: NoticeResponse messages (NOTICE, WARNING, INFO…) are relayed in order with the
-- rows and errors around them; client_min_messages filters them in the backend.
--
DO $$
BEGIN
    RAISE NOTICE 'hello from a DO block';
    RAISE WARNING 'careful: % items left', 3;
    RAISE INFO 'info is always sent to the client';
END
$$;

CREATE FUNCTION chatty(n integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. n LOOP
        RAISE NOTICE 'step % of %', i, n;
    END LOOP;
    RAISE NOTICE 'done' USING DETAIL = 'all steps ran', HINT = 'nothing to do';
    RETURN n * 10;
END
$$;
SELECT chatty(3);
SELECT chatty(g) FROM generate_series(1, 2) g;

-- a notice then an error in the same statement
DO $$
BEGIN
    RAISE NOTICE 'about to fail';
    RAISE EXCEPTION 'failing on purpose' USING ERRCODE = 'P0001', HINT = 'it was meant to';
END
$$;
\echo :LAST_ERROR_SQLSTATE

-- client_min_messages decides what the backend sends
SET client_min_messages = warning;
SELECT chatty(1);
DO $$ BEGIN RAISE WARNING 'warnings still arrive'; END $$;
SET client_min_messages = error;
DO $$ BEGIN RAISE WARNING 'not sent'; RAISE NOTICE 'not sent either'; RAISE INFO 'INFO is sent whatever client_min_messages says'; END $$;
SET client_min_messages = debug1;
DO $$ BEGIN RAISE DEBUG 'a debug message'; END $$;
RESET client_min_messages;
SHOW client_min_messages;

-- notices from the server itself
DROP TABLE IF EXISTS no_such_table;
CREATE TABLE t (id integer PRIMARY KEY);
CREATE TABLE IF NOT EXISTS t (id integer);
DROP TABLE t;

-- many notices from one statement, in order
DO $$
BEGIN
    FOR i IN 1 .. 12 LOOP
        RAISE NOTICE 'notice number %', i;
    END LOOP;
END
$$;
DROP FUNCTION chatty(integer);
