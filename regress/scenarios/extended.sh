#!/usr/bin/env bash
# extended.sh — sluice's statements through the extended protocol (Parse/Bind/Describe/
# Execute/Sync) and libpq pipeline mode, interleaved with relayed statements, errors and
# transaction blocks. The checks themselves are in extended.c (built by make).
# Ports: 25410 (PostgreSQL), 25411 (sluice).
. "$(dirname "$0")/../lib.sh"

pg_start pg 25410
sluice_start s 25411 "$(pg_conninfo pg)"
"$REPO/build/scenarios/extended" "host=127.0.0.1 port=25411 dbname=postgres user=postgres" ||
    fail "extended-protocol checks failed (see above)"
sluice_stop s || fail "sluice exited with status $?"
pass "sluice statements in the extended protocol and pipelines"
