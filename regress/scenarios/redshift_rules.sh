#!/usr/bin/env bash
# redshift_rules.sh — every Redshift statement that EXPLAIN prints in the SQL suite
# (regress/expected/sluice_explain.out, which the suite holds equal to sluice's output)
# keeps to what ../shared/reference/redshift-sql.md allows: no ON CONFLICT, no COPY FROM
# STDIN (COPY reads an S3 manifest with IAM_ROLE), no PostgreSQL-only syntax, one ADD COLUMN
# per ALTER TABLE, CREATE DATABASE / CREATE EXTERNAL SCHEMA sent alone. Statements marked
# for sluice's catalog (a PostgreSQL database) are left out.
# The checker is first shown a statement that breaks each rule, and must refuse it.
# Ports: none.
. "$(dirname "$0")/../lib.sh"

EXPECTED=$REPO/regress/expected/sluice_explain.out

# Prints one line per violation: "<line>: <rule>: <statement>". Reads a transcript.
violations() {
	awk '
	function flush() {
		if (stmt == "") return
		if (!catalog) check(stmt, alone, lineno)
		stmt = ""; alone = 0; catalog = 0
	}
	function bad(rule, s, n) { printf "%d: %s: %s\n", n, rule, substr(s, 1, 160); found++ }
	function check(s, alone, n,    i, k, c) {
		split("ON CONFLICT|FROM STDIN|MERGE INTO| ON COMMIT |SAVEPOINT|FOR UPDATE| SERIAL|TRUNCATE| APPEND FROM |IS DISTINCT FROM|WITH (|CREATE INDEX|::jsonb|::json| jsonb|RETURNING|E'"'"'", rules, "|")
		for (i in rules) if (index(s, rules[i])) bad("uses " rules[i], s, n)
		c = 0; k = s
		while ((i = index(k, "ADD COLUMN")) > 0) { c++; k = substr(k, i + 10) }
		if (c > 1) bad("more than one ADD COLUMN", s, n)
		if (s ~ /^COPY / && (s !~ / FROM '"'"'s3:\/\// || s !~ / IAM_ROLE / || s !~ / MANIFEST /))
			bad("COPY without an S3 manifest and IAM_ROLE", s, n)
		if (s ~ /^CREATE (DATABASE|EXTERNAL)/ && !alone) bad("not sent alone", s, n)
	}
	/^EXPLAIN \(DIALECT redshift\)/ { flush(); inrs = 1; checked++; next }
	/^EXPLAIN / || /^\\/ { flush(); inrs = 0; next }
	!inrs { next }
	/^-- alone:/ { flush(); alone = 1; pending = 1; next }
	/^-- in sluice.s catalog/ { flush(); catalog = 1; pending = 1; next }
	/^-- (guard|on the consumer)/ { if (!pending) flush(); pending = 1; next }
	/^-- / { flush(); inrs = 0; next }
	/^(ERROR|HINT|NOTICE|LINE|DETAIL):/ { flush(); next }
	{
		if (!pending) flush()
		pending = 0
		stmt = stmt == "" ? $0 : stmt "\n" $0
		lineno = NR
	}
	END { flush(); if (!checked) print "0: no EXPLAIN (DIALECT redshift) in the transcript" }
	' "$1"
}

# The checker must catch each kind of mistake.
bad=$TEST_TMP/bad.out
cat >"$bad" <<'BAD'
EXPLAIN (DIALECT redshift) CREATE PIPELINE x FROM FILES '/x' INTO t (a int);
INSERT INTO "t" ("a") SELECT "a" FROM "s" ON CONFLICT ("a") DO NOTHING
COPY "s" ("a") FROM STDIN WITH (FORMAT csv)
ALTER TABLE "t" ADD COLUMN "b" INTEGER, ADD COLUMN "c" INTEGER
INSERT INTO "t" VALUES (E'a\\b')
-- on the consumer, connection c
CREATE DATABASE "d" FROM DATASHARE "s" OF NAMESPACE 'n'
BAD
got=$(violations "$bad")
for rule in "uses ON CONFLICT" "uses FROM STDIN" "COPY without" "more than one ADD COLUMN" \
	"uses E'" "not sent alone"; do
	[[ $got == *"$rule"* ]] || fail "the checker missed \"$rule\" in: $got"
done
pass "the checker refuses each broken rule"

[[ -s $EXPECTED ]] || fail "no $EXPECTED"
got=$(violations "$EXPECTED")
[[ -z $got ]] || fail "Redshift statements break redshift-sql.md rules:
$got"
n=$(grep -c '^EXPLAIN (DIALECT redshift)' "$EXPECTED")
((n >= 30)) || fail "only $n Redshift EXPLAIN cases"
pass "$n Redshift EXPLAIN cases keep to redshift-sql.md"
