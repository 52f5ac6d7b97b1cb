#!/usr/bin/env bash
# regress/run.sh — sluice's end-to-end tests; what `make test` runs after building.
#
#   regress/run.sh [--direct] [NAME…]
#
# 1. The SQL suite, in the manner of PostgreSQL's pg_regress. One PostgreSQL 15 cluster
#    (127.0.0.1:25400) and one sluice in front of it (127.0.0.1:25401). For each test NAME
#    of regress/schedule, in order, regress/sql/NAME.sql is fed to psql through sluice; the
#    transcript goes to regress/results/NAME.out and is compared with
#    regress/expected/NAME.out. Then the same file is run directly against PostgreSQL into
#    regress/results/NAME.direct.out, compared with the same expected file: a transparent
#    proxy changes nothing. Tests named sluice_* run through sluice only (PostgreSQL does not
#    know sluice's statements). Each run gets a fresh database `regression`.
#    psql runs as pg_regress runs it: `psql -X -a -q` reading the file from standard input,
#    stderr merged, ON_ERROR_STOP off, PGTZ=PST8PDT, PGDATESTYLE='Postgres, MDY',
#    LC_MESSAGES=C, PGAPPNAME=pg_regress, with regress/results as the working directory.
#    Two filters are applied to every transcript before comparing: a notification names the
#    sending backend's pid, so "server process with PID 1234" becomes "… with PID N"; and
#    the suite's PostgreSQL port, which REGRESS_PORT moves, becomes PGPORT where sluice
#    prints it as an option value (port '25400' in EXPLAIN SHARE).
#    Differences are collected in regress/results/regression.diffs.
#    After the suite, sluice's peak resident memory (VmHWM) must be under 64 MB, although
#    big_result streams more than 1 GB through it, and SIGTERM must stop it with status 0.
# 2. Every regress/scenarios/*.sh, in name order, each with a time limit (SCENARIO_TIMEOUT,
#    default 300 s); a script passes when it exits 0. Its output goes to
#    regress/results/scenarios/NAME.log, and its last lines are shown when it fails.
#
# NAME… runs only the SQL tests and scenarios of those names. --direct runs the SQL suite
# against PostgreSQL only, without sluice and without scenarios: a check of the expected
# files themselves, useful when writing a new test. Exits non-zero when anything failed.
#
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/lib.sh"

# REGRESS_PORT moves the suite's pair of ports (two checkouts testing side by side).
PG_PORT=${REGRESS_PORT:-25400}
SLUICE_PORT=$((PG_PORT + 1))
HWM_LIMIT_KB=$((64 * 1024))
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-300}

RDIR=$REPO/regress
RESULTS=$RDIR/results
DIFFS=$RESULTS/regression.diffs

direct_only=0
if [[ "${1:-}" == --direct ]]; then
	direct_only=1
	shift
fi

# --- what to run ------------------------------------------------------------------------

schedule=()
while read -r line; do
	line=${line%%#*}
	line=${line//[[:space:]]/}
	[[ -n "$line" ]] && schedule+=("$line")
done <"$RDIR/schedule"

scenarios=()
for f in "$RDIR"/scenarios/*.sh; do
	[[ -e "$f" ]] && scenarios+=("$(basename "$f" .sh)")
done
((direct_only)) && scenarios=()

# With names given, keep only those (and complain about a name that is neither).
if (($# > 0)); then
	declare -A asked=() found=()
	for n in "$@"; do asked[$n]=1; done
	keep() {
		local -n list=$1
		local kept=() t
		for t in "${list[@]}"; do
			[[ -n "${asked[$t]:-}" ]] || continue
			kept+=("$t")
			found[$t]=1
		done
		list=("${kept[@]}")
	}
	keep schedule
	keep scenarios
	for n in "$@"; do
		[[ -n "${found[$n]:-}" ]] || fail "no SQL test or scenario named $n"
	done
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS/scenarios"
: >"$DIFFS"

failures=()

# --- 1. the SQL suite -------------------------------------------------------------------

export PGTZ=PST8PDT PGDATESTYLE='Postgres, MDY' LC_MESSAGES=C PGAPPNAME=pg_regress

# Run regress/sql/$1.sql with psql on port $2 into $3, as pg_regress does, in
# regress/results (where a test's \copy files go).
run_sql() {
	(cd "$RESULTS" && "$PSQL" -X -a -q -h 127.0.0.1 -p "$2" -U postgres -d regression \
		-v ON_ERROR_STOP=0 -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on \
		<"$RDIR/sql/$1.sql" >"$3" 2>&1) || true
	sed -E -i -e 's/server process with PID [0-9]+/server process with PID N/' \
		-e "s/port '$PG_PORT'/port 'PGPORT'/g" "$3"
}

fresh_database() {
	psql_at "$PG_PORT" "SET client_min_messages = warning" \
		"DROP DATABASE IF EXISTS regression WITH (FORCE)" "CREATE DATABASE regression"
}

# Compare result $2 of test $1 with its expected file; print ok/FAILED.
compare() {
	local expected=$RDIR/expected/$1.out
	if [[ ! -f "$expected" ]]; then
		printf 'no expected file %s\n' "$expected" >>"$DIFFS"
		echo FAILED
		return 1
	fi
	if diff -q "$expected" "$2" >/dev/null; then
		echo ok
		return 0
	fi
	diff -U3 "$expected" "$2" >>"$DIFFS" || true
	echo FAILED
	return 1
}

run_suite() {
	local t start via_sluice via_pg
	pg_start pg "$PG_PORT"
	if ((direct_only)); then
		log "== SQL suite, directly against PostgreSQL on $PG_PORT"
	else
		on_exit cp "$(sluice_log regress)" "$RESULTS/sluice.log"
		(umask 077 && openssl rand -base64 32 >"$TEST_TMP/secret.key")
		sluice_start regress "$SLUICE_PORT" "$(pg_conninfo pg)" \
			--secret-key-file "$TEST_TMP/secret.key" \
			--iam-role arn:aws:iam::123456789012:role/SluiceLoad --staging-connection staging \
			--pipeline-workers 0
		log "== SQL suite (PostgreSQL on $PG_PORT, sluice on $SLUICE_PORT)"
	fi
	for t in "${schedule[@]}"; do
		start=$SECONDS
		via_sluice=skipped
		via_pg=skipped
		if [[ ! -f "$RDIR/sql/$t.sql" ]]; then
			via_sluice="FAILED (no regress/sql/$t.sql)"
			failures+=("sql/$t")
		else
			if ((!direct_only)); then
				fresh_database
				run_sql "$t" "$SLUICE_PORT" "$RESULTS/$t.out"
				via_sluice=$(compare "$t" "$RESULTS/$t.out") || failures+=("sql/$t (through sluice)")
			fi
			if [[ "$t" != sluice_* ]]; then
				fresh_database
				run_sql "$t" "$PG_PORT" "$RESULTS/$t.direct.out"
				via_pg=$(compare "$t" "$RESULTS/$t.direct.out") || failures+=("sql/$t (direct)")
			fi
		fi
		printf 'test %-20s ... sluice %-8s direct %-8s (%d s)\n' \
			"$t" "$via_sluice" "$via_pg" $((SECONDS - start))
	done
	((direct_only)) && return 0

	local hwm rc=0
	hwm=$(hwm_kb "$(sluice_pid regress)")
	log "sluice peak RSS (VmHWM): $((hwm / 1024)) MB ($hwm kB; limit $((HWM_LIMIT_KB / 1024)) MB)"
	((hwm < HWM_LIMIT_KB)) || failures+=("sluice peak RSS $hwm kB >= $HWM_LIMIT_KB kB")
	sluice_stop regress || rc=$?
	((rc == 0)) || failures+=("sluice exited with status $rc on SIGTERM")
	pg_stop pg
}

if ((${#schedule[@]} > 0)); then
	run_suite
	[[ -s "$DIFFS" ]] && log "differences: regress/results/regression.diffs"
fi

# --- 2. scenarios -----------------------------------------------------------------------

# timeout(1) runs each scenario in a process group of its own, which a Ctrl-C at the
# terminal does not reach; when run.sh is interrupted, it passes SIGTERM on to timeout,
# which signals the whole group, so the scenario's own clean-up runs.
SCENARIO_PID=
# shellcheck disable=SC2317 # called at exit, through on_exit
stop_scenario() {
	[[ -n "$SCENARIO_PID" ]] || return 0
	kill -TERM "$SCENARIO_PID" 2>/dev/null
	wait "$SCENARIO_PID" 2>/dev/null
}
on_exit stop_scenario

if ((${#scenarios[@]} > 0)); then
	log "== scenarios"
	for s in "${scenarios[@]}"; do
		start=$SECONDS
		out=$RESULTS/scenarios/$s.log
		rc=0
		timeout -k 10 "$SCENARIO_TIMEOUT" bash "$RDIR/scenarios/$s.sh" >"$out" 2>&1 </dev/null &
		SCENARIO_PID=$!
		wait "$SCENARIO_PID" || rc=$?
		SCENARIO_PID=
		if ((rc == 0)); then
			printf 'PASS %-30s (%d s)\n' "$s" $((SECONDS - start))
		else
			((rc == 124)) && echo "(killed after ${SCENARIO_TIMEOUT} s)" >>"$out"
			printf 'FAIL %-30s (%d s, exit %d; log: regress/results/scenarios/%s.log)\n' \
				"$s" $((SECONDS - start)) "$rc" "$s"
			tail -n 15 "$out" | sed 's/^/    /'
			failures+=("scenario $s")
		fi
	done
fi

# --- summary ----------------------------------------------------------------------------

if ((${#failures[@]} == 0)); then
	log "== all tests passed (${#schedule[@]} SQL tests, ${#scenarios[@]} scenarios)"
	exit 0
fi
log "== ${#failures[@]} failed:"
printf '   %s\n' "${failures[@]}"
exit 1
