/*
 * server.c — relay loops, listeners, the backend address, TLS context and shutdown.
 */
#include "server.h"
#include "catconn.h"
#include "log.h"
#include "session.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <openssl/err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <unistd.h>

sl_server server;

/* ---- backend address ---- */

/* Resolves host/port from the backend conninfo once, at start-up. */
static int resolve_backend(const char *conninfo, char *err, size_t errlen)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        /* libpq's message names the bad keyword; it does not echo values */
        snprintf(err, errlen, "invalid backend conninfo: %s", perr ? perr : "out of memory");
        PQfreemem(perr);
        return -1;
    }
    const char *host = NULL, *hostaddr = NULL, *port = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    }
    if (!port)
        port = "5432";
    if (!host && !hostaddr)
        host = "/var/run/postgresql";
    int rc = 0;
    memset(&server.backend_addr, 0, sizeof(server.backend_addr));
    if (!hostaddr && host[0] == '/') {
        struct sockaddr_un *un = (struct sockaddr_un *)&server.backend_addr;
        un->sun_family = AF_UNIX;
        int n = snprintf(un->sun_path, sizeof(un->sun_path), "%s/.s.PGSQL.%s", host, port);
        if (n < 0 || (size_t)n >= sizeof(un->sun_path)) {
            snprintf(err, errlen, "backend socket path is too long");
            rc = -1;
        }
        server.backend_addrlen = sizeof(*un);
        snprintf(server.backend_desc, sizeof(server.backend_desc), "%s", un->sun_path);
    } else {
        const char *h = hostaddr ? hostaddr : host;
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
        int gai = getaddrinfo(h, port, &hints, &ai);
        if (gai != 0) {
            snprintf(err, errlen, "could not resolve backend host \"%s\": %s", h,
                     gai_strerror(gai));
            rc = -1;
        } else {
            memcpy(&server.backend_addr, ai->ai_addr, ai->ai_addrlen);
            server.backend_addrlen = ai->ai_addrlen;
            freeaddrinfo(ai);
            snprintf(server.backend_desc, sizeof(server.backend_desc), "%s:%s", h, port);
        }
    }
    PQconninfoFree(opts);
    return rc;
}

int server_backend_socket(void)
{
    int fd = socket(server.backend_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&server.backend_addr, server.backend_addrlen) != 0 &&
        errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* ---- TLS ---- */

static int tls_setup(const sl_config *cfg, char *err, size_t errlen)
{
    if (!cfg->tls_cert_file || !*cfg->tls_cert_file)
        return 0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        snprintf(err, errlen, "could not create TLS context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "could not load TLS certificate \"%s\" / key \"%s\": %s",
                 cfg->tls_cert_file, cfg->tls_key_file, e ? ERR_reason_error_string(e) : "?");
        SSL_CTX_free(ctx);
        return -1;
    }
    server.tls = ctx;
    return 0;
}

/* ---- loops ---- */

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg)
{
    (void)l;
    (void)addr;
    (void)socklen;
    session_accept(arg, fd);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    /* EMFILE and friends: say so and keep going; the listener retries on the next event */
    log_warning("accept failed: %s", strerror(errno));
}

static void loop_maybe_exit(sl_loop *loop)
{
    if (loop->stopping && loop->nsessions == 0)
        event_base_loopexit(loop->base, NULL);
}

/*
 * Loops are told about shutdown through atomics read on a short timer, not by events
 * activated from another thread: that would need libevent's thread support, whose
 * locking costs every relayed message (measured: a fifth of sluice's CPU per query).
 */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    sl_loop *loop = arg;
    (void)fd;
    (void)what;
    if (atomic_load(&server.force_exit)) {
        event_base_loopbreak(loop->base);
        return;
    }
    if (!atomic_load(&server.shutting_down) || loop->stopping)
        return;
    if (loop->listener) {
        evconnlistener_free(loop->listener);
        loop->listener = NULL;
    }
    loop->stopping = true;
    loop_maybe_exit(loop);
}

void server_session_ended(sl_loop *loop)
{
    loop->nsessions--;
    atomic_fetch_sub(&server.nclients, 1);
    loop_maybe_exit(loop);
}

static void *loop_main(void *arg)
{
    sl_loop *loop = arg;
    event_base_dispatch(loop->base);
    atomic_fetch_sub(&server.loops_running, 1);
    return NULL;
}

static int loop_init(sl_loop *loop, int index, struct sockaddr *addr, int addrlen, char *err,
                     size_t errlen)
{
    loop->index = index;
    loop->base = event_base_new();
    if (!loop->base) {
        snprintf(err, errlen, "could not create an event loop");
        return -1;
    }
    unsigned flags =
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC;
    loop->listener =
        evconnlistener_new_bind(loop->base, on_accept, loop, flags, 1024, addr, addrlen);
    if (!loop->listener) {
        snprintf(err, errlen, "could not listen on %s: %s", server.cfg->listen, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(loop->listener, on_accept_error);
    loop->tick_ev = event_new(loop->base, -1, EV_PERSIST, on_tick, loop);
    struct timeval tick = {0, 100 * 1000};
    return loop->tick_ev && event_add(loop->tick_ev, &tick) == 0 ? 0 : -1;
}

/*
 * Each loop listens on its own SO_REUSEPORT socket, which would also let a second sluice
 * share the port silently. A plain bind first makes "address in use" an error.
 */
static int probe_listen(const struct sockaddr *addr, socklen_t addrlen, char *err, size_t errlen)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    int rc = fd < 0 ? -1 : 0;
    if (rc == 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        rc = bind(fd, addr, addrlen);
    }
    if (rc != 0)
        snprintf(err, errlen, "could not listen on %s: %s%s", server.cfg->listen, strerror(errno),
                 errno == EADDRINUSE ? " (is another sluice or server using this port?)" : "");
    if (fd >= 0)
        close(fd);
    return rc;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int server_start(const sl_config *cfg, char *err, size_t errlen)
{
    server.cfg = cfg;
    if (resolve_backend(cfg->backend, err, errlen) != 0 || tls_setup(cfg, err, errlen) != 0)
        return -1;
    if (strcmp(cfg->dialect, "redshift") == 0)
        catconn_setup(cfg->catalog); /* the catalog is a database apart from the warehouse */
    raise_fd_limit();
    signal(SIGPIPE, SIG_IGN);

    char host[256];
    int port;
    config_split_hostport(cfg->listen, host, sizeof(host), &port);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai != 0) {
        snprintf(err, errlen, "could not resolve listen address \"%s\": %s", host,
                 gai_strerror(gai));
        return -1;
    }
    if (probe_listen(ai->ai_addr, ai->ai_addrlen, err, errlen) != 0) {
        freeaddrinfo(ai);
        return -1;
    }
    /*
     * Relaying costs little CPU next to the warehouse; on a small machine that also runs
     * the warehouse, extra loops only add cross-CPU wake-ups (measured on 2 CPUs: one loop
     * is faster). Default: one loop per 4 CPUs.
     */
    int n = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN) / 4;
    if (n < 1)
        n = 1;
    server.loops = calloc((size_t)n, sizeof(sl_loop));
    server.nloops = n;
    int rc = server.loops ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = loop_init(&server.loops[i], i, ai->ai_addr, (int)ai->ai_addrlen, err, errlen);
    freeaddrinfo(ai);
    if (rc != 0)
        return -1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 16 * 1024 * 1024); /* libpg_query recurses deeply */
    atomic_store(&server.loops_running, n);
    /* relay threads never take SIGTERM/SIGINT: the main thread's loop handles them */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&server.loops[i].thread, &attr, loop_main, &server.loops[i]) != 0) {
            snprintf(err, errlen, "could not start relay thread: %s", strerror(errno));
            return -1;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    log_info("sluice %s listening on %s, relaying to %s with %d thread%s%s", SLUICE_VERSION,
             cfg->listen, server.backend_desc, n, n == 1 ? "" : "s",
             server.tls ? ", TLS available" : "");
    return 0;
}

/* ---- the main thread: signals and shutdown ---- */

static struct event_base *main_base;
static struct event *deadline_ev;
static struct event *watch_ev;

static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (atomic_load(&server.loops_running) == 0)
        event_base_loopexit(main_base, NULL);
}

static void force_all(void)
{
    atomic_store(&server.force_exit, true);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    log_info("shutdown timeout reached with %d client(s) still connected; closing them",
             atomic_load(&server.nclients));
    force_all();
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    (void)arg;
    if (atomic_exchange(&server.shutting_down, true)) {
        log_info("second signal: leaving now");
        force_all();
        return;
    }
    log_info("received %s: no new connections; waiting up to %d s for %d session(s)",
             sig == SIGTERM ? "SIGTERM" : "SIGINT", server.cfg->shutdown_timeout,
             atomic_load(&server.nclients));
    struct timeval tv = {server.cfg->shutdown_timeout, 0};
    deadline_ev = evtimer_new(main_base, on_deadline, NULL);
    evtimer_add(deadline_ev, &tv);
}

int server_run(void)
{
    main_base = event_base_new();
    if (!main_base)
        return 1;
    struct event *term = evsignal_new(main_base, SIGTERM, on_signal, NULL);
    struct event *intr = evsignal_new(main_base, SIGINT, on_signal, NULL);
    evsignal_add(term, NULL);
    evsignal_add(intr, NULL);
    watch_ev = event_new(main_base, -1, EV_PERSIST, on_watch, NULL);
    struct timeval tick = {0, 50 * 1000};
    event_add(watch_ev, &tick);
    event_base_dispatch(main_base);
    for (int i = 0; i < server.nloops; i++)
        pthread_join(server.loops[i].thread, NULL);
    log_info("sluice stopped");
    return 0;
}
