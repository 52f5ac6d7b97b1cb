#!/usr/bin/env bash
# scripts/run.sh — what `make run` runs once build/sluice is built.
#
# On first use it creates an embedded PostgreSQL 15 cluster in ./var/pg (127.0.0.1:54320,
# user postgres, trust authentication on loopback), starts it unless it is running, then
# runs sluice in the foreground with conf/run.conf (127.0.0.1:5439). It also creates, once,
# var/secret.key: the key that seals connection secrets in sluice's catalog.
#
# Ctrl-C (or SIGTERM) stops sluice gracefully. PostgreSQL is left running on purpose, so
# the next `make run` starts at once and keeps its data; stop it with
# `scripts/pgcluster.sh stop var/pg`, and remove var/ to start from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

DATADIR=var/pg
PG_PORT=54320
CONF=conf/run.conf

[[ -x build/sluice ]] || {
	echo "run: build/sluice is not built; run make" >&2
	exit 1
}

if [[ ! -e "$DATADIR/PG_VERSION" ]]; then
	scripts/pgcluster.sh init "$DATADIR" "$PG_PORT"
fi
scripts/pgcluster.sh start "$DATADIR" "$PG_PORT"

# the key that seals connection secrets (conf/run.conf: secret_key_file), made once
KEYFILE=var/secret.key
if [[ ! -e "$KEYFILE" ]]; then
	(umask 077 && openssl rand -base64 32 >"$KEYFILE")
	echo "run: created $KEYFILE (the key sealing connection secrets; keep it with var/)"
fi

cat <<MSG

  sluice listens on 127.0.0.1:5439, in front of PostgreSQL 15 on 127.0.0.1:$PG_PORT
  (data in $DATADIR, settings in $CONF). Connect with:

      psql -h 127.0.0.1 -p 5439 -U postgres postgres

  and try: SHOW sluice.version;
  Ctrl-C stops sluice. PostgreSQL keeps running for the next \`make run\`; stop it with:

      scripts/pgcluster.sh stop $DATADIR

MSG
exec build/sluice -c "$CONF"
