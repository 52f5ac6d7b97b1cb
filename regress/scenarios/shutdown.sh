#!/usr/bin/env bash
# regress/scenarios/shutdown.sh — SIGTERM: stop accepting, let sessions finish, exit 0.
#
#   - no session: sluice exits 0 at once;
#   - a query in flight (pg_sleep(2)): it completes and its client gets the result, new
#     connections are refused meanwhile, and sluice exits 0 once that session has ended;
#   - an idle session that never ends: --shutdown-timeout 2 bounds the wait, sluice exits 0
#     within about 3 s and the backend session goes away with it.
#
# Ports 25480-25489: 25480 PostgreSQL, 25481-25483 sluice.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

PG=25480
pg_start pg $PG

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# at_most SECONDS LIMIT: true when SECONDS <= LIMIT
at_most() { awk -v t="$1" -v l="$2" 'BEGIN { exit !(t <= l) }'; }

# --- no session --------------------------------------------------------------------------------
sluice_start idle 25481 "$(pg_conninfo pg)"
t0=$(now)
rc=0
sluice_stop idle 10 || rc=$?
took=$(elapsed "$t0" "$(now)")
assert_eq "$rc" 0 "exit status of sluice after SIGTERM with no session"
at_most "$took" 1.5 || fail "sluice took $took s to exit with no session open"
pass "no session: SIGTERM → exit 0 in $took s"

# --- a query in flight ---------------------------------------------------------------------
sluice_start busy 25482 "$(pg_conninfo pg)" --shutdown-timeout 10
pid=$(sluice_pid busy)
"$PSQL" -X -A -t -q -h 127.0.0.1 -p 25482 -U postgres -d postgres \
	-c "SELECT 'finished after ' || pg_sleep(2)::text" >"$TEST_TMP/busy.out" 2>&1 &
client=$!
sleeping() {
	[[ -n "$(psql_at $PG "SELECT 1 FROM pg_stat_activity
		WHERE state = 'active' AND query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()")" ]]
}
wait_until 10 sleeping || fail "the pg_sleep(2) query did not start"
t_term=$(now)
kill -TERM "$pid"

sleep 0.3
if out=$(psql_at 25482 "SELECT 'new session during shutdown'" 2>&1); then
	fail "a new connection was accepted during shutdown: $out"
fi
log "    new connection during shutdown: $(printf '%s' "$out" | tr '\n' ' ')"
pid_gone "$pid" && fail "sluice exited while a query was still running"
pass "during shutdown: new connections are refused, sluice waits for the running query"

rc=0
wait "$client" || rc=$?
t_client=$(now)
((rc == 0)) || fail "the in-flight query failed during shutdown: $(cat "$TEST_TMP/busy.out")"
assert_match "$(cat "$TEST_TMP/busy.out")" "^finished after" "result of the in-flight query"
pass "the in-flight pg_sleep(2) completed with its result ($(elapsed "$t_term" "$t_client") s after SIGTERM)"

wait_until 3 pid_gone "$pid" || fail "sluice still runs 3 s after its last session ended"
t_exit=$(now)
rc=0
sluice_stop busy 1 || rc=$?
assert_eq "$rc" 0 "exit status of sluice after a graceful shutdown"
pass "sluice exited 0, $(elapsed "$t_client" "$t_exit") s after the session ended"

# --- an idle session outlives --shutdown-timeout 2 -----------------------------------------------
sluice_start hold 25483 "$(pg_conninfo pg)" --shutdown-timeout 2
pid=$(sluice_pid hold)
mkfifo "$TEST_TMP/stdin"
"$PSQL" -X -q "host=127.0.0.1 port=25483 dbname=postgres user=postgres application_name=held_open" \
	<"$TEST_TMP/stdin" >/dev/null 2>&1 &
client=$!
exec 3>"$TEST_TMP/stdin"
echo "SELECT 1;" >&3
held() {
	[[ "$(psql_at $PG "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'held_open'")" == "$1" ]]
}
wait_until 10 held 1 || fail "the idle session did not connect"

t_term=$(now)
kill -TERM "$pid"
wait_until 6 pid_gone "$pid" || fail "sluice still runs 6 s after SIGTERM with --shutdown-timeout 2"
took=$(elapsed "$t_term" "$(now)")
rc=0
sluice_stop hold 1 || rc=$?
assert_eq "$rc" 0 "exit status of sluice when the shutdown timeout cut an idle session"
at_most "$took" 3.2 || fail "sluice took $took s to exit with --shutdown-timeout 2"
pass "idle session held open: sluice exited 0 after $took s (--shutdown-timeout 2)"
wait_until 5 held 0 || fail "the idle session's backend is still there after sluice exited"
pass "the idle session's backend is gone"
exec 3>&-
wait "$client" 2>/dev/null || true

pass "shutdown: all checks passed"
