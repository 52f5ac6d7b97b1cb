-- Models: SQL transformations materialized in the warehouse. CREATE MODEL builds the
-- materialized view (or table) at once and records the model in sluice's catalog; REFRESH
-- MODEL rebuilds it; DROP MODEL removes both. Each runs on the client's own session in
-- one transaction, with the client's privileges: all of it happens, or none of it.
\connect postgres
CREATE TABLE orders (id integer, day date, customer text, amount numeric(10,2));
INSERT INTO orders VALUES (1, '2026-01-01', 'ann', 10), (2, '2026-01-01', 'bob', 5),
    (3, '2026-01-02', 'ann', 7);
CREATE SCHEMA crm;
CREATE TABLE crm.customers (name text, country text);
INSERT INTO crm.customers VALUES ('ann', 'NZ'), ('bob', 'FR');
-- a materialized view (the default) and a table; the model lives in current_schema()
\set QUIET off
CREATE MODEL daily_revenue AS
    SELECT day, sum(amount) AS revenue, count(*) AS n FROM orders GROUP BY day;
CREATE MODEL revenue_by_country MATERIALIZED AS TABLE REFRESH MANUAL AS
    SELECT c.country, sum(o.amount) AS revenue
      FROM orders o JOIN crm.customers c ON c.name = o.customer GROUP BY c.country;
\set QUIET on
SELECT * FROM daily_revenue ORDER BY day;
SELECT * FROM revenue_by_country ORDER BY country;
SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname IN ('daily_revenue', 'revenue_by_country') ORDER BY 2;
-- the catalog: base tables resolved with the session's search_path, as schema.table
SELECT name, schema_name, materialized, refresh, refresh_every, base_tables, options,
       incremental, not_incremental_because
  FROM sluice.models ORDER BY name;
SELECT name, definition FROM sluice.model ORDER BY name;
-- rows added to a base table appear after REFRESH MODEL
INSERT INTO orders VALUES (4, '2026-01-03', 'bob', 20), (5, '2026-01-01', 'ann', 1);
SELECT * FROM daily_revenue ORDER BY day;
\set QUIET off
REFRESH MODEL daily_revenue;
REFRESH MODEL revenue_by_country FULL;
\set QUIET on
SELECT * FROM daily_revenue ORDER BY day;
SELECT * FROM revenue_by_country ORDER BY country;
SELECT model, kind, status, rows, finished_at >= started_at AS timed
  FROM sluice.model_refreshes ORDER BY id;
-- EXPLAIN shows the statements each sends, in order, for either dialect, and sends nothing
-- but read-only lookups (one statement a line here: some are long)
\pset format unaligned
EXPLAIN CREATE MODEL weekly WITH (distkey = 'week', sortkey = 'week, n') AS
    SELECT date_trunc('week', day) AS week, count(*) AS n FROM orders GROUP BY 1;
EXPLAIN (DIALECT redshift) CREATE MODEL weekly WITH (distkey = 'week', sortkey = 'week, n') AS
    SELECT date_trunc('week', day) AS week, count(*) AS n FROM orders GROUP BY 1;
EXPLAIN (DIALECT postgres) CREATE MODEL weekly MATERIALIZED AS TABLE REFRESH EVERY '1 hour' AS
    SELECT c.country, o.day FROM orders o, crm.customers c WHERE c.name = o.customer;
SELECT count(*) AS weekly_models FROM sluice.models WHERE name = 'weekly';
SELECT count(*) AS weekly_relations FROM pg_class WHERE relname = 'weekly';
EXPLAIN REFRESH MODEL daily_revenue;
EXPLAIN (DIALECT redshift) REFRESH MODEL daily_revenue;
EXPLAIN (DIALECT postgres) REFRESH MODEL revenue_by_country FULL;
EXPLAIN (DIALECT redshift) REFRESH MODEL revenue_by_country;
EXPLAIN DROP MODEL daily_revenue;
EXPLAIN (DIALECT redshift) DROP MODEL revenue_by_country;
EXPLAIN (DIALECT postgres) DROP MODEL IF EXISTS nowhere;
EXPLAIN REFRESH MODEL nowhere;
\pset format aligned
SELECT model, count(*) FROM sluice.model_refreshes GROUP BY model ORDER BY model;
-- distkey and sortkey are Redshift table attributes: PostgreSQL ignores them, saying so
CREATE MODEL keyed WITH (distkey = 'day', sortkey = 'day', incremental = off) AS
    SELECT day, count(*) AS n FROM orders GROUP BY day;
SELECT name, options, not_incremental_because FROM sluice.models WHERE name = 'keyed';
DROP MODEL keyed;
-- errors: a base table that does not exist (the caret under it), a name already taken,
-- a model that does not exist, a query the warehouse refuses
CREATE MODEL m AS SELECT * FROM orders JOIN nowhere ON true;
CREATE MODEL m AS SELECT * FROM crm.nowhere;
CREATE MODEL daily_revenue AS SELECT 1 AS one;
CREATE MODEL IF NOT EXISTS daily_revenue AS SELECT 1 AS one;
REFRESH MODEL nowhere;
DROP MODEL nowhere;
DROP MODEL IF EXISTS nowhere;
CREATE MODEL bad AS SELECT nope FROM orders;
SELECT count(*) AS bad_models FROM sluice.models WHERE name IN ('m', 'bad');
-- a model that reads another model: the reader has to go first
CREATE MODEL best_day AS SELECT day FROM daily_revenue ORDER BY revenue DESC LIMIT 1;
SELECT name, base_tables FROM sluice.models WHERE name = 'best_day';
DROP MODEL daily_revenue;
REFRESH MODEL daily_revenue;
SELECT * FROM best_day;
DROP MODEL best_day;
-- inside a transaction block: seen by the block, undone by ROLLBACK
BEGIN;
CREATE MODEL scratch MATERIALIZED AS TABLE AS SELECT 1 AS one;
SELECT * FROM scratch;
SELECT name FROM sluice.models WHERE name = 'scratch';
REFRESH MODEL scratch;
ROLLBACK;
SELECT count(*) AS relations FROM pg_class WHERE relname IN ('scratch', 'scratch__new', 'scratch__old');
SELECT count(*) AS models FROM sluice.models WHERE name = 'scratch';
SELECT count(*) AS refreshes FROM sluice.model_refreshes WHERE model = 'scratch';
-- an error leaves the block failed, like any other statement's
BEGIN;
CREATE MODEL scratch AS SELECT 1 AS one;
CREATE MODEL broken AS SELECT * FROM nowhere;
SELECT 1;
REFRESH MODEL scratch;
ROLLBACK;
SELECT count(*) AS models FROM sluice.models WHERE name IN ('scratch', 'broken');
-- in one message with ordinary statements, answered in order
SELECT 1 AS before \; CREATE MODEL multi AS SELECT count(*) AS n FROM orders \; SELECT * FROM multi \; SELECT 2 AS after;
DROP MODEL multi;
-- names that need quotes: mixed case, an embedded quote
CREATE MODEL "DailyRevenue" AS SELECT day, sum(amount) AS revenue FROM orders GROUP BY day;
CREATE MODEL "o'brien ""x""" MATERIALIZED AS TABLE AS
    SELECT max(revenue) AS top FROM "DailyRevenue";
SELECT * FROM "o'brien ""x""";
REFRESH MODEL "o'brien ""x""";
\pset format unaligned
EXPLAIN REFRESH MODEL "o'brien ""x""";
\pset format aligned
SELECT name, base_tables FROM sluice.models WHERE name IN ('DailyRevenue', 'o''brien "x"') ORDER BY name;
-- SHOW CREATE gives the canonical statement, which makes the same model again
SHOW CREATE MODEL "o'brien ""x""";
SELECT row(schema_name, materialized, refresh, refresh_every, select_sql, base_tables, options)::text
       AS before FROM sluice.model WHERE name = 'o''brien "x"' \gset
SHOW CREATE MODEL "o'brien ""x""" \gset
DROP MODEL "o'brien ""x""";
:statement;
SELECT row(schema_name, materialized, refresh, refresh_every, select_sql, base_tables, options)::text
       = :'before' AS same_model FROM sluice.model WHERE name = 'o''brien "x"';
SELECT * FROM "o'brien ""x""";
DROP MODEL "DailyRevenue";
DROP MODEL "o'brien ""x""";
DROP MODEL "DailyRevenue";
-- a table model's query runs again at every refresh, with the search_path of CREATE MODEL:
-- a session whose search_path finds another "orders" first still rebuilds it from
-- public.orders, and gets its own search_path back, inside a transaction block too
CREATE MODEL order_count MATERIALIZED AS TABLE AS SELECT count(*) AS n FROM orders;
SELECT name, search_path FROM sluice.models WHERE name = 'order_count';
CREATE SCHEMA other;
CREATE TABLE other.orders (id integer);
SET search_path = other, public;
REFRESH MODEL order_count;
SHOW search_path;
SELECT * FROM order_count;
BEGIN;
REFRESH MODEL order_count;
SHOW search_path;
COMMIT;
\pset format unaligned
EXPLAIN REFRESH MODEL order_count;
\pset format aligned
RESET search_path;
-- the table swapped in keeps the model's privileges and its owner
CREATE ROLE model_reader;
CREATE ROLE "Model Owner";
ALTER TABLE order_count OWNER TO "Model Owner";
GRANT SELECT ON order_count TO model_reader;
GRANT INSERT ON order_count TO model_reader WITH GRANT OPTION;
GRANT UPDATE ON order_count TO PUBLIC;
SELECT pg_get_userbyid(relowner) AS owner, ARRAY(SELECT a::text FROM unnest(relacl) a ORDER BY 1) AS acl
  FROM pg_class WHERE oid = 'order_count'::regclass;
\pset format unaligned
EXPLAIN REFRESH MODEL order_count;
\pset format aligned
REFRESH MODEL order_count;
SELECT pg_get_userbyid(relowner) AS owner, ARRAY(SELECT a::text FROM unnest(relacl) a ORDER BY 1) AS acl
  FROM pg_class WHERE oid = 'order_count'::regclass;
SET ROLE model_reader;
SELECT * FROM order_count;
RESET ROLE;
-- a table that views or other models read cannot be dropped, so it is refreshed in place:
-- its rows replaced in one transaction (readers see the old ones until it commits), the
-- table itself, its readers, privileges and owner untouched
CREATE MODEL order_count_copy AS SELECT n FROM order_count;
CREATE VIEW order_count_twice AS SELECT 2 * n AS twice FROM order_count;
INSERT INTO orders VALUES (6, '2026-01-04', 'ann', 3);
\pset format unaligned
EXPLAIN REFRESH MODEL order_count;
\pset format aligned
SET search_path = other, public;
REFRESH MODEL order_count;
RESET search_path;
SELECT * FROM order_count_twice;
REFRESH MODEL order_count_copy;
SELECT * FROM order_count_copy;
SET ROLE model_reader;
SELECT * FROM order_count;
RESET ROLE;
SELECT model, count(*) FROM sluice.model_refreshes WHERE model LIKE 'order_count%' GROUP BY 1 ORDER BY 1;
DROP VIEW order_count_twice;
DROP MODEL order_count_copy;
DROP MODEL order_count;
DROP SCHEMA other CASCADE;
DROP ROLE model_reader;
DROP ROLE "Model Owner";
-- the user's own privileges apply: to the base tables, to the schema, to the catalog
CREATE ROLE model_analyst;
GRANT USAGE, CREATE ON SCHEMA crm TO model_analyst;
GRANT SELECT ON crm.customers TO model_analyst;
SET ROLE model_analyst;
SET search_path = crm;
CREATE MODEL countries AS SELECT DISTINCT country FROM customers;
RESET ROLE;
GRANT USAGE ON SCHEMA sluice TO model_analyst;
GRANT SELECT, INSERT, DELETE ON sluice.model TO model_analyst;
GRANT SELECT, INSERT ON sluice.model_refresh TO model_analyst;
GRANT USAGE ON SEQUENCE sluice.model_refresh_id_seq TO model_analyst;
SET ROLE model_analyst;
CREATE MODEL countries AS SELECT DISTINCT country FROM customers;
CREATE MODEL analyst_orders AS SELECT * FROM public.orders;
REFRESH MODEL countries;
SELECT * FROM countries ORDER BY 1;
DROP MODEL countries;
RESET ROLE;
RESET search_path;
-- no schema to create in
SET search_path = '';
CREATE MODEL nowhere_to_go AS SELECT 1 AS one;
RESET search_path;
-- a database without sluice's catalog has no models
\connect regression
CREATE MODEL m AS SELECT 1 AS one;
EXPLAIN REFRESH MODEL m;
\connect postgres
DROP MODEL revenue_by_country;
DROP MODEL daily_revenue;
SELECT count(*) AS models FROM sluice.models;
SELECT count(*) AS refreshes FROM sluice.model_refreshes;
DROP TABLE orders;
DROP SCHEMA crm CASCADE;
REVOKE ALL ON sluice.model, sluice.model_refresh FROM model_analyst;
REVOKE ALL ON SEQUENCE sluice.model_refresh_id_seq FROM model_analyst;
REVOKE ALL ON SCHEMA sluice FROM model_analyst;
DROP ROLE model_analyst;
