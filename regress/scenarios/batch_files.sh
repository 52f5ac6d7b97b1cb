#!/usr/bin/env bash
# batch_files.sh — one batch of a FILES pipeline at a time (engine/batch.c, driven by
# build/scenarios/batch_run as a worker of the engine would run it), against real
# PostgreSQL, with pipelines created through sluice:
#   - CSV files into a table made from the column list: every row once; a second batch finds
#     nothing new; a new file, and a file that changed, load alone; the ledger and
#     SHOW PIPELINES agree with the rows;
#   - a value that does not fit its column, and a malformed record, become error rows
#     (SHOW PIPELINE ERRORS) while the other rows load;
#   - upsert: the newest version of each key wins, within a batch and across batches;
#   - JSON Lines compressed with gzip and zstd, no column list: the table is created with
#     the inferred types, and a later file with a new key adds a column;
#   - TRANSFORM: HASH, MASK, CAST with a format, FILTER, RENAME, DROP;
#   - on_error = abort: the first error row fails the batch, which leaves nothing behind.
# Ports 25520-25529: 25520 PostgreSQL, 25521 sluice.
. "$(dirname "$0")/../lib.sh"

PG=25520 SL=25521
pg_start pg $PG
sluice_start s $SL "$(pg_conninfo pg)" --pipeline-workers 0 # batches run by hand here
DATA=$TEST_TMP/data
mkdir -p "$DATA/clicks" "$DATA/users" "$DATA/events" "$DATA/signups" "$DATA/strict"
chmod -R a+rX "$TEST_TMP"
sql() { psql_at $SL "$@"; }
batch() { "$REPO/build/scenarios/batch_run" "$(pg_conninfo pg)" "$1"; }

# --- CSV, append, column list -------------------------------------------------------------
sql "CREATE PIPELINE clicks FROM FILES '$DATA/clicks/*.csv' INTO clicks (id bigint, url text, at timestamptz)"
printf 'id,url,at\n1,/a,2026-11-01 10:00:00+00\n2,"/b,c",2026-11-01 10:01:00+00\n' >"$DATA/clicks/1.csv"
printf 'id,url,at\n3,"/d ""q""",2026-11-01 10:02:00+00\n4,,2026-11-01 10:03:00+00\n' >"$DATA/clicks/2.csv"
assert_eq "$(batch clicks)" "loaded: items=2 rows=4 error_rows=0" "first batch"
assert_eq "$(batch clicks)" "nothing new" "second batch"
assert_eq "$(sql "SELECT string_agg(id || ':' || coalesce(url, 'NULL'), ' ' ORDER BY id) FROM clicks")" \
    '1:/a 2:/b,c 3:/d "q" 4:NULL' "rows, quoting and NULL"
printf 'id,url,at\n5,/e,2026-11-01 10:04:00+00\n' >"$DATA/clicks/3.csv"
assert_eq "$(batch clicks)" "loaded: items=1 rows=1 error_rows=0" "a new file loads alone"
printf 'id,url,at\n1,/a,2026-11-01 10:00:00+00\n2,"/b,c",2026-11-01 10:01:00+00\n6,/f,2026-11-01 10:05:00+00\n' >"$DATA/clicks/1.csv"
assert_eq "$(batch clicks)" "loaded: items=1 rows=3 error_rows=0" "a changed file is a new item"
assert_eq "$(sql "SELECT count(*) FROM clicks")" 8 "rows after four batches"
assert_eq "$(sql "SELECT count(*) FROM sluice.ledger WHERE pipeline = 'clicks'")" 4 "ledger rows"
assert_eq "$(sql "SHOW PIPELINES" | awk -F'|' '$1 == "clicks" { print $7 }')" 8 \
    "SHOW PIPELINES counts the rows"
pass "CSV append: every row once, new and changed files alone, ledger and SHOW agree"

# --- error rows -----------------------------------------------------------------------------
printf 'id,url,at\n7,/g,2026-11-01 10:06:00+00\nseven,/h,2026-11-01 10:07:00+00\n8,"/i,2026-11-01\n' >"$DATA/clicks/4.csv"
assert_eq "$(batch clicks)" "loaded: items=1 rows=1 error_rows=2" "bad rows become error rows"
errors=$(sql "SHOW PIPELINE ERRORS clicks")
assert_match "$errors" 'seven' "the bad value is in SHOW PIPELINE ERRORS"
assert_match "$errors" '4\.csv\|3\|\|id\|' "item, line and column of the bad value"
assert_match "$errors" 'unterminated' "the malformed record's reason"
pass "error rows: located, explained, the other rows loaded"

# --- upsert ---------------------------------------------------------------------------------
sql "CREATE PIPELINE users FROM FILES '$DATA/users/*.csv' INTO users (id integer, name text, updated_at timestamptz) WITH (mode = upsert, primary_key = id, updated_at = updated_at)"
printf 'id,name,updated_at\n1,ann,2026-01-01\n1,anna,2026-01-03\n1,an,2026-01-02\n2,bob,2026-01-01\n' >"$DATA/users/1.csv"
assert_eq "$(batch users)" "loaded: items=1 rows=4 error_rows=0" "upsert batch"
printf 'id,name,updated_at\n2,bobby,2026-02-01\n1,old,2025-12-31\n' >"$DATA/users/2.csv"
batch users >/dev/null
assert_eq "$(sql "SELECT string_agg(id || ':' || name, ' ' ORDER BY id) FROM users")" \
    "1:anna 2:bobby" "the newest version of each key wins"
pass "upsert: newest wins within and across batches"

# --- JSON, compressed, inferred and evolving -----------------------------------------------
printf '{"id": 1, "kind": "view", "at": "2026-11-01T10:00:00Z", "meta": {"ok": true}}\n{"id": 2, "kind": "buy", "at": "2026-11-01T10:01:00Z", "meta": {"ok": false}}\n' |
    gzip >"$DATA/events/1.json.gz"
sql "CREATE PIPELINE events FROM FILES '$DATA/events/*' INTO events"
assert_eq "$(batch events)" "loaded: items=1 rows=2 error_rows=0" "gzip JSON Lines"
assert_eq "$(sql "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'events'")" \
    "id integer, kind text, at timestamp with time zone, meta_ok boolean" "inferred, flattened columns"
printf '{"id": 3, "kind": "view", "at": "2026-11-02T10:00:00Z", "meta": {"ok": true}, "price": 9.5}\n' |
    zstd -q >"$DATA/events/2.json.zst"
assert_eq "$(batch events)" "loaded: items=1 rows=1 error_rows=0" "zstd JSON with a new key"
assert_eq "$(sql "SELECT price FROM events WHERE id = 3")" "9.5" "the new column was added"
pass "JSON gzip/zstd: columns inferred, a new key adds a column"

# --- transforms -------------------------------------------------------------------------------
sql "CREATE PIPELINE signups FROM FILES '$DATA/signups/*.csv' TRANSFORM (RENAME mail TO email, HASH email, MASK phone KEEP LAST 2, CAST day AS date FORMAT 'DD/MM/YYYY', FILTER country <> 'test', DROP country) INTO signups (email text, phone text, day date)"
printf 'mail,phone,day,country\na@x.io,5551234,22/11/2026,fr\nb@x.io,5559999,01/02/2026,test\n' >"$DATA/signups/1.csv"
assert_eq "$(batch signups)" "loaded: items=1 rows=1 error_rows=0" "transformed batch"
want_hash=$(printf 'regress-salta@x.io' | sha256sum | cut -d' ' -f1)
assert_eq "$(sql "SELECT email || ' ' || phone || ' ' || to_char(day, 'YYYY-MM-DD') FROM signups")" \
    "$want_hash *****34 2026-11-22" "HASH, MASK, CAST, FILTER, DROP"
pass "transforms applied before the rows reach the warehouse"

# --- on_error = abort -------------------------------------------------------------------------
sql "CREATE PIPELINE strict FROM FILES '$DATA/strict/*.csv' INTO strict (n integer) WITH (on_error = abort)"
printf 'n\n1\nx\n2\n' >"$DATA/strict/1.csv"
out=$(batch strict) && fail "on_error = abort let the batch through: $out"
assert_match "$out" '^failed: 22P04 ' "the batch fails on the first error row"
assert_eq "$(sql "SELECT count(*) FROM strict") $(sql "SELECT count(*) FROM sluice.ledger WHERE pipeline = 'strict'")" \
    "0 0" "nothing of the failed batch stays"
pass "on_error = abort: the first error row stops the batch, nothing is left"

sluice_stop s || fail "sluice exited with status $?"
