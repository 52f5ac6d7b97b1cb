#!/usr/bin/env bash
# copy_roundtrip.sh — the batch's COPY encoding (engine/copyenc.c) and type inference
# (engine/infer.c) against real PostgreSQL:
# build/scenarios/copy_roundtrip loads awkward values with COPY … FROM STDIN (FORMAT csv)
# and reads them back unchanged, NULL for NULL; build/scenarios/infer_sound casts a corpus of
# values to the types inferred for them, and PostgreSQL must accept every one.
# Ports: 25419 (PostgreSQL).
. "$(dirname "$0")/../lib.sh"

pg_start pg 25419
out=$("$REPO/build/scenarios/copy_roundtrip" "$(pg_conninfo pg)") || fail "round trip: $out"
pass "$out"
out=$("$REPO/build/scenarios/infer_sound" "$(pg_conninfo pg)") || fail "inference: $out"
pass "$out"
