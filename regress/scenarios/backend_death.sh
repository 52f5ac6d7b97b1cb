#!/usr/bin/env bash
# regress/scenarios/backend_death.sh — when one side of a session goes away, or misbehaves.
#
#   - PostgreSQL ends the backend (pg_terminate_backend): its own FATAL 57P01 reaches the
#     client through sluice, then the connection is closed;
#   - the backend process is killed outright (SIGKILL, no goodbye): sluice tells the client
#     with SQLSTATE 08006 and closes; once PostgreSQL has recovered, new sessions work;
#   - the client vanishes (psql killed with SIGKILL), idle or in the middle of a query: its
#     backend leaves pg_stat_activity within a few seconds. The busy case relies on sluice
#     closing the backend connection, which PostgreSQL notices thanks to
#     client_connection_check_interval;
#   - malformed client input (build/scenarios/malformed): 08P01 and a close for that client,
#     and sluice keeps serving everyone else.
#
# Ports 25430-25439: 25430 PostgreSQL, 25431 sluice.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

make -s -C "$REPO" build/scenarios/backend_lost build/scenarios/malformed

PG=25430 SL=25431
pg_start pg $PG "client_connection_check_interval = '500ms'"
sluice_start s $SL "$(pg_conninfo pg)"
SPID=$(sluice_pid s)
CONN="host=127.0.0.1 port=$SL dbname=postgres user=postgres"

sluice_serves() {
	pid_gone "$SPID" && fail "sluice (pid $SPID) is gone"
	assert_eq "$(psql_at $SL "SELECT 'alive'")" alive "a new session through sluice after: $1"
}

# backends_are NAME N [STATE]: exactly N backends have application_name NAME (and STATE).
backends_are() {
	[[ "$(psql_at $PG "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
		AND state LIKE '${3:-%}'")" == "$2" ]]
}

# lose_backend SQLSTATE HOW: a session through sluice sleeps; its backend is ended with HOW
# (terminate | kill9); build/scenarios/backend_lost checks the SQLSTATE and the close.
lose_backend() {
	local want=$1 how=$2 out=$TEST_TMP/backend_lost.$2.out helper bpid rc=0
	"$REPO/build/scenarios/backend_lost" "$CONN application_name=lose_$how" "$want" >"$out" 2>&1 &
	helper=$!
	wait_until 10 grep -q '^backend_pid ' "$out" || fail "$how: the helper did not connect: $(cat "$out")"
	bpid=$(awk '/^backend_pid /{ print $2 }' "$out")
	wait_until 10 sleeping "$bpid" || fail "$how: backend $bpid is not running pg_sleep"
	case $how in
	terminate) assert_eq "$(psql_at $PG "SELECT pg_terminate_backend($bpid)")" t "pg_terminate_backend" ;;
	kill9) kill -KILL "$bpid" ;;
	esac
	wait "$helper" || rc=$?
	sed 's/^/    /' "$out"
	((rc == 0)) || fail "$how: the client did not get SQLSTATE $want and a closed connection"
}

sleeping() {
	[[ "$(psql_at $PG "SELECT count(*) FROM pg_stat_activity
		WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'")" == 1 ]]
}

# --- the backend is terminated by PostgreSQL ------------------------------------------------
lose_backend 57P01 terminate
pass "pg_terminate_backend: the client gets PostgreSQL's FATAL 57P01, then the connection closes"
sluice_serves "pg_terminate_backend"

# --- the client vanishes --------------------------------------------------------------------
# Idle: psql waits on a FIFO for statements that never come.
mkfifo "$TEST_TMP/stdin"
"$PSQL" -X -q "$CONN application_name=vanish_idle" <"$TEST_TMP/stdin" >/dev/null 2>&1 &
psql_pid=$!
exec 3>"$TEST_TMP/stdin"
echo "SELECT 1;" >&3
wait_until 10 backends_are vanish_idle 1 || fail "the idle psql did not connect"
kill -KILL "$psql_pid"
wait "$psql_pid" 2>/dev/null || true
exec 3>&-
t0=$SECONDS
wait_until 5 backends_are vanish_idle 0 ||
	fail "an idle client killed with SIGKILL: its backend is still in pg_stat_activity after 5 s"
pass "idle client killed: its backend left pg_stat_activity within $((SECONDS - t0)) s"

# Busy: the backend is in pg_sleep(60) when the client disappears.
"$PSQL" -X -q "$CONN application_name=vanish_busy" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
psql_pid=$!
wait_until 10 backends_are vanish_busy 1 active ||
	fail "the busy psql did not start its query"
kill -KILL "$psql_pid"
wait "$psql_pid" 2>/dev/null || true
t0=$SECONDS
wait_until 5 backends_are vanish_busy 0 ||
	fail "a client killed mid-query: its backend is still in pg_stat_activity after 5 s"
pass "busy client killed: its backend left pg_stat_activity within $((SECONDS - t0)) s"
sluice_serves "clients vanishing"

# --- malformed client input ---------------------------------------------------------------
rc=0
"$REPO/build/scenarios/malformed" "$CONN" | sed 's/^/    /' || rc=$?
((rc == 0)) || fail "malformed input: see the lines above"
pass "malformed messages get 08P01 and a close; sluice keeps serving"
sluice_serves "malformed input"

# --- the backend is killed outright (PostgreSQL then restarts every backend) ----------------
lose_backend 08006 kill9
pass "backend killed with SIGKILL: the client gets SQLSTATE 08006 from sluice, then a close"
wait_until 60 psql_at $PG "SELECT 1" >/dev/null 2>&1 || fail "PostgreSQL did not recover"
sluice_serves "the backend crash"

sluice_stop s || fail "sluice exited with status $?"
pass "backend_death: all checks passed"
