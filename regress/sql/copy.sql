--
-- COPY: CopyIn and CopyOut relayed as a stream, the data never taken for commands.
--
CREATE TABLE people (id integer PRIMARY KEY, name text, note text, born date);

-- text format: tab-separated, \N is NULL, backslash escapes
COPY people FROM STDIN;
1	Ada	first programmer	1815-12-10
2	Alan	\N	1912-06-23
3	Grace	says "hello"\tand\\bye	1906-12-09
\.
SELECT * FROM people ORDER BY id;

-- csv format with a header; quoted fields keep commas, quotes and newlines;
-- an unquoted empty field is NULL, a quoted one an empty string
COPY people FROM STDIN WITH (FORMAT csv, HEADER true);
id,name,note,born
4,Edsger,"one, two",1930-05-11
5,Barbara,"a ""quoted"" word",1939-11-07
6,Ken,"line one
line two
line three",1943-02-04
7,Dennis,,1941-09-09
8,Niklaus,"",1934-02-15
\.
SELECT id, name, note, note IS NULL AS note_is_null FROM people WHERE id >= 4 ORDER BY id;

-- a line that looks like SQL is data inside COPY
COPY people (id, name) FROM STDIN;
9	DROP TABLE people;
10	SELECT 1;
\.
SELECT count(*) FROM people;

-- COPY TO STDOUT, text and csv
COPY people TO STDOUT;
COPY (SELECT id, name, note FROM people WHERE id IN (3, 6, 7, 8) ORDER BY id)
    TO STDOUT WITH (FORMAT csv, HEADER true);
COPY (SELECT g, g * g FROM generate_series(1, 5) g) TO STDOUT WITH (DELIMITER '|');

-- bad rows: the error names the line and the column, and nothing of that COPY is kept
COPY people FROM STDIN;
11	Linus	\N	1969-12-28
12	Bjarne	\N	not a date
13	Guido	\N	1956-01-31
\.
COPY people FROM STDIN WITH (FORMAT csv);
14,Anders,,1960-12-02
15,Brian,"unterminated
\.
COPY people FROM STDIN;
1	duplicate	\N	\N
\.
COPY people (id, nosuchcolumn) FROM STDIN;
SELECT count(*) FROM people;

-- the session goes on normally after a failed COPY
SELECT name FROM people WHERE id = 1;

-- COPY of a larger stream, in and out
CREATE TABLE numbers (n integer, square bigint, label text);
INSERT INTO numbers SELECT g, g::bigint * g, 'row ' || g FROM generate_series(1, 20000) g;
CREATE TABLE numbers_copy (LIKE numbers);
\copy numbers TO 'numbers.csv' WITH (FORMAT csv)
\copy numbers_copy FROM 'numbers.csv' WITH (FORMAT csv)
\! rm -f numbers.csv
SELECT count(*), sum(n), sum(square), max(label) FROM numbers_copy;
SELECT count(*) FROM (SELECT * FROM numbers EXCEPT SELECT * FROM numbers_copy) d;

DROP TABLE people, numbers, numbers_copy;
