#!/usr/bin/env bash
# regress/scenarios/auth.sh — logins through sluice: trust, md5, scram-sha-256, wrong
# passwords, and TLS between the client and sluice.
#
# sluice relays the startup packet and the authentication exchange byte for byte, so each
# method configured in PostgreSQL's pg_hba.conf must work through it unchanged, and a wrong
# password must come back as PostgreSQL's own error (28P01). With a certificate sluice
# answers SSLRequest with 'S' and terminates TLS; without one it answers 'N'.
#
# Ports 25420-25429: 25420 PostgreSQL, 25421 sluice (no TLS), 25422 sluice (TLS).
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

make -s -C "$REPO" build/scenarios/bad_password
BAD_PASSWORD=$REPO/build/scenarios/bad_password

PG=25420 PLAIN=25421 TLS=25422
pg_start pg $PG "log_connections = on" "log_line_prefix = '%m [%p] %e '"

# Two password users, their secrets stored the way their hba line expects.
psql_at $PG \
	"SET password_encryption = 'md5'" \
	"CREATE ROLE md5user LOGIN PASSWORD 'md5-secret'" \
	"SET password_encryption = 'scram-sha-256'" \
	"CREATE ROLE scramuser LOGIN PASSWORD 'scram-secret'"
stored=$(psql_at $PG "SELECT rolname || ':' || split_part(rolpassword, '\$', 1) FROM pg_authid
	WHERE rolname IN ('md5user', 'scramuser') ORDER BY 1")
assert_match "$stored" $'^md5user:md5[0-9a-f]{32}\nscramuser:SCRAM-SHA-256$' \
	"md5user has an md5 secret, scramuser a SCRAM one"

cat >"$(pg_datadir pg)/pg_hba.conf" <<'EOF'
local all all                   trust
host  all postgres  127.0.0.1/32 trust
host  all md5user   127.0.0.1/32 md5
host  all scramuser 127.0.0.1/32 scram-sha-256
EOF
psql_at $PG "SELECT pg_reload_conf()" >/dev/null
rules=$(psql_at $PG "SELECT string_agg(coalesce(user_name::text, '') || '=' || auth_method, ' '
	ORDER BY line_number) FROM pg_hba_file_rules WHERE error IS NULL AND type = 'host'")
assert_eq "$rules" "{postgres}=trust {md5user}=md5 {scramuser}=scram-sha-256" \
	"pg_hba.conf loaded with one method per user"

PGLOG=$(pg_datadir pg)/log

# login PORT USER PASSWORD [conninfo words…] — run current_user through PORT with PASSWORD.
login() {
	local port=$1 user=$2 password=$3
	shift 3
	PGPASSWORD=$password "$PSQL" -X -A -t -q \
		"host=127.0.0.1 port=$port dbname=postgres user=$user $*" -c "SELECT current_user"
}

# The reload has taken effect once a wrong password is refused directly; then the right
# passwords work directly too: what follows tests sluice, not this setup.
refused_directly() { ! login $PG md5user wrong-password >/dev/null 2>&1; }
wait_until 10 refused_directly || fail "pg_hba.conf reload: md5user still logs in without a password"
assert_eq "$(login $PG md5user md5-secret)" md5user "md5user logs in directly"
assert_eq "$(login $PG scramuser scram-secret)" scramuser "scramuser logs in directly"

sluice_start plain $PLAIN "$(pg_conninfo pg)"

# --- each method through sluice -------------------------------------------------------------
assert_eq "$(login $PLAIN postgres '')" postgres "trust login through sluice"
pass "trust: postgres logs in through sluice"

before=$(grep -c 'method=md5' "$PGLOG" || true)
assert_eq "$(login $PLAIN md5user md5-secret)" md5user "md5 login through sluice"
after=$(grep -c 'method=md5' "$PGLOG" || true)
((after == before + 1)) || fail "PostgreSQL did not log an md5 authentication for that login"
pass "md5: md5user logs in through sluice (PostgreSQL logged method=md5)"

before=$(grep -c 'method=scram-sha-256' "$PGLOG" || true)
assert_eq "$(login $PLAIN scramuser scram-secret)" scramuser "scram login through sluice"
after=$(grep -c 'method=scram-sha-256' "$PGLOG" || true)
((after == before + 1)) || fail "PostgreSQL did not log a scram-sha-256 authentication for that login"
pass "scram-sha-256: scramuser logs in through sluice (PostgreSQL logged method=scram-sha-256)"

got=$(PGPASSWORD=md5-secret "$PSQL" -X -A -t -q -h 127.0.0.1 -p $PLAIN -U md5user -d postgres \
	-c "CREATE TEMP TABLE t(x int)" -c "INSERT INTO t VALUES (1), (2)" -c "SELECT sum(x) FROM t")
assert_eq "$got" 3 "md5user runs statements through sluice"
pass "md5user runs statements after logging in"

# --- wrong passwords: PostgreSQL's own refusal, relayed ---------------------------------------
for user in md5user scramuser; do
	if out=$(login $PLAIN $user wrong-password 2>&1); then
		fail "$user logged in through sluice with a wrong password: $out"
	fi
	assert_match "$out" "FATAL: +password authentication failed for user \"$user\"" \
		"psql shows PostgreSQL's refusal for $user"
	rc=0
	out=$("$BAD_PASSWORD" 127.0.0.1 $PLAIN $user postgres) || rc=$?
	log "$out" | sed 's/^/    /'
	((rc == 0)) || fail "a wrong password for $user did not get 28P01 with PostgreSQL's message"
	case $user in
	md5user) assert_match "$out" "^method md5" "sluice relays the MD5 challenge" ;;
	scramuser) assert_match "$out" "^method SCRAM-SHA-256" "sluice relays the SASL exchange" ;;
	esac
	pass "wrong password for $user: 28P01 \"password authentication failed for user \\\"$user\\\"\""
done
grep -q "28P01 FATAL:  password authentication failed for user \"scramuser\"" "$PGLOG" ||
	fail "PostgreSQL's log has no 28P01 for scramuser"

# --- TLS between the client and sluice ---------------------------------------------------------
# Without a certificate: SSLRequest gets 'N'.
if out=$(login $PLAIN postgres '' sslmode=require 2>&1); then
	fail "sslmode=require succeeded against sluice without a certificate: $out"
fi
assert_match "$out" "server does not support SSL" "sslmode=require is refused without TLS"
pass "no certificate: sslmode=require fails (server does not support SSL)"
info=$(login $PLAIN scramuser scram-secret sslmode=prefer)
assert_eq "$info" scramuser "sslmode=prefer logs in without TLS"
info=$(PGPASSWORD=scram-secret "$PSQL" -X -q \
	"host=127.0.0.1 port=$PLAIN dbname=postgres user=scramuser sslmode=prefer" -c '\conninfo')
[[ "$info" == *"SSL connection"* ]] && fail "sslmode=prefer without a certificate says SSL: $info"
pass "no certificate: sslmode=prefer works in clear"

# A self-signed certificate for 127.0.0.1, which also serves as its own root.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$TEST_TMP/server.key" \
	-out "$TEST_TMP/server.crt" 2>"$TEST_TMP/openssl.log" ||
	{ cat "$TEST_TMP/openssl.log"; fail "openssl could not make a certificate"; }
chmod 600 "$TEST_TMP/server.key"
sluice_start tls $TLS "$(pg_conninfo pg)" \
	--tls-cert-file "$TEST_TMP/server.crt" --tls-key-file "$TEST_TMP/server.key"

verify="sslmode=verify-full sslrootcert=$TEST_TMP/server.crt"
info=$(PGPASSWORD=scram-secret "$PSQL" -X -q \
	"host=127.0.0.1 port=$TLS dbname=postgres user=scramuser $verify" -c '\conninfo')
log "$info" | sed 's/^/    /'
assert_match "$info" "SSL connection \(protocol: TLSv1\.[23]" "\\conninfo reports TLS"
pass "TLS: sslmode=verify-full against sluice's certificate, \\conninfo reports SSL"

before=$(grep -c 'method=scram-sha-256' "$PGLOG" || true)
assert_eq "$(login $TLS scramuser scram-secret "$verify")" scramuser "scram login over TLS"
after=$(grep -c 'method=scram-sha-256' "$PGLOG" || true)
((after == before + 1)) || fail "PostgreSQL did not log a scram-sha-256 authentication over TLS"
pass "TLS: scram-sha-256 login works over TLS"
assert_eq "$(login $TLS md5user md5-secret "$verify")" md5user "md5 login over TLS"
assert_eq "$(login $TLS postgres '' sslmode=require)" postgres "trust login over TLS"
pass "TLS: md5 and trust logins work over TLS"

if out=$(login $TLS scramuser wrong-password sslmode=require 2>&1); then
	fail "wrong password accepted over TLS: $out"
fi
assert_match "$out" "password authentication failed for user \"scramuser\"" \
	"wrong password over TLS is refused by PostgreSQL"
pass "TLS: a wrong password is refused with PostgreSQL's message"

# The certificate really is sluice's: a client trusting another root must refuse it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other" \
	-keyout "$TEST_TMP/other.key" -out "$TEST_TMP/other.crt" 2>>"$TEST_TMP/openssl.log"
if out=$(login $TLS postgres '' sslmode=verify-ca "sslrootcert=$TEST_TMP/other.crt" 2>&1); then
	fail "verify-ca against an unrelated root succeeded: $out"
fi
assert_match "$out" "certificate verify failed" "an unrelated root does not verify sluice"
pass "TLS: a client trusting another root refuses sluice's certificate"

sluice_stop tls || fail "sluice (TLS) exited with status $?"
sluice_stop plain || fail "sluice exited with status $?"
pass "auth: all checks passed"
