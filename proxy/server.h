/*
 * server.h — the process: relay event loops (one thread each), their listeners, the
 * backend's address, TLS context, and graceful shutdown.
 *
 * Each loop owns the sessions it accepted; nothing is shared between loops except the
 * cancel-key map (cancel.c) and the counters below.
 */
#ifndef SLUICE_SERVER_H
#define SLUICE_SERVER_H

#include "config.h"

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

struct event_base;
struct evconnlistener;
struct event;

typedef struct sl_loop {
    int index;
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *tick_ev; /* notices shutdown (server.shutting_down, force_exit) */
    pthread_t thread;
    int nsessions;
    bool stopping;
} sl_loop;

typedef struct sl_server {
    const sl_config *cfg;
    struct sockaddr_storage backend_addr;
    socklen_t backend_addrlen;
    char backend_desc[300]; /* host:port or socket path, for messages; never secrets */
    SSL_CTX *tls;
    sl_loop *loops;
    int nloops;
    atomic_int nclients;
    atomic_int loops_running;
    atomic_bool shutting_down; /* stop accepting, leave once sessions are gone */
    atomic_bool force_exit;    /* leave now */
} sl_server;

extern sl_server server;

/* Resolves the backend, builds TLS, binds listeners, starts the loops. */
int server_start(const sl_config *cfg, char *err, size_t errlen);
/* Runs the main thread until SIGTERM/SIGINT and a drained (or timed out) shutdown. */
int server_run(void);

/* A new non-blocking socket with connect() under way to the backend, or -1 (errno set). */
int server_backend_socket(void);

/* Called by a session on its loop when it is freed. */
void server_session_ended(sl_loop *loop);

#endif
