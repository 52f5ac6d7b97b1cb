# shellcheck shell=bash
# regress/lib.sh — helpers shared by sluice's test scripts.
#
# Source it from a test script (bash), first thing:
#
#   #!/usr/bin/env bash
#   # shellcheck source=regress/lib.sh
#   . "$(dirname "$0")/../lib.sh"            # from regress/scenarios/NAME.sh
#
#   pg_start pg 25410
#   sluice_start s 25411 "$(pg_conninfo pg)"
#   got=$(psql_at 25411 "SELECT 1")
#   assert_eq "$got" 1 "a query through sluice"
#   sluice_stop s || fail "sluice exited with status $?"
#   pass "select through sluice"
#
# Sourcing turns on `set -euo pipefail`: a command that fails unexpectedly ends the script
# (and so the test) with a message naming the line. Write expected failures as
# `if ! cmd; then …`, `cmd || rc=$?` or `cmd || true`.
#
# A script passes when it exits 0. At exit, whatever the reason (success, `fail`, an
# unexpected error, SIGINT/SIGTERM from regress/run.sh's timeout), every sluice and
# PostgreSQL started here is stopped and $TEST_TMP is removed. The EXIT, INT, TERM and HUP
# traps belong to this file: register extra clean-up with `on_exit CMD...`, do not `trap`.
#
# API (stable; add to it, do not change it):
#   REPO, SLUICE, PG_BIN, PSQL   repo root, build/sluice, PostgreSQL 15 bin dir, its psql
#   TEST_NAME, TEST_TMP          script name without .sh; its private temp dir (mode 755)
#   log MSG…  pass MSG…  fail MSG…   print; print "PASS: …"; print "FAIL: …" and exit 1
#   assert_eq GOT WANT MSG       fail unless GOT = WANT (shows both)
#   assert_match GOT REGEX MSG   fail unless GOT matches the extended REGEX (bash =~)
#   wait_until SECS CMD…         run CMD every 0.1 s until it succeeds; 1 after SECS
#   on_exit CMD…                 run CMD at exit, before the servers stop (last in, first run)
#   pg_start NAME PORT [CONF…]   throwaway PostgreSQL 15 in $TEST_TMP/NAME, each CONF a
#                                postgresql.conf line (`"log_min_messages = debug1"`)
#   pg_stop NAME                 stop it (fast shutdown)
#   pg_conninfo NAME             "host=127.0.0.1 port=PORT dbname=postgres user=postgres"
#   pg_datadir NAME              its data directory (server log: $(pg_datadir NAME)/log)
#   sluice_start NAME PORT BACKEND_CONNINFO [ARGS…]
#                                build/sluice --listen 127.0.0.1:PORT --backend … ARGS, in
#                                the background, stdout+stderr to $TEST_TMP/NAME.log; returns
#                                once PORT accepts TCP connections (fails after 10 s or if
#                                sluice exits first, showing its log)
#   sluice_pid NAME              print its pid (also in $SLUICE_PID_NAME when NAME is
#                                a valid shell identifier)
#   sluice_log NAME              print the path of its log
#   sluice_stop NAME [SECS]      SIGTERM, wait up to SECS (default 30) and return sluice's
#                                exit status (SIGKILL and 124 if it has not exited by then)
#   rss_kb PID  hwm_kb PID       VmRSS / VmHWM (peak RSS) of PID in kB, from /proc
#   psql_at PORT SQL…            psql -X -A -t -q -h 127.0.0.1 -p PORT -U postgres -d postgres
#                                -v ON_ERROR_STOP=1, one -c per SQL argument
#   wait_port PORT [SECS]        wait until 127.0.0.1:PORT accepts TCP connections
#   port_in_use PORT             true when something listens on 127.0.0.1:PORT
#   pid_gone PID                 true when PID has exited (a zombie counts as exited)
#
# Ports. Every script uses fixed ports on 127.0.0.1, each script its own, so that a run
# never depends on what another script left behind:
#   5439, 54320   `make run` (sluice, embedded PostgreSQL) — never used by tests
#   25400-25407   regress/run.sh, the SQL suite (25400 PostgreSQL, 25401 sluice; REGRESS_PORT
#                 moves the pair within this block)
#   25408-25409   regress/scenarios/statements.sh
#   25419         regress/scenarios/copy_roundtrip.sh
#   25410-25489   regress/scenarios/*.sh: each script takes a block of ten and notes it
#                 in its header (auth 25420-25429, backend_death 25430-25439, …)
#   25490-25499   bench/proxy.sh
#   25500-25509   regress/scenarios/redshift_mode.sh (the 25410-25489 blocks are all taken;
#                 a new scenario takes the next free block of ten from here on)
#   25510-25519   regress/scenarios/s3.sh (25510 s3rver; 25519 must stay free: the
#                 unreachable endpoint)
# All below Linux's ephemeral range (32768-60999), so that the client side of a test's
# connections (idle_conns opens a thousand) never takes a port a later test listens on.
#
# Environment:
#   SLUICE_KEEP_TMP=1   keep $TEST_TMP (its path is printed at exit) for a post-mortem
#   SLUICE_BIN=PATH     test another sluice binary than build/sluice

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SLUICE=${SLUICE_BIN:-$REPO/build/sluice}
PG_BIN=/usr/lib/postgresql/15/bin
PSQL=$PG_BIN/psql
TEST_NAME=$(basename "$0" .sh)
export REPO SLUICE PG_BIN PSQL TEST_NAME

# The user's libpq environment must not leak into a test: everything is explicit.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE \
	PGSERVICEFILE PGOPTIONS PGSSLMODE PGREQUIRESSL PGAPPNAME PGTARGETSESSIONATTRS
export LC_MESSAGES=C PGCONNECT_TIMEOUT=10


TEST_TMP=$(mktemp -d "/tmp/sluice-test.$TEST_NAME.XXXXXX")
chmod 755 "$TEST_TMP"   # PostgreSQL runs as user postgres when tests run as root
export TEST_TMP

declare -A _PG_PORT=() _SLUICE_PID=() _SLUICE_PORT=()
declare -a _ON_EXIT=()
_LIB_ERR_SEEN=0

log() { printf '%s\n' "$*"; }
pass() { printf 'PASS: %s\n' "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

assert_eq() {
	[[ "$1" == "$2" ]] && return 0
	fail "$3"$'\n'"  got:  $1"$'\n'"  want: $2"
}

assert_match() {
	[[ "$1" =~ $2 ]] && return 0
	fail "$3"$'\n'"  got:   $1"$'\n'"  match: $2"
}

wait_until() {
	local secs=$1 end
	shift
	end=$((SECONDS + secs))
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

on_exit() { _ON_EXIT+=("$(printf '%q ' "$@")"); }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { wait_until "${2:-10}" port_in_use "$1"; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

psql_at() {
	local port=$1 sql
	local -a args=()
	shift
	for sql in "$@"; do args+=(-c "$sql"); done
	"$PSQL" -X -A -t -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 "${args[@]}"
}

# --- PostgreSQL -------------------------------------------------------------------------

pg_datadir() { printf '%s\n' "$TEST_TMP/$1"; }

pg_conninfo() {
	[[ -n "${_PG_PORT[$1]:-}" ]] || fail "pg_conninfo: no cluster named $1"
	printf 'host=127.0.0.1 port=%s dbname=postgres user=postgres\n' "${_PG_PORT[$1]}"
}

pg_start() {
	local name=$1 port=$2 conf="$TEST_TMP/$1.extra.conf"
	shift 2
	port_in_use "$port" && fail "pg_start $name: port $port is already in use"
	printf '%s\n' "$@" >"$conf"
	PGCLUSTER_FAST=1 "$REPO/scripts/pgcluster.sh" init "$TEST_TMP/$name" "$port" "$conf" \
		>"$TEST_TMP/$name.init.log" 2>&1 ||
		{ cat "$TEST_TMP/$name.init.log" >&2; fail "pg_start $name: initdb failed"; }
	_PG_PORT[$name]=$port
	"$REPO/scripts/pgcluster.sh" start "$TEST_TMP/$name" "$port" >/dev/null ||
		{ tail -n 20 "$TEST_TMP/$name/log" >&2 || true; fail "pg_start $name: PostgreSQL did not start"; }
}

pg_stop() {
	local name=$1
	[[ -n "${_PG_PORT[$name]:-}" ]] || return 0
	"$REPO/scripts/pgcluster.sh" stop "$TEST_TMP/$name" "${_PG_PORT[$name]}" >/dev/null 2>&1 ||
		_pg_kill "$name"
	unset '_PG_PORT[$name]'
}

# Last resort when pg_ctl cannot stop a cluster: SIGQUIT (immediate shutdown), then SIGKILL.
_pg_kill() {
	local pid
	pid=$(head -n 1 "$TEST_TMP/$1/postmaster.pid" 2>/dev/null) || return 0
	kill -QUIT "$pid" 2>/dev/null || return 0
	wait_until 5 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
}

# --- sluice -----------------------------------------------------------------------------

sluice_pid() {
	[[ -n "${_SLUICE_PID[$1]:-}" ]] || fail "sluice_pid: no sluice named $1"
	printf '%s\n' "${_SLUICE_PID[$1]}"
}

sluice_log() { printf '%s\n' "$TEST_TMP/$1.log"; }

sluice_start() {
	local name=$1 port=$2 backend=$3 pid logf="$TEST_TMP/$1.log"
	shift 3
	[[ -x "$SLUICE" ]] || fail "sluice_start: $SLUICE is not built (run make)"
	port_in_use "$port" && fail "sluice_start $name: port $port is already in use"
	# In its own session, as a service runs: with the kernel's autogroup scheduling it
	# then does not share one CPU slice with the test's clients (pgbench in bench/).
	setsid "$SLUICE" --listen "127.0.0.1:$port" --backend "$backend" "$@" >>"$logf" 2>&1 &
	pid=$!
	_SLUICE_PID[$name]=$pid
	_SLUICE_PORT[$name]=$port
	[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && printf -v "SLUICE_PID_$name" '%s' "$pid"
	# On failure the clean-up at exit shows the end of the log.
	wait_until 10 _sluice_ready "$pid" "$port" ||
		fail "sluice_start $name: port $port not accepting connections after 10 s"
	pid_gone "$pid" && fail "sluice_start $name: sluice exited during start-up (log: $logf)"
	return 0
}

_sluice_ready() { pid_gone "$1" || port_in_use "$2"; }

# A child that has exited stays a zombie until waited for, and `kill -0` still finds it.
pid_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ -z "$state" || "$state" == Z ]]
}

sluice_stop() {
	local name=$1 secs=${2:-30} pid rc=0
	pid=$(sluice_pid "$name")
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_until "$secs" pid_gone "$pid"; then
		log "sluice_stop $name: still running after ${secs} s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rc=124
	else
		wait "$pid" 2>/dev/null || rc=$?
	fi
	unset '_SLUICE_PID[$name]'
	return "$rc"
}

# --- clean-up ---------------------------------------------------------------------------

# shellcheck disable=SC2016 # backquotes are literal
_lib_on_err() {
	((_LIB_ERR_SEEN)) && return 0
	_LIB_ERR_SEEN=1
	printf 'FAIL: %s line %s: `%s` exited with status %s\n' "$TEST_NAME" "$2" "$3" "$1" >&2
}

_lib_cleanup() {
	local rc=$? i name pid
	trap - EXIT INT TERM HUP ERR
	set +e
	for ((i = ${#_ON_EXIT[@]} - 1; i >= 0; i--)); do eval "${_ON_EXIT[i]}"; done
	for name in "${!_SLUICE_PID[@]}"; do
		pid=${_SLUICE_PID[$name]}
		if ((rc != 0)) && [[ -s "$TEST_TMP/$name.log" ]]; then
			printf -- '--- last lines of sluice %s log ---\n' "$name" >&2
			tail -n 20 "$TEST_TMP/$name.log" >&2
		fi
		kill -TERM "$pid" 2>/dev/null
		wait_until 5 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for name in "${!_PG_PORT[@]}"; do pg_stop "$name"; done
	if [[ "${SLUICE_KEEP_TMP:-0}" == 1 ]]; then
		printf 'kept %s\n' "$TEST_TMP" >&2
	else
		rm -rf "$TEST_TMP"
	fi
	exit "$rc"
}

set -E
trap '_lib_on_err $? $LINENO "$BASH_COMMAND"' ERR
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
