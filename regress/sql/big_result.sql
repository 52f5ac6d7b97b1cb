--
-- A big result: more than 1 GB of rows streams through the connection. psql fetches
-- them 10000 at a time through a cursor (FETCH_COUNT) and writes them, unaligned, to
-- /dev/null, so neither psql nor a proxy in between should hold more than a few batches.
-- regress/run.sh then checks that sluice's peak memory stayed small.
--
\set FETCH_COUNT 10000
\pset format unaligned
\o /dev/null
SELECT g AS n, repeat('x', 1000) AS payload FROM generate_series(1, 1100000) g;
\o
\pset format aligned
\unset FETCH_COUNT
SELECT 'the connection is still usable' AS status;

-- a wide row: one 16 MB value in a single DataRow message
\o /dev/null
SELECT repeat('y', 16 * 1024 * 1024) AS wide;
\o
SELECT 'still usable after a 16 MB row' AS status;
