-- Connections: where data comes from and where it is shared to. sluice keeps them in its
-- catalog (schema "sluice", created at start-up in the database of sluice's backend
-- setting), written and read on the client's own backend session, so they follow the
-- client's transaction. Secrets are sealed before they leave sluice and never shown.
\connect postgres
SHOW CONNECTIONS;
CREATE CONNECTION lake TYPE s3 WITH (bucket = 'raw', region = 'eu-west-1',
    access_key_id = 'AKIAEXAMPLE', secret_access_key = 'wJalrXUtnFEMI/K7MDENG');
CREATE CONNECTION crm TYPE postgres WITH (host = 'crm.internal', port = 5432, dbname = 'crm',
    user = 'reader', password = 'hunter2');
SHOW CONNECTIONS;
-- the catalog holds the secrets sealed, never in clear
SELECT name, secrets::text LIKE '%hunter2%' OR secrets::text LIKE '%wJalr%' AS clear
  FROM sluice.connection ORDER BY name;
SELECT name, secrets->>'password' LIKE 'v1:%' AS sealed FROM sluice.connection WHERE name = 'crm';
-- names are unique; IF NOT EXISTS skips quietly
CREATE CONNECTION lake TYPE s3 WITH (bucket = 'other');
CREATE CONNECTION IF NOT EXISTS lake TYPE s3 WITH (bucket = 'other');
-- ALTER merges options; DROP removes
ALTER CONNECTION lake SET (region = 'us-east-1', path_style = true);
ALTER CONNECTION nowhere SET (region = 'x');
SHOW CONNECTIONS;
DROP CONNECTION crm;
DROP CONNECTION crm;
DROP CONNECTION IF EXISTS crm;
show   connections ;
-- inside a transaction block: seen by the block, undone by ROLLBACK
BEGIN;
CREATE CONNECTION api TYPE http WITH (url = 'https://api.example.com', bearer_token = 't0k3n');
SHOW CONNECTIONS;
ROLLBACK;
SHOW CONNECTIONS;
-- in a failed block it is refused like any other statement
BEGIN;
SELECT 1 / 0;
SHOW CONNECTIONS;
CREATE CONNECTION api TYPE http WITH (url = 'https://api.example.com');
ROLLBACK;
-- in one message with ordinary statements, answered in order
SELECT 1 AS before \; CREATE CONNECTION api TYPE http WITH (url = 'https://api.example.com') \; SHOW CONNECTIONS \; SELECT 2 AS after;
DROP CONNECTION api;
-- the extended protocol: psql's \gdesc sends Parse and Describe
SHOW CONNECTIONS \gdesc
-- words after it are a syntax error, with the caret under them
SHOW CONNECTIONS lake;
-- a database without sluice's catalog has no connections, and takes none
\connect regression
SHOW CONNECTIONS;
CREATE CONNECTION lake TYPE s3 WITH (bucket = 'raw');
-- EXPLAIN shows the SQL a statement sends, in order, and sends nothing; secrets stay masked
\connect postgres
EXPLAIN CREATE CONNECTION crm TYPE postgres WITH (host = 'crm.internal', password = 'hunter2');
EXPLAIN (DIALECT redshift) ALTER CONNECTION lake SET (secret_access_key = 'new', region = 'eu-north-1');
EXPLAIN DROP CONNECTION IF EXISTS lake;
SHOW CONNECTIONS;
EXPLAIN CREATE PIPELINE p FROM FILES '/data/*.csv' INTO t;
