#!/usr/bin/env bash
# catalog.sh — sluice creates its catalog (schema "sluice") at start-up from the numbered
# migrations, once, even when two instances start together; refuses a newer catalog; and
# its views never show a secret.
# Ports: 25415 (PostgreSQL), 25416-25418 (sluice).
. "$(dirname "$0")/../lib.sh"

pg_start pg 25415
direct() { psql_at 25415 "$@"; }

# two instances starting at once on an empty warehouse: one migrates, the other waits
declare -a pids=()
stop_both() { kill "${pids[@]}" 2>/dev/null || true; }
on_exit stop_both
for port in 25416 25417; do
    setsid "$SLUICE" --listen "127.0.0.1:$port" --backend "$(pg_conninfo pg)" \
        >"$TEST_TMP/s$port.log" 2>&1 &
    pids+=($!)
done
wait_port 25416 || fail "first sluice did not start: $(cat "$TEST_TMP/s25416.log")"
wait_port 25417 || fail "second sluice did not start: $(cat "$TEST_TMP/s25417.log")"
# what sql/ holds: "1:001_catalog,2:002_…", and the newest version
want_migrations=$(for f in "$REPO"/sql/[0-9]*.sql; do
    n=$(basename "$f" .sql)
    printf '%s:%s\n' "$((10#${n%%_*}))" "$n"
done | paste -sd, -)
newest=${want_migrations##*,}
newest=${newest%%:*}
((newest >= 2)) || fail "expected at least two migrations in sql/"
assert_eq "$(direct "SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM sluice.schema_migration")" \
    "$want_migrations" "migrations applied exactly once"
tables=$(direct "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE nspname = 'sluice' AND relkind IN ('r', 'v')")
for want in connection pipeline pipeline_run pipeline_error model model_refresh share \
    connections pipelines pipeline_runs pipeline_errors models model_refreshes shares; do
    [[ ",$tables," == *",$want,"* ]] || fail "catalog lacks sluice.$want (has: $tables)"
done
for port in 25416 25417; do
    grep -q "catalog schema \"sluice\" at version $newest" "$TEST_TMP/s$port.log" ||
        fail "no start-up line about the catalog version: $(cat "$TEST_TMP/s$port.log")"
done
kill -TERM "${pids[@]}"
for pid in "${pids[@]}"; do
    wait "$pid" || fail "a sluice exited with status $? after SIGTERM"
done

# a restart changes nothing
sluice_start c 25418 "$(pg_conninfo pg)"
assert_eq "$(direct "SELECT count(*) FROM sluice.schema_migration")" "$newest" "restart is idempotent"
sluice_stop c || fail "sluice c exited with status $?"

# the users' view of connections masks secrets
direct "INSERT INTO sluice.connection (name, kind, options, secrets)
        VALUES ('lake', 's3', '{\"bucket\": \"b\"}', '{\"secret_access_key\": \"v1:c2VhbGVk\"}')"
assert_eq "$(direct "SELECT secrets::text FROM sluice.connections WHERE name = 'lake'")" \
    '{"secret_access_key": "********"}' "sluice.connections masks secrets"

# an older catalog (only the first migration applied) is brought up to date
direct "DROP SCHEMA sluice CASCADE"
direct "$(cat "$REPO/sql/001_catalog.sql")"
direct "CREATE TABLE sluice.schema_migration (version integer PRIMARY KEY, name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())"
direct "INSERT INTO sluice.schema_migration (version, name) VALUES (1, '001_catalog')"
sluice_start u 25418 "$(pg_conninfo pg)"
assert_eq "$(direct "SELECT max(version) FROM sluice.schema_migration")" "$newest" \
    "an older catalog is upgraded at start-up"
assert_eq "$(direct "SELECT count(*) FROM information_schema.columns
                     WHERE table_schema = 'sluice' AND table_name = 'model'
                       AND column_name = 'search_path'")" 1 "the upgrade's change is there"
sluice_stop u || fail "sluice u exited with status $?"

# a catalog from a newer sluice: refused with a clear message; relaying still works
direct "INSERT INTO sluice.schema_migration (version, name) VALUES (999, '999_future')"
sluice_start d 25418 "$(pg_conninfo pg)"
grep -q 'newer than this sluice knows' "$(sluice_log d)" ||
    fail "a newer catalog was not reported: $(cat "$(sluice_log d)")"
assert_eq "$(psql_at 25418 "SELECT 1")" 1 "relaying works without a usable catalog"
sluice_stop d || fail "sluice d exited with status $?"
pass "catalog created and migrated at start-up"
