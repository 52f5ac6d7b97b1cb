/*
 * catconn.h — sluice's catalog when it is a database apart from the warehouse (dialect
 * redshift, setting `catalog`): one asynchronous libpq connection per session, opened by
 * its first query, driven by events on the session's own loop, closed with the session.
 *
 * A query never blocks the loop: connecting (PQconnectStartParams / PQconnectPoll), sending
 * (PQsendQuery, PQflush) and reading (PQconsumeInput, PQisBusy, PQgetResult) each wait for
 * the socket on the loop. Each query is a transaction of its own (autocommit). Its result
 * comes back as an sl_result, exactly as a query on the client's own session does. Nothing
 * this module says, to the client or to the log, contains the conninfo's password.
 */
#ifndef SLUICE_CATCONN_H
#define SLUICE_CATCONN_H

#include "intercept.h"

#include <stdbool.h>

struct event_base;

typedef struct catconn catconn;
typedef void (*catconn_done)(void *arg, const sl_result *r);

/*
 * At start-up, before the loops run, with dialect redshift: where the catalog is. A host
 * name is resolved here, once, so that connecting never waits for DNS on a loop. Problems
 * (no catalog setting, a conninfo that does not parse, a host that does not resolve) are
 * logged, and the catalog's statements fail with them; ordinary traffic is still relayed.
 */
void catconn_setup(const char *conninfo);

/* True once catconn_setup ran: the catalog is a database apart from the warehouse. */
bool catconn_apart(void);

/* A connection for one session, on its loop; nothing is opened until the first query. */
catconn *catconn_new(struct event_base *base);

/*
 * Sends sql (one or several statements, run as one implicit transaction) and calls done
 * with the result, later, from the loop. Connects first when needed; a failure to connect
 * is a failed result with 08006. Returns false with err set (08006, or 22023 when the
 * catalog setting is missing) when nothing could be started: done is then never called.
 * One query at a time.
 */
bool catconn_query(catconn *c, const char *sql, catconn_done done, void *arg, sl_error *err);

/* Closes the connection (a query under way is abandoned, done never called); NULL is fine. */
void catconn_free(catconn *c);

/* Replaces each occurrence of the catalog's password in msg (NUL-terminated) with ********. */
void catconn_scrub(char *msg, size_t size);

#endif
