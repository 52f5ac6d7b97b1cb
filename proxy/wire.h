/*
 * wire.h — the PostgreSQL v3 wire codec.
 *
 * Building messages (wire_begin / wire_put_* / wire_end, in the manner of PostgreSQL's
 * pqformat.c), reading them back with end checks (wire_get_* / wire_get_end), and the
 * framing rules a relay needs: which message types exist, how long each may be, and the
 * startup-phase packets that carry no type byte. Pure code: no sockets, no libevent.
 */
#ifndef SLUICE_WIRE_H
#define SLUICE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Startup-phase request codes (the Int32 after the length). */
#define WIRE_PROTOCOL_3_0 196608u
#define WIRE_CANCEL_REQUEST 80877102u
#define WIRE_SSL_REQUEST 80877103u
#define WIRE_GSSENC_REQUEST 80877104u

#define WIRE_HEADER_LEN 5           /* type byte + Int32 length */
#define WIRE_STARTUP_MAX 10000      /* PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
#define WIRE_SMALL_LIMIT 10000      /* PQ_SMALL_MESSAGE_LIMIT */
#define WIRE_LARGE_LIMIT 0x3fffffff /* PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize - 1) */

/* A growable output buffer; messages are appended back to back. */
typedef struct wire_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t msg_start; /* offset of the message being built */
    bool msg_typed;   /* it has a type byte before its length */
    bool oom;         /* an allocation failed; the content is unusable */
} wire_buf;

void wire_buf_init(wire_buf *b);
void wire_buf_reset(wire_buf *b);
void wire_buf_free(wire_buf *b);

/* type 0 begins a startup-phase packet (no type byte). */
void wire_begin(wire_buf *b, char type);
void wire_put_byte(wire_buf *b, uint8_t v);
void wire_put_int16(wire_buf *b, int16_t v);
void wire_put_int32(wire_buf *b, int32_t v);
void wire_put_bytes(wire_buf *b, const void *p, size_t n);
void wire_put_string(wire_buf *b, const char *s); /* with its NUL */
void wire_end(wire_buf *b);

/* A reader over one message body; any overrun sets err and returns zero values. */
typedef struct wire_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    bool err;
} wire_reader;

void wire_reader_init(wire_reader *r, const void *body, size_t len);
uint8_t wire_get_byte(wire_reader *r);
int16_t wire_get_int16(wire_reader *r);
int32_t wire_get_int32(wire_reader *r);
const char *wire_get_string(wire_reader *r); /* NUL-terminated inside the body, or NULL */
const void *wire_get_bytes(wire_reader *r, size_t n);
/* true when the body was read exactly to its end without error */
bool wire_get_end(const wire_reader *r);

/* Framing of typed messages. */
typedef enum {
    WIRE_OK = 0,
    WIRE_INCOMPLETE, /* fewer than 5 bytes */
    WIRE_BAD_TYPE,   /* a type byte the frontend protocol does not have */
    WIRE_BAD_LENGTH  /* length < 4 or beyond the limit for that type */
} wire_status;

/* Decodes a 5-byte header. len is the body length (excluding the Int32 itself). */
wire_status wire_parse_header(const uint8_t hdr[5], char *type, uint32_t *body_len);
/* Validates a frontend (client) message header: known type, length within its limit. */
wire_status wire_check_frontend(char type, uint32_t body_len);
/* Validates a backend (server) message header: length >= 4 only. */
wire_status wire_check_backend(char type, uint32_t body_len);

/* The startup packet: Int32 length then Int32 code; for 3.x, name/value pairs. */
#define WIRE_STARTUP_MAX_PARAMS 64
typedef struct wire_startup {
    uint32_t code;
    int nparams;
    const char *names[WIRE_STARTUP_MAX_PARAMS];
    const char *values[WIRE_STARTUP_MAX_PARAMS];
    uint32_t cancel_pid; /* for CancelRequest */
    uint32_t cancel_key;
} wire_startup;

/*
 * Parses a whole startup-phase packet (including its length word). Returns NULL on
 * success or a message describing the protocol violation. Pointers refer into pkt.
 */
const char *wire_parse_startup(const uint8_t *pkt, size_t len, wire_startup *out);
const char *wire_startup_param(const wire_startup *s, const char *name);

/* ErrorResponse / NoticeResponse with the usual fields; NULL fields are omitted. */
typedef struct wire_error {
    const char *severity; /* ERROR, FATAL, NOTICE… */
    const char *sqlstate;
    const char *message;
    const char *detail;
    const char *hint;
    int position; /* 1-based, 0 = none */
} wire_error;

void wire_put_error(wire_buf *b, char type, const wire_error *e);
/* Finds one field (e.g. 'C' or 'S') in an ErrorResponse body; NULL when absent. */
const char *wire_error_field(const uint8_t *body, size_t len, char field);

/* Convenience builders for the replies sluice synthesizes. */
void wire_put_ready(wire_buf *b, char status);
void wire_put_command_complete(wire_buf *b, const char *tag);

uint32_t wire_read_u32(const uint8_t *p);
void wire_write_u32(uint8_t *p, uint32_t v);

#endif
