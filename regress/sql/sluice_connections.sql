-- SHOW CONNECTIONS reads sluice's catalog (schema "sluice", created at start-up in the
-- database of sluice's backend setting) on the client's own backend session, so it sees
-- what the session's transaction sees. Secrets are never shown.
\connect postgres
SHOW CONNECTIONS;
-- CREATE CONNECTION arrives with sluice's SQL frontend; here the rows are written directly
INSERT INTO sluice.connection (name, kind, options, secrets) VALUES
    ('lake', 's3', '{"bucket": "raw", "region": "eu-west-1"}', '{"secret_access_key": "v1:AAAA"}'),
    ('crm', 'postgres', '{"dsn": "host=crm.internal dbname=crm"}', '{"password": "v1:BBBB"}');
SHOW CONNECTIONS;
show   connections ;
-- inside a transaction block it sees the block's own changes; ROLLBACK undoes them
BEGIN;
DELETE FROM sluice.connection WHERE name = 'crm';
SHOW CONNECTIONS;
ROLLBACK;
SHOW CONNECTIONS;
-- in a failed block it is refused like any other statement
BEGIN;
SELECT 1 / 0;
SHOW CONNECTIONS;
ROLLBACK;
-- in one message with ordinary statements, answered in order
SELECT 1 AS before \; SHOW CONNECTIONS \; SELECT 2 AS after;
-- the extended protocol: psql's \gdesc sends Parse and Describe
SHOW CONNECTIONS \gdesc
-- words after it are a syntax error, with the caret under them
SHOW CONNECTIONS lake;
-- a database without sluice's catalog has no connections
\connect regression
SHOW CONNECTIONS;
