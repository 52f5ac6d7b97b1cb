#!/usr/bin/env bash
# regress/scenarios/idle_conns.sh — 1,000 concurrent client sessions through sluice.
#
# pgbench opens 1,000 connections through sluice; each runs one query, stays idle for
# IDLE_SECONDS (default 25), then runs another. While they are all open, PostgreSQL must
# show 1,000 client backends of theirs (sluice is a 1:1 relay: one backend per client) and
# sluice's resident memory must stay under 100 MB. Both figures are printed.
#
# Ports 25450-25459: 25450 PostgreSQL, 25451 sluice.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

CLIENTS=1000 IDLE_SECONDS=${IDLE_SECONDS:-25} RSS_LIMIT_KB=$((100 * 1024))
PG=25450 SL=25451

# 1,000 clients + 1,000 backend legs + pgbench's own: well past the usual 1024.
hard=$(ulimit -Hn)
[[ "$hard" == unlimited ]] && hard=8192
((hard >= 2200)) || fail "the open-file hard limit ($hard) is too low for $CLIENTS clients"
ulimit -n $((hard < 8192 ? hard : 8192))

pg_start pg $PG "max_connections = 1100"
sluice_start s $SL "$(pg_conninfo pg)"
pid=$(sluice_pid s)
log "sluice at rest: VmRSS $(rss_kb "$pid") kB"

printf 'SELECT 1;\n\\sleep %s s\nSELECT 2;\n' "$IDLE_SECONDS" >"$TEST_TMP/idle.sql"
"$PG_BIN/pgbench" -n -h 127.0.0.1 -p $SL -U postgres -c $CLIENTS -j 4 -t 1 \
	-f "$TEST_TMP/idle.sql" postgres >"$TEST_TMP/pgbench.out" 2>&1 &
bench=$!

connected() {
	psql_at $PG "SELECT count(*) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND application_name = 'pgbench'"
}
all_connected() {
	pid_gone "$bench" && return 0 # pgbench gave up: stop waiting, the checks below say why
	(($(connected) >= CLIENTS))
}
wait_until $((IDLE_SECONDS + 30)) all_connected || true
n=$(connected)
rss=$(rss_kb "$pid")
log "pg_stat_activity: $n pgbench client backends; sluice VmRSS ${rss} kB ($((rss / 1024)) MB)"
((n >= CLIENTS)) || { cat "$TEST_TMP/pgbench.out"; fail "only $n of $CLIENTS sessions reached PostgreSQL"; }
pass "$n concurrent sessions through sluice reach PostgreSQL"
((rss < RSS_LIMIT_KB)) || fail "sluice uses ${rss} kB with $CLIENTS sessions (limit $RSS_LIMIT_KB kB)"
pass "sluice VmRSS with $CLIENTS sessions open: ${rss} kB (< 100 MB)"

rc=0
wait "$bench" || rc=$?
sed 's/^/    /' "$TEST_TMP/pgbench.out"
((rc == 0)) || fail "pgbench failed (exit $rc)"
grep -q "number of transactions actually processed: $CLIENTS/$CLIENTS" "$TEST_TMP/pgbench.out" ||
	fail "not every session ran both its queries"
grep -q "number of failed transactions: 0 " "$TEST_TMP/pgbench.out" || fail "pgbench saw failures"
pass "every session ran a query before and after $IDLE_SECONDS s idle"
log "sluice peak memory: VmHWM $(hwm_kb "$pid") kB"

pid_gone "$pid" && fail "sluice is gone"
sluice_stop s || fail "sluice exited with status $?"
pass "idle_conns: all checks passed"
