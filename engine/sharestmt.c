/*
 * sharestmt.c — EXPLAIN of SHARE and UNSHARE: the producer's statements (on the warehouse),
 * then the consumer's (on the consumer connection's cluster), each of those marked so.
 *
 * What sluice learns only when it shares for real is shown as a placeholder: a Redshift
 * cluster's namespace unless the consumer connection names it, and the password of the
 * read-only role a PostgreSQL consumer logs in to the producer as.
 */
#include "sharestmt.h"
#include "catalog.h"
#include "quote.h"
#include "script.h"
#include "server.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The role a PostgreSQL consumer reads the producer as (postgres_fdw user mapping). */
#define SHARE_FDW_ROLE "sluice_fdw"
/* The consumer's foreign server for this producer. */
#define SHARE_FDW_SERVER "sluice_producer"

typedef struct share_state {
    stmt_base b; /* first: see stmt_start */
    const sl_share *sh;
    bool unshare;
} share_state;

static void share_state_free(void *p)
{
    share_state *ss = p;
    stmt_base_free(&ss->b);
    free(ss);
}

/* The producer's host, port and database, as a consumer reaches it: the backend setting. */
typedef struct producer_addr {
    char host[256];
    char dbname[256];
    int port;
} producer_addr;

static void producer_address(producer_addr *a)
{
    memset(a, 0, sizeof(*a));
    a->port = 5432;
    const sl_config *cfg = server.cfg;
    PQconninfoOption *opts = cfg && cfg->backend ? PQconninfoParse(cfg->backend, NULL) : NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            snprintf(a->host, sizeof(a->host), "%s", o->val);
        else if (strcmp(o->keyword, "dbname") == 0)
            snprintf(a->dbname, sizeof(a->dbname), "%s", o->val);
        else if (strcmp(o->keyword, "port") == 0)
            a->port = atoi(o->val);
    }
    PQconninfoFree(opts);
}

/* Marks the consumer's statements, from index first on. */
static bool mark_consumer(plan_out *plan, size_t first, const char *consumer)
{
    for (size_t i = first; i < plan->n; i++) {
        sqlbuf b = {0};
        sqlbuf_printf(&b, "-- on the consumer, connection %s\n%s", consumer, plan->stmts[i].sql);
        if (b.oom) {
            sqlbuf_free(&b);
            return false;
        }
        free(plan->stmts[i].sql);
        plan->stmts[i].sql = sqlbuf_take(&b);
        sqlbuf_free(&b);
    }
    return true;
}

static void consumer_read(sl_exec *x, const sl_result *r)
{
    share_state *ss = x->state;
    const sl_share *sh = ss->sh;
    if (r->failed) {
        script_fail(x, r);
        return;
    }
    const char *kind = sl_result_get(r, 0, 0);
    const char *namespace = sl_result_get(r, 0, 1);
    bool exists = strcmp(sl_result_get(r, 0, 2) ? sl_result_get(r, 0, 2) : "", "t") == 0;
    const char *needs = ss->b.target.dialect == PLAN_REDSHIFT ? "redshift" : "postgres";
    if (!kind) {
        sl_error_set(&x->err, "42704", "CREATE CONNECTION it first; SHOW CONNECTIONS lists them.",
                     "connection \"%.64s\" does not exist", sh->consumer);
        x->finish(x, false);
        return;
    }
    if (strcmp(kind, needs) != 0) {
        sl_error_set(&x->err, "42809", NULL,
                     "connection \"%.64s\" is of kind %s; a consumer of a %s warehouse is a %s "
                     "connection",
                     sh->consumer, kind, needs, needs);
        x->finish(x, false);
        return;
    }
    char datashare[200], database[210];
    snprintf(datashare, sizeof(datashare), "sluice_%s", sh->consumer);
    snprintf(database, sizeof(database), "%s_db", datashare);
    producer_addr addr;
    producer_address(&addr);
    const char *schema = sh->schema;
    plan_qname *tables = calloc((size_t)sh->tables.n + 1, sizeof(plan_qname));
    if (!tables) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        x->finish(x, false);
        return;
    }
    for (int i = 0; i < sh->tables.n; i++)
        tables[i] = (plan_qname){sh->tables.items[i].schema, sh->tables.items[i].name};
    plan_share s = {
        .datashare = datashare,
        .exists = exists,
        .tables = tables,
        .ntables = (size_t)sh->tables.n,
        .schemas = schema ? &schema : NULL,
        .nschemas = schema ? 1 : 0,
        .group = sh->group,
        .producer_namespace = "<producer namespace>",
        .consumer_namespace = namespace ? namespace : "<consumer namespace>",
        .consumer_database = database,
        .fdw_server = SHARE_FDW_SERVER,
        .host = addr.host[0] ? addr.host : "localhost",
        .port = addr.port,
        .dbname = addr.dbname[0] ? addr.dbname : "postgres",
        .user = SHARE_FDW_ROLE,
        .password = "********",
    };
    plan_out *plan = &ss->b.sc.plan;
    bool ok = ss->unshare ? plan_unshare_producer(&ss->b.target, &s, plan, &x->err)
                          : plan_share_producer(&ss->b.target, &s, plan, &x->err);
    size_t first = plan->n;
    ok = ok && (ss->unshare ? plan_unshare_consumer(&ss->b.target, &s, plan, &x->err)
                            : plan_share_consumer(&ss->b.target, &s, plan, &x->err));
    if (ok && !mark_consumer(plan, first, sh->consumer)) {
        sl_error_set(&x->err, "53200", NULL, "out of memory");
        ok = false;
    }
    free(tables);
    if (ok)
        script_explain(x, plan);
    x->finish(x, ok);
}

static void catalog_checked(sl_exec *x, const sl_result *r)
{
    share_state *ss = x->state;
    if (!script_catalog_present(x, r, "shares"))
        return;
    sqlbuf b = {0};
    sqlbuf_puts(&b, "SELECT c.kind, c.options->>'namespace', EXISTS (SELECT 1 FROM sluice.share s "
                    "WHERE s.consumer = c.name) FROM (SELECT 1) AS one LEFT JOIN "
                    "sluice.connection c ON c.name = ");
    bool ok = script_literal(&b, ss->sh->consumer, &x->err);
    if (!ok || b.oom) {
        if (ok)
            sl_error_set(&x->err, "53200", NULL, "out of memory");
        sqlbuf_free(&b);
        x->finish(x, false);
        return;
    }
    x->catalog_query(x, b.data, consumer_read);
    sqlbuf_free(&b);
}

void sharestmt_execute(sl_exec *x, const sl_stmt *st, const sl_explain *explain)
{
    (void)st; /* sluice keeps a copy of its own: the statement outlives this call */
    share_state *ss = stmt_start(x, sizeof(*ss), share_state_free, explain);
    if (!ss)
        return;
    ss->sh = &ss->b.st->u.share;
    ss->unshare = ss->b.st->kind == SL_STMT_UNSHARE;
    x->catalog_query(x, CATALOG_PRESENT_SQL, catalog_checked);
}
