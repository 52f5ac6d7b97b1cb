#!/usr/bin/env bash
# scripts/install-deps.sh [run|test|bench] — install the Debian packages sluice needs.
#
#   run    build and run sluice (the default); also the libraries of the work to come
#          (libcurl, zlib, zstd, expat, jansson), so every mode builds the same tree
#   test   run + what `make test` uses: cmocka, clang (fuzzing, sanitizers), PgBouncer,
#          a JDK with pgjdbc, psqlODBC + unixODBC, procps, iproute2, clang-format
#   bench  run + the peers and tools of `make bench`: PgBouncer, pgloader, hyperfine
#
# Only missing packages are installed (`apt-get update` first, and only then). When all
# are present it prints nothing and exits at once. Not root: uses sudo when there is one,
# else prints the apt-get command to run and fails.
set -euo pipefail

mode=${1:-run}

run_pkgs=(
	build-essential pkg-config libevent-dev libssl-dev libpq-dev libpg-query-dev
	libprotobuf-c-dev postgresql-15 postgresql-client-15 postgresql-contrib openssl
	ca-certificates
	libcurl4-openssl-dev zlib1g-dev libzstd-dev libexpat1-dev libjansson-dev
)
test_pkgs=(
	libcmocka-dev clang libclang-rt-14-dev pgbouncer default-jdk-headless
	libpostgresql-jdbc-java odbc-postgresql unixodbc procps iproute2 clang-format
)
bench_pkgs=(pgbouncer pgloader hyperfine)

case "$mode" in
run) wanted=("${run_pkgs[@]}") ;;
test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
bench) wanted=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
*)
	echo "usage: $0 [run|test|bench]" >&2
	exit 2
	;;
esac

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps ($mode): installing ${missing[*]}"

apt_get=(apt-get -y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
if ((EUID != 0)); then
	if command -v sudo >/dev/null 2>&1; then
		apt_get=(sudo DEBIAN_FRONTEND=noninteractive "${apt_get[@]}")
	else
		echo "install-deps: not root and no sudo; as root, run:" >&2
		echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update >/dev/null
"${apt_get[@]}" install --no-install-recommends "${missing[@]}"
