#!/usr/bin/env bash
# redshift_mode.sh — with dialect redshift, sluice's catalog is a PostgreSQL database of its
# own (setting catalog), apart from the warehouse the client's session talks to. One
# cluster plays both: database `warehouse` stands for Redshift, database `catalog` holds
# sluice's catalog, reached as a role with a password. Through sluice:
#   - CREATE / ALTER / DROP CONNECTION write the catalog database (each committed at once),
#     never the warehouse, and are refused with 25001 inside a transaction block;
#   - SHOW reads the catalog database, secrets masked, in the simple and extended protocols;
#   - EXPLAIN of the PIPELINE statements prints Redshift SQL by default, with the catalog's
#     facts from the catalog and the target table's columns from the warehouse; EXPLAIN
#     SHARE prints the datashare statements; CREATE PIPELINE is refused (0A000);
#   - a catalog query that waits (a lock) holds up no other session on the same loop;
#   - the catalog's connection reopens after the catalog ended it;
#   - with a wrong catalog password, catalog statements fail with 08006 (the message never
#     quoting the password), without the catalog setting with 22023, while ordinary SQL is
#     still relayed;
#   - no secret and no password ever reaches sluice's log.
# Ports 25500-25509: 25500 PostgreSQL, 25501 sluice, 25502 sluice with a wrong catalog
# password, 25503 sluice without the catalog setting.
# shellcheck source=regress/lib.sh
. "$(dirname "$0")/../lib.sh"

PG=25500 SL=25501 BAD=25502 NONE=25503
CATALOG_PW='Cat-Pa55-w0rd-7Q'
WRONG_PW='Wr0ng-Catal0g-Pw-9Z'
STAGING_SECRET='S3cr3t-Stag1ng-Key-4K'
SRC_SECRET='S3cr3t-Src-Key-8M'
RS_PASSWORD='Rs-Pa55-Consumer-2V'

pg_start pg $PG

# db_at DB SQL… — psql straight into database DB of the cluster.
db_at() {
	local db=$1 sql
	local -a args=()
	shift
	for sql in "$@"; do args+=(-c "$sql"); done
	"$PSQL" -X -A -t -q -h 127.0.0.1 -p $PG -U postgres -d "$db" -v ON_ERROR_STOP=1 "${args[@]}"
}
# through PORT [psql args…] — psql through a sluice into database warehouse, errors verbose
# (they carry their SQLSTATE), stderr merged.
through() {
	local port=$1
	shift
	"$PSQL" -X -A -t -q -h 127.0.0.1 -p "$port" -U postgres -d warehouse \
		-v VERBOSITY=verbose "$@" 2>&1
}
# refused PORT [psql args…] — the same, for what is expected to fail: its output.
refused() { through "$@" || true; }

psql_at $PG "CREATE DATABASE warehouse" "CREATE DATABASE catalog" \
	"SET password_encryption = 'scram-sha-256'" \
	"CREATE ROLE sluice_catalog LOGIN PASSWORD '$CATALOG_PW'" \
	"ALTER DATABASE catalog OWNER TO sluice_catalog"
cat >"$(pg_datadir pg)/pg_hba.conf" <<'EOF'
local all all                        trust
host  all postgres       127.0.0.1/32 trust
host  all sluice_catalog 127.0.0.1/32 scram-sha-256
EOF
psql_at $PG "SELECT pg_reload_conf()" >/dev/null
needs_password() {
	! "$PSQL" -X -A -t -q "host=127.0.0.1 port=$PG dbname=catalog user=sluice_catalog" \
		-c "SELECT 1" >/dev/null 2>&1
}
wait_until 10 needs_password || fail "pg_hba.conf reload: sluice_catalog logs in without a password"

(umask 077 && openssl rand -base64 32 >"$TEST_TMP/secret.key")
# a host name: sluice resolves it at start-up, so that connecting never waits for DNS
CATALOG="host=localhost port=$PG dbname=catalog user=sluice_catalog password=$CATALOG_PW"
rs_args=(--dialect redshift --iam-role arn:aws:iam::123456789012:role/SluiceLoad
	--staging-connection staging --secret-key-file "$TEST_TMP/secret.key" --threads 1
	--log-level debug)
sluice_start rs $SL "host=127.0.0.1 port=$PG dbname=warehouse user=postgres" \
	--catalog "$CATALOG" "${rs_args[@]}"

# --- the catalog is migrated in its own database, and only there ---

grep -q 'catalog schema "sluice" at version' "$(sluice_log rs)" ||
	fail "no start-up line about the catalog: $(cat "$(sluice_log rs)")"
assert_eq "$(db_at catalog "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'sluice'")" \
	sluice_catalog "schema sluice is in the catalog database, made by the catalog's role"
assert_eq "$(db_at warehouse "SELECT count(*) FROM pg_namespace WHERE nspname = 'sluice'")" 0 \
	"the warehouse has no schema sluice"

# --- CONNECTION statements write the catalog database ---

out=$(through $SL -v ON_ERROR_STOP=1 \
	-c "CREATE CONNECTION staging TYPE s3 WITH (bucket = 'acme-staging', region = 'us-east-1',
	    access_key_id = 'AKIAEXAMPLE', secret_access_key = '$STAGING_SECRET')" \
	-c "CREATE CONNECTION src TYPE s3 WITH (bucket = 'acme-lake', secret_access_key = '$SRC_SECRET')" \
	-c "CREATE CONNECTION bi_rs TYPE redshift WITH (host = 'bi.example.redshift.amazonaws.com',
	    dbname = 'dev', namespace = '13b8833d-17c6-4f16-8fe4-1a018f5ed00d', password = '$RS_PASSWORD')" \
	-c "CREATE CONNECTION scratch TYPE http WITH (url = 'https://api.example.com')" \
	-c "ALTER CONNECTION scratch SET (url = 'https://api2.example.com')" \
	-c "DROP CONNECTION scratch" -c "DROP CONNECTION IF EXISTS scratch") ||
	fail "CONNECTION statements with dialect redshift: $out"
assert_eq "$out" 'NOTICE:  00000: connection "scratch" does not exist, skipping' \
	"CREATE, ALTER and DROP CONNECTION run, DROP IF EXISTS of a gone one notices"
assert_eq "$(db_at catalog "SELECT string_agg(name || ':' || kind, ' ' ORDER BY name) FROM sluice.connection")" \
	"bi_rs:redshift src:s3 staging:s3" "the connections landed in the catalog database"
sealed=$(db_at catalog "SELECT secrets::text FROM sluice.connection WHERE name = 'staging'")
assert_match "$sealed" '^\{"secret_access_key": "v1:[A-Za-z0-9+/=]+"\}$' "the secret is sealed"
assert_eq "$(db_at warehouse "SELECT count(*) FROM pg_namespace WHERE nspname = 'sluice'")" 0 \
	"the warehouse still has no schema sluice"

shown=$(through $SL -v ON_ERROR_STOP=1 -c "SHOW CONNECTIONS")
assert_eq "$shown" 'bi_rs|redshift|{"host": "bi.example.redshift.amazonaws.com", "dbname": "dev", "namespace": "13b8833d-17c6-4f16-8fe4-1a018f5ed00d"}|{"password": "********"}
src|s3|{"bucket": "acme-lake"}|{"secret_access_key": "********"}
staging|s3|{"bucket": "acme-staging", "region": "us-east-1", "access_key_id": "AKIAEXAMPLE"}|{"secret_access_key": "********"}' \
	"SHOW CONNECTIONS reads the catalog database, secrets masked"

# several statements in one Query: sluice's parts read the catalog between the others
assert_eq "$(through $SL -v ON_ERROR_STOP=1 -c "SELECT 1; SHOW CONNECTIONS; SELECT 2" | cut -d'|' -f1 | paste -sd' ')" \
	"1 bi_rs src staging 2" "SHOW CONNECTIONS inside a Query of several statements"

# the extended protocol (Parse/Bind/Execute/Sync, as JDBC sends), three clients at once
printf '%s\n' "SHOW CONNECTIONS;" \
	"EXPLAIN CREATE PIPELINE p FROM S3 'p/' CONNECTION src INTO analytics.p (id bigint);" \
	>"$TEST_TMP/extended.sql"
out=$("$PG_BIN/pgbench" -n -M extended -c 3 -t 3 -f "$TEST_TMP/extended.sql" \
	-h 127.0.0.1 -p $SL -U postgres warehouse 2>&1) || fail "the extended protocol: $out"
assert_match "$out" 'number of transactions actually processed: 9/9' \
	"SHOW CONNECTIONS and EXPLAIN in the extended protocol"

# --- inside a transaction block: refused, as PostgreSQL refuses CREATE DATABASE ---

out=$(through $SL <<'EOF'
BEGIN;
SELECT 'in the block';
CREATE CONNECTION late TYPE s3 WITH (bucket = 'late');
SELECT 'after the error';
ROLLBACK;
ALTER CONNECTION src SET (region = 'eu-west-1');
EOF
)
assert_match "$out" 'ERROR:  25001: CREATE CONNECTION cannot run inside a transaction block' \
	"CREATE CONNECTION in a transaction block is refused with 25001"
assert_match "$out" 'HINT:  .*outside BEGIN' "the 25001 error says what to do"
assert_match "$out" 'ERROR:  25P02: current transaction is aborted' \
	"the refusal fails the client's transaction, as PostgreSQL's would"
assert_eq "$(db_at catalog "SELECT count(*) FROM sluice.connection WHERE name = 'late'")" 0 \
	"nothing of the refused statement reached the catalog"
assert_eq "$(db_at catalog "SELECT options->>'region' FROM sluice.connection WHERE name = 'src'")" \
	eu-west-1 "after ROLLBACK, ALTER CONNECTION runs again"

# --- EXPLAIN prints Redshift SQL by default; the facts come from where they live ---

db_at warehouse "CREATE SCHEMA analytics" \
	"CREATE TABLE analytics.existing (id bigint, name varchar(40), seen_at timestamptz)"
# a table of the same name in the catalog database: its columns must not be the ones used
db_at catalog "CREATE SCHEMA analytics" "CREATE TABLE analytics.existing (wrong_column int)"

explain_new=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN CREATE PIPELINE events FROM S3 'events/'
	CONNECTION src FORMAT JSON INTO analytics.events (id bigint, payload text, updated_at timestamptz)
	WITH (mode = upsert, primary_key = id, updated_at = updated_at)") ||
	fail "EXPLAIN CREATE PIPELINE with dialect redshift: $explain_new"
assert_match "$explain_new" "-- in sluice's catalog database
INSERT INTO sluice.pipeline " "the catalog row is marked as going to the catalog database"
assert_match "$explain_new" 'CREATE TABLE "analytics"."events" \("id" BIGINT, "payload" VARCHAR\(65535\)' \
	"a new target table in Redshift's types"
assert_match "$explain_new" "COPY \"_sluice_stage\" [^
]* FROM 's3://acme-staging/sluice/staging/events/<batch>/manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/SluiceLoad' REGION 'us-east-1' MANIFEST" \
	"one batch is a COPY of a manifest in the staging connection's bucket"
[[ "$explain_new" != *"ON CONFLICT"* ]] || fail "Redshift SQL with ON CONFLICT: $explain_new"
[[ "$explain_new" != *"FROM STDIN"* ]] || fail "Redshift SQL with COPY FROM STDIN: $explain_new"

explain_existing=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN CREATE PIPELINE ex FROM S3 'ex/'
	CONNECTION src INTO analytics.existing WITH (mode = upsert, primary_key = id)") ||
	fail "EXPLAIN CREATE PIPELINE into an existing table: $explain_existing"
assert_match "$explain_existing" 'CREATE TEMP TABLE "_sluice_stage" \("id" BIGINT, "name" VARCHAR\(160\), "seen_at" TIMESTAMPTZ,' \
	"the existing table's columns come from the warehouse (Redshift counts bytes)"
[[ "$explain_existing" != *wrong_column* ]] || fail "columns read from the catalog database: $explain_existing"
[[ "$explain_existing" != *'CREATE TABLE "analytics"."existing"'* ]] ||
	fail "the existing table would be created again: $explain_existing"

out=$(refused $SL -c "EXPLAIN CREATE PIPELINE nowhere FROM S3 'x/' CONNECTION missing INTO analytics.t (id int)")
assert_match "$out" 'ERROR:  42704: connection "missing" does not exist' \
	"a connection missing from the catalog is reported at its name"

share=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN SHARE TABLE analytics.existing WITH bi_rs") ||
	fail "EXPLAIN SHARE with dialect redshift: $share"
assert_match "$share" 'CREATE DATASHARE "sluice_bi_rs"' "EXPLAIN SHARE creates the datashare"
assert_match "$share" 'ALTER DATASHARE "sluice_bi_rs" ADD TABLE "analytics"."existing"' \
	"EXPLAIN SHARE adds the table"
assert_match "$share" "GRANT USAGE ON DATASHARE \"sluice_bi_rs\" TO NAMESPACE '13b8833d-17c6-4f16-8fe4-1a018f5ed00d'" \
	"the consumer's namespace comes from its connection in the catalog"
assert_match "$share" '-- on the consumer, connection bi_rs' "the consumer's statements are marked"
unshare=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN UNSHARE TABLE analytics.existing FROM bi_rs") ||
	fail "EXPLAIN UNSHARE with dialect redshift: $unshare"
assert_match "$unshare" 'ALTER DATASHARE "sluice_bi_rs" REMOVE TABLE "analytics"."existing"' \
	"EXPLAIN UNSHARE removes the table"

# --- carrying out pipelines and models is still refused; SHOW reads the catalog ---

out=$(refused $SL -c "CREATE PIPELINE events FROM S3 'events/' CONNECTION src INTO analytics.events (id bigint)")
assert_match "$out" 'ERROR:  0A000: CREATE PIPELINE is not supported with dialect redshift' \
	"CREATE PIPELINE is refused with dialect redshift"
out=$(refused $SL -c "CREATE MODEL m AS SELECT 1 AS x")
assert_match "$out" 'ERROR:  0A000: ' "CREATE MODEL is refused with dialect redshift"
assert_eq "$(through $SL -v ON_ERROR_STOP=1 -c "SHOW PIPELINES" -c "SHOW MODELS" -c "SHOW SHARES")" "" \
	"SHOW PIPELINES, MODELS and SHARES: no rows in the catalog database"
out=$(refused $SL -c "SHOW CREATE PIPELINE events")
assert_match "$out" 'ERROR:  42704: pipeline "events" does not exist' "SHOW CREATE of no pipeline"

# a pipeline the catalog holds (as an engine with the catalog's role would have written it)
db_at catalog "INSERT INTO sluice.pipeline (name, definition, source, location, connection,
	target_schema, target_table, mode, options) VALUES ('stored', 'CREATE PIPELINE stored FROM S3 ''stored/''
	CONNECTION src INTO analytics.existing WITH (mode = upsert, primary_key = id)', 's3', 'stored/',
	'src', 'analytics', 'existing', 'upsert', '{\"mode\": \"upsert\", \"primary_key\": \"id\"}')"
assert_eq "$(through $SL -v ON_ERROR_STOP=1 -c "SHOW PIPELINES" | cut -d'|' -f1-5)" \
	"stored|created|s3|analytics.existing|upsert" "SHOW PIPELINES lists the catalog's pipeline"
run=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN RUN PIPELINE stored") ||
	fail "EXPLAIN RUN PIPELINE with dialect redshift: $run"
assert_match "$run" "FROM 's3://acme-staging/sluice/staging/stored/<batch>/manifest' .* MANIFEST" \
	"EXPLAIN RUN PIPELINE: one batch from the stored definition"
assert_match "$run" '"name" VARCHAR\(160\)' "…into the warehouse table's columns"
alter=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN ALTER PIPELINE stored SET (max_errors = 10)") ||
	fail "EXPLAIN ALTER PIPELINE with dialect redshift: $alter"
assert_match "$alter" "-- in sluice's catalog database
UPDATE sluice.pipeline SET definition = " "EXPLAIN ALTER PIPELINE updates the catalog row"
drop=$(through $SL -v ON_ERROR_STOP=1 -c "EXPLAIN DROP PIPELINE stored AND TABLE") ||
	fail "EXPLAIN DROP PIPELINE with dialect redshift: $drop"
assert_eq "$drop" "-- in sluice's catalog database
DELETE FROM sluice.pipeline WHERE name = 'stored'
DROP TABLE IF EXISTS \"analytics\".\"existing\"" \
	"EXPLAIN DROP PIPELINE: the catalog row, and no ledger in the warehouse yet"
out=$(refused $SL -c "DROP PIPELINE stored")
assert_match "$out" 'ERROR:  0A000: DROP PIPELINE is not supported with dialect redshift' \
	"DROP PIPELINE is refused with dialect redshift"

# --- a catalog query that waits holds up no one else on the loop (--threads 1) ---

"$PSQL" -X -q -h 127.0.0.1 -p $PG -U postgres -d catalog \
	-c "BEGIN" -c "LOCK TABLE sluice.connection IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(3)" \
	-c "COMMIT" >/dev/null 2>&1 &
locker=$!
stop_locker() { kill "$locker" 2>/dev/null || true; }
on_exit stop_locker
locked() {
	[[ "$(db_at catalog "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock'
		AND relation = 'sluice.connection'::regclass AND granted")" == 1 ]]
}
wait_until 10 locked || fail "the catalog table was not locked"
through $SL -c "SHOW CONNECTIONS" >"$TEST_TMP/waiting.out" &
waiting=$!
sleep 0.3
kill -0 "$waiting" 2>/dev/null || fail "SHOW CONNECTIONS did not wait for the lock: $(cat "$TEST_TMP/waiting.out")"
t0=$(date +%s%N)
for i in 1 2 3 4 5; do
	assert_eq "$(through $SL -c "SELECT $i")" "$i" "ordinary SQL while a catalog query waits"
done
took=$((($(date +%s%N) - t0) / 1000000))
((took < 1500)) || fail "five round trips took $took ms while a catalog query waited"
kill -0 "$waiting" 2>/dev/null || fail "SHOW CONNECTIONS ended before the lock was released"
wait "$waiting" || fail "SHOW CONNECTIONS after the lock: $(cat "$TEST_TMP/waiting.out")"
assert_eq "$(wc -l <"$TEST_TMP/waiting.out")" 3 "SHOW CONNECTIONS answered once the lock went"
wait "$locker" || true

# --- the catalog's connection reopens after the catalog ended it ---

out=$(through $SL -v ON_ERROR_STOP=1 <<EOF
SHOW CONNECTIONS;
\\! "$PSQL" -X -A -t -q -h 127.0.0.1 -p $PG -U postgres -d catalog -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'sluice catalog'"
SELECT pg_sleep(0.3);
SHOW CONNECTIONS;
EOF
) || fail "SHOW CONNECTIONS after the catalog ended the connection: $out"
assert_eq "$(printf '%s\n' "$out" | cut -d'|' -f1 | paste -sd' ')" \
	"bi_rs src staging 1  bi_rs src staging" "the catalog's connection was ended, then reopened"

# --- a wrong catalog password: 08006 for catalog statements, never the password ---

sluice_start bad $BAD "host=127.0.0.1 port=$PG dbname=warehouse user=postgres" \
	--catalog "host=127.0.0.1 port=$PG dbname=catalog user=sluice_catalog password=$WRONG_PW" \
	"${rs_args[@]}"
assert_eq "$(through $BAD -c "SELECT 'relayed'")" relayed "ordinary SQL is relayed without a catalog"
for stmt in "SHOW CONNECTIONS" "CREATE CONNECTION other TYPE s3 WITH (bucket = 'b')" \
	"EXPLAIN RUN PIPELINE stored" "SHOW PIPELINES"; do
	out=$(refused $BAD -c "$stmt")
	assert_match "$out" "ERROR:  08006: could not connect to sluice's catalog: .*password authentication failed" \
		"$stmt without a catalog connection"
	[[ "$out" != *"$WRONG_PW"* ]] || fail "the catalog password in an error: $out"
done
assert_eq "$(through $BAD -c "SELECT 'still relayed'")" "still relayed" "ordinary SQL after the failures"

# --- no catalog setting: 22023 naming it ---

sluice_start none $NONE "host=127.0.0.1 port=$PG dbname=warehouse user=postgres" "${rs_args[@]}"
out=$(refused $NONE -c "SHOW CONNECTIONS")
assert_match "$out" 'ERROR:  22023: dialect redshift needs setting catalog' \
	"SHOW CONNECTIONS without the catalog setting"
assert_eq "$(through $NONE -c "SELECT 'relayed'")" relayed "ordinary SQL is relayed without the setting"
sluice_stop none || fail "sluice none exited with status $?"

# --- no secret, no password in any log ---

for name in rs bad; do
	for secret in "$CATALOG_PW" "$WRONG_PW" "$STAGING_SECRET" "$SRC_SECRET" "$RS_PASSWORD"; do
		if grep -qF -- "$secret" "$(sluice_log $name)"; then
			fail "sluice $name's log holds a secret: $(grep -F -- "$secret" "$(sluice_log $name)")"
		fi
	done
done
grep -q "could not connect to sluice's catalog" "$(sluice_log bad)" ||
	fail "the failed catalog connection is not in the log"

sluice_stop bad || fail "sluice bad exited with status $?"
sluice_stop rs || fail "sluice rs exited with status $?"
pass "dialect redshift: the catalog in its own database, statements and EXPLAIN through it"
