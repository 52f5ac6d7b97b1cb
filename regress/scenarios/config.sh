#!/usr/bin/env bash
# config.sh — settings: --help, the INI file's [sluice] section, flags overriding the
# file, and clear errors (exit status 2) for bad settings.
# Ports: 25412 (PostgreSQL), 25413-25414 (sluice).
. "$(dirname "$0")/../lib.sh"

help=$("$SLUICE" --help)
for flag in -c --listen --backend --log-level --tls-cert-file --tls-key-file --threads \
    --shutdown-timeout --max-clients --dialect --catalog --iam-role --staging-connection \
    --staging-prefix --secret-key-file --pipeline-workers; do
    [[ $help == *"$flag"* ]] || fail "--help does not list $flag"
done
assert_match "$("$SLUICE" --version)" '^sluice [0-9]+\.[0-9]+\.[0-9]+$' "--version"

# a file alone: sluice listens where the file says
pg_start pg 25412
cat >"$TEST_TMP/a.conf" <<CONF
# a comment
[other]
listen = ignored:1
[sluice]
listen = 127.0.0.1:25413
backend = "$(pg_conninfo pg)"
log_level = warning
CONF
"$SLUICE" -c "$TEST_TMP/a.conf" >"$TEST_TMP/a.log" 2>&1 &
a_pid=$!
stop_a() { kill "$a_pid" 2>/dev/null || true; }
on_exit stop_a
wait_port 25413 || fail "sluice did not listen on the port from the file"
assert_eq "$(psql_at 25413 "SHOW sluice.version")" "sluice $("$SLUICE" --version | cut -d' ' -f2)" \
    "SHOW sluice.version through the file's listener"
kill -TERM "$a_pid"
wait "$a_pid" || fail "sluice did not exit 0 on SIGTERM"
grep -q ' info: ' "$TEST_TMP/a.log" && fail "log_level = warning still logged info lines"

# a flag overrides the file
sluice_start s 25414 "$(pg_conninfo pg)" -c "$TEST_TMP/a.conf"
assert_eq "$(psql_at 25414 "SELECT 1")" 1 "--listen overrides the file's listen"
port_in_use 25413 && fail "the file's listen was used although --listen overrode it"
sluice_stop s || fail "sluice exited with status $?"

# bad settings: exit status 2 and a message that says what to do
expect_refusal() {
    local want=$1
    shift
    local out rc=0
    out=$("$SLUICE" "$@" 2>&1) || rc=$?
    assert_eq "$rc" 2 "exit status for: $*"
    [[ $out == *"$want"* ]] || fail "for '$*' expected a message containing '$want', got: $out"
}
printf '[sluice]\nlisten_port = 1\n' >"$TEST_TMP/bad.conf"
expect_refusal 'unrecognized setting "listen_port"; valid settings are: listen, backend' \
    -c "$TEST_TMP/bad.conf"
expect_refusal 'bad.conf:2' -c "$TEST_TMP/bad.conf"
expect_refusal 'invalid listen address "nowhere"' --listen nowhere
expect_refusal 'invalid log_level "loud"' --log-level loud
expect_refusal 'invalid value for setting "threads"' --threads many
expect_refusal 'tls_cert_file and tls_key_file must be set together' --tls-cert-file /x.pem
expect_refusal 'could not open config file' -c "$TEST_TMP/missing.conf"
expect_refusal 'invalid dialect "oracle"; valid dialects are: postgres, redshift' --dialect oracle
openssl rand -base64 32 >"$TEST_TMP/open.key"
chmod 644 "$TEST_TMP/open.key"
expect_refusal 'is readable by other users; run: chmod 600' --secret-key-file "$TEST_TMP/open.key"
printf 'c2hvcnQ=\n' >"$TEST_TMP/short.key"
chmod 600 "$TEST_TMP/short.key"
expect_refusal 'must hold 32 random bytes in base64' --secret-key-file "$TEST_TMP/short.key"

# secrets in the backend conninfo never reach the log
sluice_start p 25414 "$(pg_conninfo pg) password=hunter2-secret" --log-level debug
psql_at 25414 "SELECT 1" >/dev/null
sluice_stop p || fail "sluice exited with status $?"
grep -q hunter2 "$(sluice_log p)" && fail "the backend password appeared in sluice's log"
pass "configuration file, flags and errors"
