/*
 * session.h — one client connection and its backend connection, relayed.
 *
 * A session owns both sockets, the startup/auth exchange, the queue of replies the
 * backend still owes (so sluice's own answers are put in the right place among them),
 * the statements and portals sluice prepared itself, and the cancel key it issued.
 */
#ifndef SLUICE_SESSION_H
#define SLUICE_SESSION_H

#include "server.h"

/* Starts a session for an accepted client socket (takes ownership of fd). */
void session_accept(sl_loop *loop, int fd);

#endif
