#!/usr/bin/env bash
# bench/proxy.sh — pgbench select-only throughput: PostgreSQL directly, through sluice, and
# through PgBouncer, side by side in one run. `make bench` runs it.
#
#   bench/proxy.sh            BENCH_SECONDS=10 by default (per measurement; 18 measurements)
#   BENCH_SECONDS=5 bench/proxy.sh
#
# One PostgreSQL 15 cluster with PostgreSQL's default (durable) settings, `pgbench -i -s 10`;
# sluice (--threads default: one loop per 4 CPUs) and PgBouncer (pool_mode=session,
# auth_type=trust, max_client_conn 100, default_pool_size 20) both relay to it. For each
# protocol mode (simple, extended, prepared) the three targets run
#   pgbench -S -M MODE -c 16 -j 2 -T $BENCH_SECONDS -n
# one after the other. Prints a table of TPS and ratios to direct, and appends it, with the
# date, the machine and the exact command, to bench/RESULTS.md. Raw pgbench output goes to
# bench/out/. Everything listens on 127.0.0.1 only.
#
# Ports 25490-25492: 25490 PostgreSQL, 25491 sluice, 25492 PgBouncer.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../regress/lib.sh"

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
[[ "$SECONDS_PER_RUN" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer"
SCALE=10 CLIENTS=16 THREADS=2
MODES=(simple extended prepared)
PG=25490 SL=25491 PGB=25492
OUT=$REPO/bench/out
RESULTS=$REPO/bench/RESULTS.md
PGBENCH=$PG_BIN/pgbench
command -v pgbouncer >/dev/null || fail "pgbouncer is missing (make deps-bench)"
mkdir -p "$OUT"
for port in $PG $SL $PGB; do
	port_in_use "$port" && fail "port $port is in use (another bench/proxy.sh running?)"
done

# --- PostgreSQL: durable defaults (no PGCLUSTER_FAST); -S never writes ---------------------
pgdata=$TEST_TMP/pg
"$REPO/scripts/pgcluster.sh" init "$pgdata" $PG >"$OUT/pgcluster.log" 2>&1 ||
	{ cat "$OUT/pgcluster.log"; fail "initdb failed"; }
stop_pg() { "$REPO/scripts/pgcluster.sh" stop "$pgdata" >/dev/null 2>&1; }
on_exit stop_pg
"$REPO/scripts/pgcluster.sh" start "$pgdata" >>"$OUT/pgcluster.log" 2>&1 ||
	{ cat "$OUT/pgcluster.log"; fail "PostgreSQL did not start"; }
log "pgbench -i -s $SCALE …"
"$PGBENCH" -i -q -s $SCALE -h 127.0.0.1 -p $PG -U postgres postgres >"$OUT/init.log" 2>&1 ||
	{ cat "$OUT/init.log"; fail "pgbench -i failed"; }

# --- sluice --------------------------------------------------------------------------------
sluice_start sluice $SL "host=127.0.0.1 port=$PG dbname=postgres user=postgres" --log-level warning

# --- PgBouncer (refuses to run as root: run it as postgres) ------------------------------------
bdir=$TEST_TMP/pgbouncer
mkdir -p "$bdir"
printf '"postgres" ""\n' >"$bdir/userlist.txt"
cat >"$bdir/pgbouncer.ini" <<EOF
[databases]
postgres = host=127.0.0.1 port=$PG dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB
unix_socket_dir =
auth_type = trust
auth_file = $bdir/userlist.txt
pool_mode = session
max_client_conn = 100
default_pool_size = 20
logfile = $bdir/pgbouncer.log
pidfile = $bdir/pgbouncer.pid
EOF
as_user=()
if ((EUID == 0)); then
	chown -R postgres:postgres "$bdir"
	as_user=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
# its own session, like sluice's (regress/lib.sh) and PostgreSQL's postmaster
setsid "${as_user[@]}" pgbouncer "$bdir/pgbouncer.ini" >"$OUT/pgbouncer.stderr" 2>&1 &
pgbouncer_pid=$!
on_exit kill -TERM "$pgbouncer_pid"
wait_port $PGB 10 || { cat "$OUT/pgbouncer.stderr" "$bdir/pgbouncer.log"; fail "PgBouncer did not start"; }

# Each target answers the same before anything is timed.
want=$((SCALE * 100000))
for port in $PG $SL $PGB; do
	got=$(psql_at "$port" "SELECT count(*) FROM pgbench_accounts")
	assert_eq "$got" "$want" "pgbench_accounts through port $port"
done

# --- the runs ----------------------------------------------------------------------------------
# cpu_ticks PID: user+system CPU time of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run TARGET PORT MODE ROUND: one pgbench run; prints "TPS TRANSACTIONS".
run() {
	local target=$1 port=$2 mode=$3 out=$OUT/$1-$3-$4.txt tps n
	"$PGBENCH" -S -M "$mode" -c $CLIENTS -j $THREADS -T "$SECONDS_PER_RUN" -n \
		-h 127.0.0.1 -p "$port" -U postgres postgres >"$out" 2>&1 ||
		{ cat "$out" >&2; fail "pgbench against $target ($mode) failed"; }
	tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$out")
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
	[[ -n "$tps" && -n "$n" ]] || { cat "$out" >&2; fail "no tps line from pgbench against $target ($mode)"; }
	grep -q '^number of failed transactions: 0 ' "$out" || fail "$target ($mode): failed transactions"
	printf '%s %s\n' "$tps" "$n"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fmt() { awk -v t="$1" 'BEGIN { printf "%.0f", t }'; }

# Two rounds per mode, the second in reverse order, so that a drift of the machine during
# the run (caches, other load) does not favour whoever runs first; TPS is their mean. The
# proxies' own CPU time per transaction (user + system, from /proc) is measured too: on a
# machine where pgbench, PostgreSQL and the proxy share two CPUs it is the steadier figure.
declare -A tps cpu_us
declare -A proc_pid=([sluice]=$(sluice_pid sluice) [pgbouncer]=$pgbouncer_pid)
tick_us=$((1000000 / $(getconf CLK_TCK)))
for mode in "${MODES[@]}"; do
	for order in "direct:$PG sluice:$SL pgbouncer:$PGB" "pgbouncer:$PGB sluice:$SL direct:$PG"; do
		for target in $order; do
			name=${target%%:*}
			log "pgbench -S -M $mode -c $CLIENTS -j $THREADS -T $SECONDS_PER_RUN: $name"
			pid=${proc_pid[$name]:-}
			[[ -n "$pid" ]] && t0=$(cpu_ticks "$pid")
			read -r t n < <(run "$name" "${target#*:}" "$mode" "${order%%:*}")
			tps[$name.$mode]=$(awk -v a="${tps[$name.$mode]:-0}" -v b="$t" 'BEGIN { print a + b / 2 }')
			if [[ -n "$pid" ]]; then
				us=$(awk -v d="$(($(cpu_ticks "$pid") - t0))" -v n="$n" -v u="$tick_us" \
					'BEGIN { print d * u / n }')
				cpu_us[$name.$mode]=$(awk -v a="${cpu_us[$name.$mode]:-0}" -v b="$us" 'BEGIN { print a + b / 2 }')
			fi
		done
	done
done
log "sluice after the runs: VmRSS $(rss_kb "$(sluice_pid sluice)") kB, VmHWM $(hwm_kb "$(sluice_pid sluice)") kB"
sluice_stop sluice || fail "sluice exited with status $?"

# --- the table ---------------------------------------------------------------------------------
table="| mode | direct TPS | sluice TPS (÷ direct) | pgbouncer TPS (÷ direct) | sluice ÷ pgbouncer | proxy CPU µs/transaction: sluice, pgbouncer |
|---|---:|---:|---:|---:|---:|"
for mode in "${MODES[@]}"; do
	d=${tps[direct.$mode]} s=${tps[sluice.$mode]} b=${tps[pgbouncer.$mode]}
	table+=$'\n'"| $mode | $(fmt "$d") | $(fmt "$s") ($(ratio "$s" "$d")) | $(fmt "$b") ($(ratio "$b" "$d")) | $(ratio "$s" "$b") | $(printf '%.1f, %.1f' "${cpu_us[sluice.$mode]}" "${cpu_us[pgbouncer.$mode]}") |"
done
printf '\n%s\n\n' "$table"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
[[ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ]] && rev+=" (with local changes)"
{
	printf '\n## %s — sluice %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$rev"
	printf -- '- machine: %s CPUs (nproc), %s, %s\n' "$(nproc)" "${cpu:-unknown CPU}" "$(uname -sr)"
	printf -- '- versions: %s; %s; %s\n' "$("$PG_BIN/postgres" --version)" \
		"$(pgbouncer --version | head -n 1)" "$("$SLUICE" --version 2>&1 | head -n 1)"
	# shellcheck disable=SC2016 # the backquotes are Markdown
	printf -- '- command: `BENCH_SECONDS=%s bench/proxy.sh`, i.e. `pgbench -i -s %s`, then for each mode\n' \
		"$SECONDS_PER_RUN" "$SCALE"
	# shellcheck disable=SC2016
	printf '  `pgbench -S -M MODE -c %s -j %s -T %s -n` against PostgreSQL, sluice and PgBouncer in turn,\n  twice (the second round in reverse order); TPS is the mean of the two\n\n' \
		"$CLIENTS" "$THREADS" "$SECONDS_PER_RUN"
	printf '%s\n' "$table"
} >>"$RESULTS"
log "appended to bench/RESULTS.md"
