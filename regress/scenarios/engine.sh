#!/usr/bin/env bash
# engine.sh — pipelines run in the background: CREATE PIPELINE starts loading files at once
# (within seconds, nothing to do by hand), new files follow; STOP PIPELINE stops it and
# START PIPELINE resumes; WITH (start = false) waits for START; a batch that fails puts the
# pipeline in state failed with its last error; two sluice processes on one catalog load
# every row exactly once (the pipeline's advisory lock).
# Ports 25530-25539: 25530 PostgreSQL, 25531-25532 sluice.
. "$(dirname "$0")/../lib.sh"

PG=25530 SL=25531 SL2=25532
pg_start pg $PG
(umask 077 && openssl rand -base64 32 >"$TEST_TMP/secret.key")
sluice_start s $SL "$(pg_conninfo pg)" --secret-key-file "$TEST_TMP/secret.key"
DATA=$TEST_TMP/data
mkdir -p "$DATA/orders" "$DATA/later" "$DATA/bad"
chmod -R a+rX "$TEST_TMP"
chmod 600 "$TEST_TMP/secret.key"
sql() { psql_at $SL "$@"; }
count() { sql "SELECT count(*) FROM $1" 2>/dev/null || echo 0; }
has_count() { [[ "$(count "$1")" == "$2" ]]; }
wait_count() { wait_until 20 has_count "$1" "$2"; }
has_state() { [[ "$(sql "SELECT state FROM sluice.pipelines WHERE name = '$1'")" == "$2" ]]; }

write_orders() { # FILE FIRST LAST
    { echo "id,amount"; seq "$2" "$3" | awk '{ print $1 "," $1 * 1.5 }'; } >"$DATA/orders/$1.tmp"
    touch -d '-5 seconds' "$DATA/orders/$1.tmp"
    mv "$DATA/orders/$1.tmp" "$DATA/orders/$1.csv"
}

write_orders 1 1 100
write_orders 2 101 250
sql "CREATE PIPELINE orders FROM FILES '$DATA/orders/*.csv' INTO orders (id integer, amount numeric(10,2))"
wait_count orders 250 || fail "the pipeline did not load its files: $(count orders) rows"
pass "CREATE PIPELINE: the files are loaded in the background"

write_orders 3 251 300
wait_count orders 300 || fail "a new file was not loaded: $(count orders) rows"
assert_eq "$(sql "SHOW PIPELINES" | awk -F'|' '$1 == "orders" { print $2, $7 }')" "running 300" \
    "SHOW PIPELINES: running, 300 rows"
pass "a new file follows"

sql "STOP PIPELINE orders"
sleep 3 # a batch under way may end
write_orders 4 301 310
sleep 5
assert_eq "$(count orders)" 300 "a stopped pipeline loads nothing"
sql "START PIPELINE orders"
wait_count orders 310 || fail "START did not resume: $(count orders) rows"
pass "STOP and START"

cp "$DATA/orders/1.csv" "$DATA/later/1.csv"
touch -d '-5 seconds' "$DATA/later/1.csv"
sql "CREATE PIPELINE later FROM FILES '$DATA/later/*.csv' INTO later (id integer, amount numeric(10,2)) WITH (start = false)"
sleep 4
assert_eq "$(count later)" 0 "start = false waits"
assert_eq "$(sql "SELECT state FROM sluice.pipelines WHERE name = 'later'")" created "state created"
sql "START PIPELINE later"
wait_count later 100 || fail "START of a created pipeline: $(count later) rows"
pass "WITH (start = false) waits for START PIPELINE"

printf 'n\n1\nnot a number\n' >"$DATA/bad/1.csv"
touch -d '-5 seconds' "$DATA/bad/1.csv"
sql "CREATE PIPELINE bad FROM FILES '$DATA/bad/*.csv' INTO bad (n integer) WITH (on_error = abort)"
wait_until 20 has_state bad failed ||
    fail "the failing pipeline is not in state failed"
assert_match "$(sql "SELECT last_error FROM sluice.pipelines WHERE name = 'bad'")" \
    '^22P04: .*1\.csv, line 3: .*not a number' "last_error says where and why"
assert_eq "$(count bad)" 0 "the failed batch left nothing"
pass "a failed batch: state failed, last_error, nothing loaded"

# a second sluice on the same catalog: every row still once
sluice_start s2 $SL2 "$(pg_conninfo pg)" --secret-key-file "$TEST_TMP/secret.key"
for f in $(seq 5 24); do write_orders "$f" $((1000 + f * 100)) $((1000 + f * 100 + 99)); done
wait_count orders $((310 + 20 * 100)) || fail "two engines: $(count orders) rows, want $((310 + 2000))"
sleep 3
assert_eq "$(sql "SELECT count(*) - count(DISTINCT id) FROM orders")" 0 "no row loaded twice"
assert_eq "$(sql "SELECT count(*) FROM sluice.ledger WHERE pipeline = 'orders'")" 24 "one ledger row a file"
pass "two sluice processes on one catalog: every row exactly once"

sluice_stop s2 || fail "sluice s2 exited with status $?"
sluice_stop s || fail "sluice exited with status $?"
