#!/usr/bin/env bash
# regress/scenarios/cancel.sh — query cancellation through sluice.
#
# sluice gives each client its own BackendKeyData and maps a CancelRequest carrying it to
# the key of that client's PostgreSQL backend. Checked here:
#   - psql's Ctrl-C (SIGINT → CancelRequest with the key sluice issued) stops a running
#     pg_sleep(30) within about a second, and only that session's query: a neighbour's
#     query runs to its end;
#   - the same with the client on TLS (the CancelRequest itself comes in clear);
#   - forged CancelRequests (a wrong secret, a wrong pid, PostgreSQL's own pid) cancel
#     nothing, while PQcancel with the real key does (build/scenarios/cancel_forge).
#
# Ports 25440-25449: 25440 PostgreSQL, 25441 sluice, 25442 sluice with TLS.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

make -s -C "$REPO" build/scenarios/cancel_forge

PG=25440 PLAIN=25441 TLS=25442
pg_start pg $PG
sluice_start plain $PLAIN "$(pg_conninfo pg)"

now() { date +%s.%N; }

# ctrl_c_cancels PORT LABEL [conninfo words…]: run pg_sleep(30) in psql through PORT, send
# psql SIGINT after 1 s, and require the cancellation within a second of the signal.
ctrl_c_cancels() {
	local port=$1 label=$2 out=$TEST_TMP/cancel.$1.out pid neighbour t_sig t_end took rc=0
	shift 2
	# A neighbour session sleeping at the same time must not be cancelled with it.
	"$PSQL" -X -A -t -q "host=127.0.0.1 port=$port dbname=postgres user=postgres $*" \
		-c "SELECT 'neighbour ' || pg_sleep(5)::text" >"$TEST_TMP/neighbour.out" 2>&1 &
	neighbour=$!
	# setsid: a background job of a non-interactive shell starts with SIGINT ignored.
	setsid "$PSQL" -X -A -t -q "host=127.0.0.1 port=$port dbname=postgres user=postgres $*" \
		-c "SELECT pg_sleep(30)" >"$out" 2>&1 &
	pid=$!
	wait_until 10 running_sleeps 2 || fail "$label: the two pg_sleep queries did not start"
	sleep 1
	t_sig=$(now)
	kill -INT "$pid"
	wait "$pid" || rc=$?
	t_end=$(now)
	took=$(awk -v a="$t_sig" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')
	log "    psql after SIGINT (exit $rc, ${took} s): $(tr "\n" " " <"$out")"
	((rc != 0)) || fail "$label: psql exited 0, the query was not cancelled"
	grep -q "canceling statement due to user request" "$out" ||
		fail "$label: psql did not report the cancellation: $(cat "$out")"
	awk -v t="$took" 'BEGIN { exit !(t < 1.5) }' || fail "$label: cancellation took ${took} s after SIGINT"
	wait_until 5 running_sleeps 1 || fail "$label: PostgreSQL still runs the cancelled query"
	rc=0
	wait "$neighbour" || rc=$?
	if ((rc != 0)) || ! grep -q "^neighbour" "$TEST_TMP/neighbour.out"; then
		fail "$label: the neighbour's query was hurt: $(cat "$TEST_TMP/neighbour.out")"
	fi
	pass "$label: SIGINT to psql cancels its pg_sleep(30) ${took} s after the signal; the neighbour's query completes"
}

# Exactly N pg_sleep queries are running in PostgreSQL (checked directly, not through sluice).
running_sleeps() {
	local n
	n=$(psql_at $PG "SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid()")
	[[ "$n" == "$1" ]]
}

ctrl_c_cancels $PLAIN "cancel"

rc=0
"$REPO/build/scenarios/cancel_forge" "host=127.0.0.1 port=$PLAIN dbname=postgres user=postgres" |
	sed 's/^/    /' || rc=$?
((rc == 0)) || fail "forged or genuine CancelRequests misbehave (see above)"
pass "forged cancel keys are ignored and PQcancel with sluice's key cancels"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.crt" 2>"$TEST_TMP/openssl.log" ||
	{ cat "$TEST_TMP/openssl.log"; fail "openssl could not make a certificate"; }
chmod 600 "$TEST_TMP/server.key"
sluice_start tls $TLS "$(pg_conninfo pg)" \
	--tls-cert-file "$TEST_TMP/server.crt" --tls-key-file "$TEST_TMP/server.key"
ctrl_c_cancels $TLS "cancel with the client on TLS" sslmode=require

sluice_stop tls || fail "sluice (TLS) exited with status $?"
sluice_stop plain || fail "sluice exited with status $?"
pass "cancel: all checks passed"
