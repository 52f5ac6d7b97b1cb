#!/usr/bin/env bash
# regress/scenarios/s3.sh — sluice's S3 client (connectors/s3.c) against s3rver, a local S3.
#
# s3rver 3.7.1 (npm, installed under build/node by scripts/install-deps.sh test, or here
# when missing) serves bucket bkt. The script uploads 2,600 objects under many/ with curl —
# numbered CSV files of varied sizes, an empty one, a 3 MB one, and keys with spaces, '+',
# '=', '&', '%', quotes and UTF-8 — and writes a manifest of their MD5s (md5sum) and sizes.
# build/scenarios/s3_list then lists, pages, reads back, writes and fails on purpose through
# sluice's client; see regress/scenarios/s3_list.c for each check.
#
# s3rver 3.7.1 does not verify signatures (it checks the access key id and the form of the
# signing headers only): the signatures are checked by regress/unit/test_sigv4.c against
# AWS's published examples. Its continuation tokens need OpenSSL's legacy provider in node.
#
# Ports 25510-25519: 25510 s3rver, 25519 an endpoint nobody listens on.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

S3_PORT=25510 DEAD_PORT=25519
N_NUMBERED=2590 # + 10 named below = 2,600

make -s -C "$REPO" build/scenarios/s3_list
"$REPO/scripts/install-deps.sh" s3rver
S3RVER=$REPO/build/node/node_modules/.bin/s3rver

port_in_use $S3_PORT && fail "port $S3_PORT is already in use"
port_in_use $DEAD_PORT && fail "port $DEAD_PORT should be free (the unreachable endpoint)"
mkdir -p "$TEST_TMP/s3data"
NODE_OPTIONS=--openssl-legacy-provider "$S3RVER" -d "$TEST_TMP/s3data" -a 127.0.0.1 \
	-p $S3_PORT --configure-bucket bkt --silent >"$TEST_TMP/s3rver.log" 2>&1 &
S3RVER_PID=$!
on_exit kill "$S3RVER_PID"
wait_port $S3_PORT 20 || { cat "$TEST_TMP/s3rver.log" >&2; fail "s3rver did not start"; }
log "s3rver $(node -p "require('$REPO/build/node/node_modules/s3rver/package.json').version") on 127.0.0.1:$S3_PORT"

# --- the objects ------------------------------------------------------------------------

# The key as a URL path: RFC 3986 unreserved bytes and '/' as they are, the rest %XX.
urlencode_path() {
	local LC_ALL=C s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in
		[A-Za-z0-9._~/-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

OBJS=$TEST_TMP/objs
mkdir -p "$OBJS"
keys=() paths=()
for ((i = 0; i < N_NUMBERED; i++)); do
	f=$OBJS/$i
	{
		printf 'id,name,amount\n'
		for ((r = 0; r <= i % 40; r++)); do printf '%d,row %d of %d,%d.%02d\n' "$r" "$r" "$i" $((i * r)) $((r % 100)); done
	} >"$f"
	keys+=("$(printf 'many/%04d.csv' "$i")")
	paths+=("$f")
done
named=("many/a b c.csv" "many/plus+equals=amp&.csv" "many/été/ünïcode.csv"
	"many/deep/er/still/x.json" "many/empty.csv" "many/big.bin" "many/Zed.csv"
	"many/_under~tilde.csv" "many/quote'paren(1).csv" "many/percent%41.csv")
for k in "${named[@]}"; do
	f=$OBJS/${#keys[@]}
	case "$k" in
	*empty.csv) : >"$f" ;;
	*big.bin) head -c 3000000 /dev/urandom >"$f" ;;
	*) printf 'key,%s\n' "$k" >"$f" ;;
	esac
	keys+=("$k")
	paths+=("$f")
done
((${#keys[@]} == 2600)) || fail "made ${#keys[@]} objects, want 2600"

mapfile -t sums < <(md5sum -- "${paths[@]}" | cut -c1-32)
mapfile -t sizes < <(stat -c %s -- "${paths[@]}")
: >"$TEST_TMP/manifest"
: >"$TEST_TMP/upload.curl"
for i in "${!keys[@]}"; do
	printf '%s\t%s\t%s\t%s\n' "${sums[i]}" "${sizes[i]}" "${paths[i]}" "${keys[i]}" >>"$TEST_TMP/manifest"
	printf 'upload-file = "%s"\nurl = "http://127.0.0.1:%d/bkt/%s"\noutput = "/dev/null"\n' \
		"${paths[i]}" $S3_PORT "$(urlencode_path "${keys[i]}")" >>"$TEST_TMP/upload.curl"
done

start=$SECONDS
curl -sS --no-progress-meter --parallel --parallel-max 16 -K "$TEST_TMP/upload.curl" -w '%{http_code}\n' \
	>"$TEST_TMP/upload.codes"
stored=$(grep -c '^200$' "$TEST_TMP/upload.codes" || true)
assert_eq "$stored" 2600 "objects stored by s3rver (HTTP 200 to PUT)"
pass "2,600 objects uploaded with curl in $((SECONDS - start)) s"

# --- sluice's client --------------------------------------------------------------------

"$REPO/build/scenarios/s3_list" "http://127.0.0.1:$S3_PORT" bkt "$TEST_TMP/manifest" \
	"http://127.0.0.1:$DEAD_PORT" || fail "s3_list (see above)"
pass "S3 listing, paging, streaming reads, puts and errors against s3rver"
