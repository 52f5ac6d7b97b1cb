#!/usr/bin/env bash
# scripts/pgcluster.sh — a private PostgreSQL 15 cluster for `make run` and the tests.
#
#   scripts/pgcluster.sh init   DATADIR PORT [EXTRA_CONF_FILE]
#   scripts/pgcluster.sh start  DATADIR [PORT]
#   scripts/pgcluster.sh stop   DATADIR [PORT]
#   scripts/pgcluster.sh status DATADIR [PORT]
#
# init   creates the cluster when DATADIR holds no PG_VERSION (trust authentication,
#        superuser `postgres`, UTF8, locale C), listening on 127.0.0.1:PORT only, with its
#        Unix socket in the data directory itself, then appends EXTRA_CONF_FILE to
#        postgresql.conf. An existing cluster is left as it is.
#        With PGCLUSTER_FAST=1 durability is traded for speed (fsync, synchronous_commit
#        and full_page_writes off): for throwaway test clusters only, never for `make run`.
# start  starts it (log in DATADIR/log) and waits until it accepts connections; PORT,
#        when given, overrides the configured one. Already running is fine.
# stop   fast shutdown (sessions are disconnected), waiting for it. Not running is fine.
# status exit 0 when running, 3 when stopped, 4 when DATADIR holds no cluster.
#
# Run as root, the server runs as user `postgres`, which owns the data directory. When
# `postgres` cannot reach DATADIR (a clone under /root, mode 700), or the path is too long
# for a Unix socket, the data live in /var/tmp/sluice-<hash of DATADIR's path> and DATADIR is
# a symbolic link to it. Run as another user, the server runs as that user.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin

usage() {
	sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() {
	printf 'pgcluster: %s\n' "$*" >&2
	exit 1
}

# Run a PostgreSQL program as the user that owns the cluster, from /, so that a working
# directory the postgres user cannot enter does not matter.
as_pg() {
	if ((EUID == 0)); then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# The absolute path of $1, whose parent may not exist yet (it is created).
abspath() {
	local dir base
	dir=$(dirname "$1")
	base=$(basename "$1")
	mkdir -p "$dir"
	printf '%s/%s\n' "$(cd "$dir" && pwd -P)" "$base"
}

# Print the directory that really holds the cluster for DATADIR, creating it (owned by the
# server's user, mode 700) when needed, and the /var/tmp indirection when needed.
prepare_datadir() {
	local datadir=$1 real hash
	if [[ -L "$datadir" ]]; then
		real=$(readlink -f "$datadir")
	else
		real=$datadir
		# 107 bytes is the limit of a Unix socket path; ".s.PGSQL.NNNNN" takes 15.
		if ((${#real} > 88)) || { ((EUID == 0)) && ! can_reach_as_pg "$(dirname "$real")"; }; then
			[[ -e "$datadir" ]] && [[ -n "$(ls -A "$datadir")" ]] &&
				die "$datadir: user postgres cannot reach it, and it is not empty"
			hash=$(printf '%s' "$datadir" | sha256sum | cut -c1-12)
			real=/var/tmp/sluice-$hash
			rm -rf "$datadir"   # an empty directory at most (checked above)
			mkdir -p "$real"
			ln -s "$real" "$datadir"
		fi
	fi
	mkdir -p "$real"
	if ((EUID == 0)); then chown postgres:postgres "$real"; fi
	chmod 700 "$real"
	printf '%s\n' "$real"
}

can_reach_as_pg() { runuser -u postgres -- test -x "$1" 2>/dev/null; }

# The real data directory of an existing DATADIR (after init), or nothing.
real_datadir() {
	local d
	d=$(abspath "$1")
	[[ -e "$d" ]] || return 0
	readlink -f "$d"
}

cmd_init() {
	local datadir port extra real
	datadir=$(abspath "$1")
	port=$2
	extra=${3:-}
	[[ "$port" =~ ^[0-9]+$ ]] || die "init: PORT must be a number, got '$port'"
	[[ -z "$extra" || -r "$extra" ]] || die "init: cannot read $extra"
	real=$(prepare_datadir "$datadir")
	if [[ -f "$real/PG_VERSION" ]]; then
		echo "pgcluster: $datadir already holds a cluster (PostgreSQL $(cat "$real/PG_VERSION"))"
		return 0
	fi
	as_pg "$PG_BIN/initdb" -D "$real" -A trust -U postgres --no-sync -E UTF8 --locale=C \
		--no-instructions >/dev/null
	{
		echo
		echo "# --- set by scripts/pgcluster.sh ---"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$real'"
		echo "max_connections = 1100"
		echo "shared_buffers = 128MB"
		if [[ "${PGCLUSTER_FAST:-0}" == 1 ]]; then
			echo "# PGCLUSTER_FAST=1: a throwaway cluster, durability off"
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
		if [[ -n "$extra" ]]; then
			echo "# --- from $extra ---"
			cat "$extra"
		fi
	} >>"$real/postgresql.conf"
	if [[ "$real" != "$datadir" ]]; then datadir="$datadir -> $real"; fi
	echo "pgcluster: created $datadir on 127.0.0.1:$port"
}

cmd_start() {
	local real
	real=$(real_datadir "$1")
	[[ -n "$real" && -f "$real/PG_VERSION" ]] || die "start: no cluster in $1 (run init first)"
	if as_pg "$PG_BIN/pg_ctl" -D "$real" status >/dev/null 2>&1; then
		echo "pgcluster: $1 is already running"
		return 0
	fi
	local -a opts=()
	[[ -n "${2:-}" ]] && opts=(-o "-p $2")
	as_pg "$PG_BIN/pg_ctl" -D "$real" -w -t 60 -l "$real/log" "${opts[@]}" start >/dev/null ||
		{ tail -n 20 "$real/log" >&2; die "start: PostgreSQL did not start (log: $real/log)"; }
	echo "pgcluster: started $1"
}

cmd_stop() {
	local real
	real=$(real_datadir "$1")
	[[ -n "$real" && -f "$real/PG_VERSION" ]] || { echo "pgcluster: no cluster in $1"; return 0; }
	if ! as_pg "$PG_BIN/pg_ctl" -D "$real" status >/dev/null 2>&1; then
		echo "pgcluster: $1 is not running"
		return 0
	fi
	as_pg "$PG_BIN/pg_ctl" -D "$real" -m fast -w -t 60 stop >/dev/null
	echo "pgcluster: stopped $1"
}

cmd_status() {
	local real
	real=$(real_datadir "$1")
	[[ -n "$real" && -f "$real/PG_VERSION" ]] || { echo "pgcluster: no cluster in $1"; return 4; }
	as_pg "$PG_BIN/pg_ctl" -D "$real" status
}

(($# >= 2)) || usage
action=$1
shift
case "$action" in
init) (($# >= 2)) || usage; cmd_init "$@" ;;
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
*) usage ;;
esac
