#!/usr/bin/env bash
# regress/scenarios/jdbc.sh — pgjdbc through sluice (regress/scenarios/jdbc/SluiceJdbcTest.java).
#
# Compiles the test with the machine's javac against Debian's pgjdbc and runs it against
# sluice: prepared statements past prepareThreshold (named server-side statements), batches,
# transactions with commit, rollback and errors, SHOW sluice.version through the extended
# and the simple protocol, DatabaseMetaData, the CONNECTION and PIPELINE statements, SHOW
# PIPELINES, SHOW CREATE and EXPLAIN through PreparedStatements.
#
# Ports 25460-25469: 25460 PostgreSQL, 25461 sluice.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

PGJDBC=/usr/share/java/postgresql.jar
[[ -r "$PGJDBC" ]] || fail "$PGJDBC is missing (Debian package libpostgresql-jdbc-java)"
command -v javac >/dev/null || fail "javac is missing (Debian package default-jdk-headless)"

PG=25460 SL=25461
pg_start pg $PG
sluice_start s $SL "$(pg_conninfo pg)"

mkdir -p "$TEST_TMP/classes"
javac -d "$TEST_TMP/classes" -cp "$PGJDBC" "$REPO/regress/scenarios/jdbc/SluiceJdbcTest.java" ||
	fail "SluiceJdbcTest.java does not compile"

rc=0
java -cp "$PGJDBC:$TEST_TMP/classes" SluiceJdbcTest \
	"jdbc:postgresql://127.0.0.1:$SL/postgres?user=postgres&ApplicationName=sluice_jdbc" || rc=$?
((rc == 0)) || fail "pgjdbc through sluice: see the 'not ok' lines above"
pass "pgjdbc through sluice"

sluice_stop s || fail "sluice exited with status $?"
pass "jdbc: all checks passed"
