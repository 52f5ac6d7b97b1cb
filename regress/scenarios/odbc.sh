#!/usr/bin/env bash
# regress/scenarios/odbc.sh — psqlODBC (unixODBC's isql) through sluice.
#
# A private odbc.ini / odbcinst.ini in $TEST_TMP (ODBCINI, ODBCSYSINI) defines two DSNs on
# sluice with the "PostgreSQL Unicode" driver: one with psqlODBC's defaults (server-side
# prepare: Parse/Bind/Describe/Execute through libpq) and one with UseServerSidePrepare=0
# (simple Query messages). Through each: DDL, INSERT/UPDATE row counts, an error with its
# SQLSTATE and a query after it, rows read back, SHOW sluice.version, and sluice's own
# CONNECTION, PIPELINE and MODEL statements with SHOW CREATE and EXPLAIN. isql -b exits 0
# whatever happens, so every check reads its output.
#
# Ports 25470-25479: 25470 PostgreSQL, 25471 sluice.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v isql >/dev/null || fail "isql is missing (Debian package unixodbc)"
driver=$(awk -F' *= *' '/^\[PostgreSQL Unicode\]/ { s = 1; next } /^\[/ { s = 0 }
	s && $1 == "Driver" { print $2 }' /etc/odbcinst.ini)
[[ -n "$driver" ]] || fail "no [PostgreSQL Unicode] driver in /etc/odbcinst.ini (package odbc-postgresql)"

PG=25470 SL=25471
pg_start pg $PG
sluice_start s $SL "$(pg_conninfo pg)"

export ODBCSYSINI=$TEST_TMP ODBCINI=$TEST_TMP/odbc.ini
cat >"$ODBCSYSINI/odbcinst.ini" <<EOF
[PostgreSQL Unicode]
Description = PostgreSQL ODBC driver (Unicode version)
Driver = $driver
EOF
dsn() {
	cat <<EOF
[$1]
Driver = PostgreSQL Unicode
Servername = 127.0.0.1
Port = $SL
Database = postgres
Username = postgres
Password =
SSLmode = disable
UseServerSidePrepare = $2

EOF
}
{ dsn sluice 1; dsn sluice_simple 0; } >"$ODBCINI"

# isql_run DSN [isql flags…] < statements, one per line: print what isql printed.
isql_run() {
	local name=$1
	shift
	isql -b -v "$@" "$name" 2>&1
}

for name in sluice sluice_simple; do
	table=odbc_items_$name
	out=$(isql_run $name <<EOF
CREATE TABLE $table (id int PRIMARY KEY, name text, price numeric(8,2), added date)
INSERT INTO $table VALUES (1, 'apple', 1.25, '2024-01-02'), (2, 'pear', 2.50, '2024-02-03'), (3, 'plum', NULL, NULL)
UPDATE $table SET price = 3.75 WHERE id = 2
SELECT 1/0
SELECT 'still ' || 'here' AS after_error
EOF
	)
	printf '%s\n' "$out" | grep -v -- '^+--' | sed "s/^/    [$name] /"
	counts=$(printf '%s\n' "$out" | grep -o 'SQLRowCount returns [0-9-]*' | tr '\n' ',')
	assert_match "$counts" "^SQLRowCount returns -?[0-9]+,SQLRowCount returns 3,SQLRowCount returns 1," \
		"$name: row counts of CREATE, INSERT (3) and UPDATE (1)"
	assert_match "$out" $'\\[22012\\]ERROR: division by zero' "$name: the error keeps its SQLSTATE"
	assert_match "$out" $'\n\\| still here +\\|' "$name: a query after the error runs"
	pass "$name: CREATE, INSERT, UPDATE with row counts; an error (22012) and a query after it"

	out=$(isql_run $name -d'|' -c <<EOF
SELECT id, name, price, added FROM $table ORDER BY id
SHOW sluice.version
SELECT count(*) AS n FROM $table WHERE price IS NOT NULL
EOF
	)
	printf '%s\n' "$out" | sed "s/^/    [$name] /"
	[[ "$out" == *"[ISQL]"* || "$out" == *"ERROR"* ]] && fail "$name: isql reported an error"
	want=$'id|name|price|added\n1|apple|1.25|2024-01-02\n2|pear|3.75|2024-02-03\n3|plum||'
	want+=$'\nversion\nsluice [0-9]+\\.[0-9]+\\.[0-9]+[^\n]*\nn\n2'
	assert_match "$out" "^$want\$" "$name: rows read back, SHOW sluice.version, count"
	pass "$name: rows read back through ODBC; SHOW sluice.version answers $(printf '%s\n' "$out" | sed -n 6p)"

	# sluice's own statements: a connection, a pipeline (its table made at once), SHOW, EXPLAIN,
	# a model built from the rows above, and their removal
	out=$(isql_run $name -d'|' -c <<EOF
CREATE CONNECTION odbc_lake_$name TYPE s3 WITH (bucket = 'acme')
CREATE PIPELINE odbc_p_$name FROM S3 'in/' CONNECTION odbc_lake_$name INTO odbc_t_$name (id int, v text) WITH (mode = upsert, primary_key = id)
SELECT count(*) AS pipeline_table FROM pg_tables WHERE tablename = 'odbc_t_$name'
SHOW CREATE PIPELINE odbc_p_$name
EXPLAIN RUN PIPELINE odbc_p_$name
CREATE MODEL odbc_m_$name MATERIALIZED AS TABLE AS SELECT count(*) AS n FROM $table
SELECT n AS model_rows FROM odbc_m_$name
DROP MODEL odbc_m_$name
DROP PIPELINE odbc_p_$name AND TABLE
DROP CONNECTION odbc_lake_$name
SELECT count(*) AS left_over FROM sluice.pipeline WHERE name = 'odbc_p_$name'
EOF
	)
	printf '%s\n' "$out" | cut -c1-150 | sed "s/^/    [$name] /"
	[[ "$out" == *"[ISQL]"* || "$out" == *"ERROR"* ]] && fail "$name: isql reported an error"
	assert_match "$out" $'pipeline_table\n1\n' "$name: CREATE PIPELINE made its table"
	assert_match "$out" $'\nodbc_p_'"$name"$'\\|CREATE PIPELINE odbc_p_'"$name"" FROM S3 'in/'" \
		"$name: SHOW CREATE PIPELINE"
	assert_match "$out" 'ON CONFLICT \("id"\)' "$name: EXPLAIN RUN PIPELINE shows the upsert"
	assert_match "$out" $'model_rows\n3\n' "$name: the model holds the count of the rows"
	assert_match "$out" $'left_over\n0' "$name: DROP PIPELINE removed the catalog row"
	pass "$name: CREATE CONNECTION / PIPELINE / MODEL, SHOW CREATE, EXPLAIN and DROPs through ODBC"
done

sluice_stop s || fail "sluice exited with status $?"
pass "odbc: all checks passed"
