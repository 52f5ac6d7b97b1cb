/*
 * fuzz_wire.c — libFuzzer harness for the wire codec: whatever bytes a client sends,
 * parsing its startup packet, its message headers and its message bodies must never
 * crash or read out of bounds.  Run with `make fuzz`.
 */
#include "wire.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_startup st;
    (void)wire_parse_startup(data, size, &st);

    size_t off = 0;
    while (size - off >= WIRE_HEADER_LEN) {
        char type;
        uint32_t blen;
        if (wire_parse_header(data + off, &type, &blen) != WIRE_OK ||
            wire_check_frontend(type, blen) != WIRE_OK || blen > size - off - WIRE_HEADER_LEN)
            break;
        const uint8_t *body = data + off + WIRE_HEADER_LEN;
        wire_reader r;
        wire_reader_init(&r, body, blen);
        /* read it as a Bind: the most structured frontend message */
        wire_get_string(&r);
        wire_get_string(&r);
        int n = wire_get_int16(&r);
        for (int i = 0; i < n && !r.err; i++)
            wire_get_int16(&r);
        n = wire_get_int16(&r);
        for (int i = 0; i < n && !r.err; i++) {
            int32_t len = wire_get_int32(&r);
            if (len > 0)
                wire_get_bytes(&r, (size_t)len);
        }
        (void)wire_get_end(&r);
        (void)wire_error_field(body, blen, 'C');
        off += WIRE_HEADER_LEN + blen;
    }
    return 0;
}
