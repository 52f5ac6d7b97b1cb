#!/usr/bin/env bash
# statements.sh — a statement of sluice's never holds up other sessions: while one client's
# CREATE MODEL runs a slow query on its own backend session, other clients on the same
# relay loop (--threads 1) keep getting answers, to ordinary SQL and to sluice's own SHOW.
# Ports: 25408 (PostgreSQL), 25409 (sluice).
. "$(dirname "$0")/../lib.sh"

pg_start pg 25408
sluice_start s 25409 "$(pg_conninfo pg)" --threads 1

# the slow statement: its SELECT sleeps 3 s on the client's own backend session
slow_start=$(date +%s.%N)
psql_at 25409 "CREATE MODEL slow MATERIALIZED AS TABLE AS SELECT 1 AS x FROM pg_sleep(3)" \
    >"$TEST_TMP/slow.out" 2>&1 &
slow_pid=$!
sleep 0.5
kill -0 "$slow_pid" 2>/dev/null || fail "CREATE MODEL ended too soon: $(cat "$TEST_TMP/slow.out")"

# meanwhile, twenty round trips from other clients, each a new session on the same loop
others_start=$(date +%s.%N)
for i in $(seq 1 10); do
    assert_eq "$(psql_at 25409 "SELECT $i")" "$i" "an ordinary query during CREATE MODEL"
    psql_at 25409 "SHOW PIPELINES" >/dev/null || fail "SHOW PIPELINES during CREATE MODEL"
done
others_end=$(date +%s.%N)
kill -0 "$slow_pid" 2>/dev/null || fail "CREATE MODEL was over before the other clients were done"
wait "$slow_pid" || fail "CREATE MODEL failed: $(cat "$TEST_TMP/slow.out")"
slow_end=$(date +%s.%N)

others=$(awk -v a="$others_start" -v b="$others_end" 'BEGIN { printf "%.2f", b - a }')
slow=$(awk -v a="$slow_start" -v b="$slow_end" 'BEGIN { printf "%.2f", b - a }')
log "other clients: 20 statements in ${others} s while CREATE MODEL took ${slow} s"
awk -v t="$slow" 'BEGIN { exit !(t >= 3) }' || fail "CREATE MODEL took ${slow} s, less than its sleep"
awk -v t="$others" 'BEGIN { exit !(t < 2.5) }' || fail "the other clients waited ${others} s: held up"
assert_eq "$(psql_at 25409 "SELECT x FROM slow")" 1 "the model was built"
pass "a running statement of sluice's held up no other session"

sluice_stop s || fail "sluice exited with status $?"
