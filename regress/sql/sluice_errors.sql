-- Every statement of sluice's SQL is checked in full before anything runs: a syntax error
-- is 42601 with psql's caret under the offending token and a hint naming what was
-- expected there; an unknown option or a bad value is 22023 with the valid ones listed.
\set VERBOSITY default
CREATE PIPELINE clicks FROM NOWHERE '/data/*.csv' INTO clicks;
CREATE PIPELINE clicks FROM FILES '/data/*.csv' INTO;
CREATE PIPELINE clicks FROM FILES '/data/*.csv' INTO clicks WITH (colour = 'red');
CREATE PIPELINE clicks FROM FILES '/data/*.csv' INTO clicks WITH (mode = 'sideways');
CREATE PIPELINE clicks FROM FILES '/data/*.csv' INTO clicks WITH (mode = 'upsert');
CREATE PIPELINE clicks FROM FILES '/data/*.csv' INTO clicks WITH (mode = 'history', primary_key = 'id');
CREATE PIPELINE clicks FROM FILES '/data/*.csv'
    TRANSFORM (MASK email KEEP LAST, HASH ip)
    INTO clicks;
CREATE CONNECTION lake TYPE s3 WITH (region = 'eu-west-1');
CREATE CONNECTION lake TYPE ftp WITH (host = 'x');
CREATE MODEL daily AS SELECT FROM WHERE;
CREATE MODEL daily REFRESH EVERY 'fortnightly' AS SELECT 1;
SHARE TABLE clicks WITH bi;
-- the same checks inside a multi-statement message: the caret still lands right
SELECT 1 AS before \; CREATE PIPELINE clicks FROM FILES '/x' INTO clicks WITH (colour = 1);
-- a statement that is well formed but not carried out yet says so (0A000)
REPLAY PIPELINE clicks ERRORS;
EXPLAIN START PIPELINE clicks;
EXPLAIN REFRESH PIPELINE clicks;
-- EXPLAIN shows what a statement sends to the warehouse; SHOW only reads the catalog
EXPLAIN SHOW PIPELINES;
