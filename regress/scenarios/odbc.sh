#!/usr/bin/env bash
# regress/scenarios/odbc.sh — psqlODBC (unixODBC's isql) through sluice.
#
# A private odbc.ini / odbcinst.ini in $TEST_TMP (ODBCINI, ODBCSYSINI) defines two DSNs on
# sluice with the "PostgreSQL Unicode" driver: one with psqlODBC's defaults (server-side
# prepare: Parse/Bind/Describe/Execute through libpq) and one with UseServerSidePrepare=0
# (simple Query messages). Through each: DDL, INSERT/UPDATE row counts, an error with its
# SQLSTATE and a query after it, rows read back, and SHOW sluice.version. isql -b exits 0
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
done

sluice_stop s || fail "sluice exited with status $?"
pass "odbc: all checks passed"
