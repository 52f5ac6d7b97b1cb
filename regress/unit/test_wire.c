/*
 * test_wire.c — the wire codec against byte-exact fixtures: what sluice builds, what it
 * accepts, and what it refuses (truncated, oversized and unknown messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "wire.h"

#define FIXTURE(name, ...) static const uint8_t name[] = {__VA_ARGS__}

static void assert_bytes(const wire_buf *b, const uint8_t *want, size_t n)
{
    assert_false(b->oom);
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void ready_for_query_is_six_bytes(void **state)
{
    (void)state;
    FIXTURE(want, 'Z', 0, 0, 0, 5, 'T');
    wire_buf b;
    wire_buf_init(&b);
    wire_put_ready(&b, 'T');
    assert_bytes(&b, want, sizeof(want));
    wire_buf_free(&b);
}

static void command_complete_carries_its_tag(void **state)
{
    (void)state;
    FIXTURE(want, 'C', 0, 0, 0, 9, 'S', 'H', 'O', 'W', 0);
    wire_buf b;
    wire_buf_init(&b);
    wire_put_command_complete(&b, "SHOW");
    assert_bytes(&b, want, sizeof(want));
    wire_buf_free(&b);
}

static void error_response_has_severity_code_message_and_position(void **state)
{
    (void)state;
    FIXTURE(want, 'E', 0, 0, 0, 38, 'S', 'E', 'R', 'R', 'O', 'R', 0, 'V', 'E', 'R', 'R', 'O', 'R',
            0, 'C', '4', '2', '6', '0', '1', 0, 'M', 'b', 'a', 'd', 0, 'H', 'h', 0, 'P', '1', '2',
            0, 0);
    wire_buf b;
    wire_buf_init(&b);
    wire_error e = {
        .severity = "ERROR", .sqlstate = "42601", .message = "bad", .hint = "h", .position = 12};
    wire_put_error(&b, 'E', &e);
    assert_bytes(&b, want, sizeof(want));
    assert_string_equal(wire_error_field(b.data + 5, b.len - 5, 'C'), "42601");
    assert_string_equal(wire_error_field(b.data + 5, b.len - 5, 'P'), "12");
    assert_null(wire_error_field(b.data + 5, b.len - 5, 'D'));
    wire_buf_free(&b);
}

static void messages_are_appended_back_to_back(void **state)
{
    (void)state;
    FIXTURE(want, 'T', 0, 0, 0, 6, 0, 1, 'D', 0, 0, 0, 10, 0, 1, 0, 0, 0, 0, 'n', 0, 0, 0, 4);
    wire_buf b;
    wire_buf_init(&b);
    wire_begin(&b, 'T');
    wire_put_int16(&b, 1);
    wire_end(&b);
    wire_begin(&b, 'D');
    wire_put_int16(&b, 1);
    wire_put_int32(&b, 0);
    wire_end(&b);
    wire_begin(&b, 'n');
    wire_end(&b);
    assert_bytes(&b, want, sizeof(want));
    wire_buf_free(&b);
}

static void startup_packet_round_trips(void **state)
{
    (void)state;
    FIXTURE(want, 0, 0, 0, 36, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'a', 'l', 'i', 'c', 'e', 0, 'd',
            'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'd', 'w', 0, 'x', 0, '1', 0, 0);
    wire_buf b;
    wire_buf_init(&b);
    wire_begin(&b, 0);
    wire_put_int32(&b, (int32_t)WIRE_PROTOCOL_3_0);
    wire_put_string(&b, "user");
    wire_put_string(&b, "alice");
    wire_put_string(&b, "database");
    wire_put_string(&b, "dw");
    wire_put_string(&b, "x");
    wire_put_string(&b, "1");
    wire_put_byte(&b, 0);
    wire_end(&b);
    assert_bytes(&b, want, sizeof(want));

    wire_startup st;
    assert_null(wire_parse_startup(b.data, b.len, &st));
    assert_int_equal(st.code, WIRE_PROTOCOL_3_0);
    assert_int_equal(st.nparams, 3);
    assert_string_equal(wire_startup_param(&st, "user"), "alice");
    assert_string_equal(wire_startup_param(&st, "database"), "dw");
    assert_null(wire_startup_param(&st, "options"));
    wire_buf_free(&b);
}

static void startup_requests_are_recognized(void **state)
{
    (void)state;
    FIXTURE(ssl, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f);
    FIXTURE(gss, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30);
    FIXTURE(cancel, 0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x30, 0x39, 0xde, 0xad, 0xbe, 0xef);
    wire_startup st;
    assert_null(wire_parse_startup(ssl, sizeof(ssl), &st));
    assert_int_equal(st.code, WIRE_SSL_REQUEST);
    assert_null(wire_parse_startup(gss, sizeof(gss), &st));
    assert_int_equal(st.code, WIRE_GSSENC_REQUEST);
    assert_null(wire_parse_startup(cancel, sizeof(cancel), &st));
    assert_int_equal(st.code, WIRE_CANCEL_REQUEST);
    assert_int_equal(st.cancel_pid, 12345);
    assert_int_equal(st.cancel_key, 0xdeadbeef);
}

static void malformed_startup_packets_are_refused(void **state)
{
    (void)state;
    wire_startup st;
    FIXTURE(short_pkt, 0, 0, 0, 4);
    assert_non_null(wire_parse_startup(short_pkt, sizeof(short_pkt), &st));
    FIXTURE(len_mismatch, 0, 0, 0, 9, 0x04, 0xd2, 0x16, 0x2f);
    assert_non_null(wire_parse_startup(len_mismatch, sizeof(len_mismatch), &st));
    FIXTURE(long_cancel, 0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1);
    assert_non_null(wire_parse_startup(long_cancel, sizeof(long_cancel), &st));
    FIXTURE(v2, 0, 0, 0, 8, 0, 2, 0, 0);
    assert_string_equal(wire_parse_startup(v2, sizeof(v2), &st), "unsupported frontend protocol");
    FIXTURE(no_user, 0, 0, 0, 17, 0, 3, 0, 0, 'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0);
    assert_non_null(wire_parse_startup(no_user, sizeof(no_user), &st));
    FIXTURE(unterminated, 0, 0, 0, 18, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'b', 'o', 'b', 0, 'x');
    assert_non_null(wire_parse_startup(unterminated, sizeof(unterminated), &st));
    FIXTURE(no_user_value, 0, 0, 0, 13, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0);
    assert_non_null(wire_parse_startup(no_user_value, sizeof(no_user_value), &st));
}

static void frontend_headers_are_checked(void **state)
{
    (void)state;
    char type;
    uint32_t blen;
    FIXTURE(sync, 'S', 0, 0, 0, 4);
    assert_int_equal(wire_parse_header(sync, &type, &blen), WIRE_OK);
    assert_int_equal(type, 'S');
    assert_int_equal(blen, 0);
    assert_int_equal(wire_check_frontend(type, blen), WIRE_OK);

    FIXTURE(too_short, 'Q', 0, 0, 0, 3);
    assert_int_equal(wire_parse_header(too_short, &type, &blen), WIRE_BAD_LENGTH);

    /* a Sync may not be large; a Query may be up to 1 GB */
    assert_int_equal(wire_check_frontend('S', 0x7ffffffb), WIRE_BAD_LENGTH);
    assert_int_equal(wire_check_frontend('S', 10000), WIRE_BAD_LENGTH);
    assert_int_equal(wire_check_frontend('S', 9996), WIRE_OK);
    assert_int_equal(wire_check_frontend('Q', 100 * 1000 * 1000), WIRE_OK);
    assert_int_equal(wire_check_frontend('Q', 0x40000000), WIRE_BAD_LENGTH);
    assert_int_equal(wire_check_frontend('p', 70000), WIRE_BAD_LENGTH);

    /* types the frontend protocol does not have */
    assert_int_equal(wire_check_frontend('Z', 0), WIRE_BAD_TYPE);
    assert_int_equal(wire_check_frontend('\0', 0), WIRE_BAD_TYPE);
    assert_int_equal(wire_check_frontend('T', 0), WIRE_BAD_TYPE);
}

static void reader_detects_truncation_and_leftovers(void **state)
{
    (void)state;
    /* a Bind body: portal "", statement "s1", 0 formats, 1 parameter of 2 bytes, 0 results */
    FIXTURE(bind, 0, 's', '1', 0, 0, 0, 0, 1, 0, 0, 0, 2, 'h', 'i', 0, 0);
    wire_reader r;
    wire_reader_init(&r, bind, sizeof(bind));
    assert_string_equal(wire_get_string(&r), "");
    assert_string_equal(wire_get_string(&r), "s1");
    assert_int_equal(wire_get_int16(&r), 0);
    assert_int_equal(wire_get_int16(&r), 1);
    assert_int_equal(wire_get_int32(&r), 2);
    assert_memory_equal(wire_get_bytes(&r, 2), "hi", 2);
    assert_false(wire_get_end(&r)); /* the result-format count is still unread */
    assert_int_equal(wire_get_int16(&r), 0);
    assert_true(wire_get_end(&r));

    /* truncated: the parameter says 5 bytes but only 2 follow */
    FIXTURE(truncated, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 'h', 'i');
    wire_reader_init(&r, truncated, sizeof(truncated));
    wire_get_string(&r);
    wire_get_string(&r);
    wire_get_int16(&r);
    wire_get_int16(&r);
    int32_t n = wire_get_int32(&r);
    assert_null(wire_get_bytes(&r, (size_t)n));
    assert_true(r.err);
    assert_int_equal(wire_get_int32(&r), 0); /* once failed, reads stay failed */
    assert_false(wire_get_end(&r));

    /* a string without its NUL */
    FIXTURE(nonul, 'a', 'b');
    wire_reader_init(&r, nonul, sizeof(nonul));
    assert_null(wire_get_string(&r));
    assert_true(r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_for_query_is_six_bytes),
        cmocka_unit_test(command_complete_carries_its_tag),
        cmocka_unit_test(error_response_has_severity_code_message_and_position),
        cmocka_unit_test(messages_are_appended_back_to_back),
        cmocka_unit_test(startup_packet_round_trips),
        cmocka_unit_test(startup_requests_are_recognized),
        cmocka_unit_test(malformed_startup_packets_are_refused),
        cmocka_unit_test(frontend_headers_are_checked),
        cmocka_unit_test(reader_detects_truncation_and_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
