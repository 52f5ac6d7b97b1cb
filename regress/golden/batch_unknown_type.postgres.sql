ERROR 42704: type "text[]" is not supported by sluice
HINT: Column types are integer, bigint, smallint, numeric(p,s), real, double precision, boolean, date, time, timestamp, timestamptz, text, varchar(n), char(n), json, jsonb, uuid or bytea.
