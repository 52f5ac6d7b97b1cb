/*
 * script.h — a statement's warehouse SQL, run on the client's own backend session as one
 * unit, or shown by EXPLAIN exactly as it would be sent.
 *
 * A statement of ours is atomic: in the simple protocol its statements go as one Query,
 * which PostgreSQL runs as one implicit transaction (or inside the client's own block);
 * inside an extended-protocol batch they go one by one before the client's Sync, in the
 * batch's implicit transaction. Either way a failure leaves nothing behind, and the
 * planner's own BEGIN/COMMIT (meant for sluice's background connections) are left out.
 */
#ifndef SLUICE_SCRIPT_H
#define SLUICE_SCRIPT_H

#include "intercept.h"
#include "parse.h"
#include "plan.h"
#include "sqlbuf.h"

typedef struct script {
    plan_out plan;
    size_t next;
    sl_exec_next done;
} script;

/*
 * What every executor of a statement keeps, first in its own state: its own parse of the
 * statement (the tree the handler gets lives only during that call), the statement it
 * carries out (under EXPLAIN, the explained one), where its SQL is rendered, and its script.
 */
typedef struct stmt_base {
    sl_parse_result parsed;
    sl_stmt *st;
    bool explain;
    plan_target target;
    script sc;
} stmt_base;

/*
 * The start every executor shares: a zeroed state of size bytes beginning with a stmt_base,
 * installed in x with free_fn (which calls stmt_base_free), and the statement parsed into
 * it. NULL when x was finished for want of memory.
 */
void *stmt_start(sl_exec *x, size_t size, void (*free_fn)(void *), const sl_explain *explain);
void stmt_base_free(stmt_base *b);

/* Where a statement's SQL is rendered: EXPLAIN's DIALECT, else the configured dialect. */
plan_target script_target(const sl_explain *explain);

/* A statement for sluice's catalog, when that is not the warehouse (dialect redshift). */
#define SCRIPT_CATALOG 0x100u

/* sluice's catalog is a PostgreSQL database whatever the dialect: its SQL is rendered so. */
extern const plan_target script_catalog_sql;

/* A literal of catalog SQL into b (text NULL is NULL); false with err set. */
bool script_literal(sqlbuf *b, const char *text, sl_error *err);

/* Drops the plan's BEGIN and COMMIT: the client's statement is the transaction. */
void script_for_session(plan_out *plan);

/* Adds a statement (copied) at the end; false when out of memory. */
bool script_add(script *sc, const char *sql);

/*
 * Appends one EXPLAIN row per statement (a guard, a statement sent alone or one for the
 * catalog is preceded by a comment line saying so) and the EXPLAIN CommandComplete.
 */
void script_explain(sl_exec *x, const plan_out *plan);

/*
 * Runs sc->plan on the client's session (sc stays the caller's, e.g. in x->state), then
 * calls done with the last statement's result, or with the first failure.
 */
void script_run(sl_exec *x, script *sc, sl_exec_next done);

void script_free(script *sc);

/* Rows a write touched, from its command tag ("INSERT 0 1", "UPDATE 0", "DELETE 1"). */
long script_tag_rows(const char *tag);

/* Appends r's rows as DataRows, as they came (text; NULL stays NULL): a SHOW's reply. */
void script_put_rows(sl_exec *x, const sl_result *r);

/*
 * For the reply to CATALOG_PRESENT_SQL (catalog.h), run with catalog_query: true when
 * sluice's catalog is there. Otherwise x is finished, with the query's error or with 55000
 * saying where the catalog is (with dialect postgres the hint ends "define <objects>
 * there"), and false is returned.
 */
bool script_catalog_present(sl_exec *x, const sl_result *r, const char *objects);

/* The common ending of a statement whose query failed: its error goes to the client. */
void script_fail(sl_exec *x, const sl_result *r);

/* A NOTICE to the client, before the statement's CommandComplete. */
void script_notice(sl_exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* JSON for catalog columns: a string, an option's value, {"option": value, …}. */
void script_json_string(sqlbuf *b, const char *s);
void script_json_value(sqlbuf *b, const sl_value *v);
void script_json_options(sqlbuf *b, const sl_options *o);

#endif
