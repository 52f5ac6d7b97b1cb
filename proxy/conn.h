/*
 * conn.h — one non-blocking socket with an input and an output evbuffer, plain or TLS.
 *
 * The relay reads into `in`, moves bytes from one conn's `in` to the other's `out` with
 * evbuffer_remove_buffer (no copy of whole chains), and calls conn_flush, which writes at
 * once and only arms a write event when the kernel would block. Read events stay armed
 * (persistent), so a steady request/response exchange costs one recv and one send per
 * direction, and no epoll_ctl. TLS (OpenSSL) sits behind the same three calls.
 */
#ifndef SLUICE_CONN_H
#define SLUICE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/ssl.h>

typedef struct sl_conn sl_conn;

typedef enum {
    CONN_READ,  /* new bytes: in c->flat (plain sockets) or in c->in (TLS) */
    CONN_DRAIN, /* c->out became empty after having been blocked */
    CONN_EOF,   /* the peer closed */
    CONN_ERROR  /* a socket or TLS error; c->error says which */
} conn_event;

typedef void (*conn_cb)(sl_conn *c, conn_event ev, void *arg);

struct sl_conn {
    int fd;
    struct event *rev;
    struct event *wev;
    struct evbuffer *in;
    struct evbuffer *out;
    SSL *ssl;
    bool handshaking;    /* TLS handshake under way */
    bool reading;        /* read event armed */
    bool write_blocked;  /* output waits for a write event */
    const uint8_t *flat; /* with CONN_READ on a plain socket: the bytes just read, */
    size_t flat_len;     /* not yet in `in`; the callback relays or keeps them */
    conn_cb cb;
    void *arg;
    char error[128];
};

/* Takes ownership of fd (made non-blocking, TCP_NODELAY). Reading starts enabled. */
int conn_open(sl_conn *c, struct event_base *base, int fd, conn_cb cb, void *arg);
/* Closes the socket and frees everything; safe on a conn never opened or closed twice. */
void conn_close(sl_conn *c);
bool conn_is_open(const sl_conn *c);

void conn_set_reading(sl_conn *c, bool on);

/* Appends the unconsumed bytes of c->flat to c->in. */
void conn_keep_flat(sl_conn *c);

/* Sends p now when nothing is queued before it, queueing what the kernel does not take. */
int conn_send(sl_conn *c, const void *p, size_t n);

/* Writes what it can of c->out now; arms the write event for the rest. -1 on error. */
int conn_flush(sl_conn *c);

/* Starts a server-side TLS handshake on an open conn (after answering 'S'). */
int conn_start_tls(sl_conn *c, SSL_CTX *ctx);

/* Arms a write event to learn when a non-blocking connect() finishes (as CONN_DRAIN). */
void conn_wait_connected(sl_conn *c);

#endif
