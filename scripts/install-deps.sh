#!/usr/bin/env bash
# scripts/install-deps.sh [run|test|bench] — install the Debian packages sluice needs.
#
#   run    build and run sluice (the default); also the libraries of the work to come
#          (libcurl, zlib, zstd, expat, jansson), so every mode builds the same tree
#   test   run + what `make test` uses: cmocka, clang (fuzzing, sanitizers), PgBouncer,
#          a JDK with pgjdbc, psqlODBC + unixODBC, procps, iproute2, clang-format
#   bench  run + the peers and tools of `make bench`: PgBouncer, pgloader, hyperfine
#   s3rver only the local S3 of regress/scenarios/s3.sh (also part of test): s3rver 3.7.1
#          from npm under build/node (with Debian's nodejs and npm when there is no npm)
#
# Only missing packages are installed (`apt-get update` first, and only then). When all
# are present it prints nothing and exits at once. Not root: uses sudo when there is one,
# else prints the apt-get command to run and fails.
set -euo pipefail

mode=${1:-run}
REPO=$(cd "$(dirname "$0")/.." && pwd)
S3RVER_VERSION=3.7.1
NODE_DIR=$REPO/build/node

run_pkgs=(
	build-essential pkg-config libevent-dev libssl-dev libpq-dev libpg-query-dev
	libprotobuf-c-dev postgresql-15 postgresql-client-15 postgresql-contrib openssl
	ca-certificates
	libcurl4-openssl-dev zlib1g-dev libzstd-dev libexpat1-dev libjansson-dev
)
test_pkgs=(
	libcmocka-dev clang libclang-rt-14-dev pgbouncer default-jdk-headless
	libpostgresql-jdbc-java odbc-postgresql unixodbc procps iproute2 clang-format zstd gzip
)
bench_pkgs=(pgbouncer pgloader hyperfine)
# npm for s3rver; a machine with another node (NodeSource's bundles npm) keeps its own
node_pkgs=()
command -v npm >/dev/null 2>&1 || node_pkgs=(nodejs npm)

case "$mode" in
run) wanted=("${run_pkgs[@]}") ;;
test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}" "${node_pkgs[@]}") ;;
bench) wanted=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
s3rver) wanted=("${node_pkgs[@]}") ;;
*)
	echo "usage: $0 [run|test|bench|s3rver]" >&2
	exit 2
	;;
esac

# s3rver, once, into build/node (npm's registry); nothing to do when that version is there.
install_s3rver() {
	local pkg=$NODE_DIR/node_modules/s3rver/package.json
	if [[ -f "$pkg" ]] && grep -q "\"version\": \"$S3RVER_VERSION\"" "$pkg"; then
		return 0
	fi
	echo "install-deps ($mode): installing s3rver@$S3RVER_VERSION (npm) under build/node"
	mkdir -p "$NODE_DIR"
	npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION"
}

finish() {
	case "$mode" in
	test | s3rver) install_s3rver ;;
	esac
	exit 0
}

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && finish

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
finish
