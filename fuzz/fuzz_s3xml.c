/*
 * fuzz_s3xml.c — libFuzzer harness for the S3 XML readers: whatever an endpoint answers,
 * reading it as a listing page (fed in pieces of varying size, as it arrives) or as an
 * error document must never crash, leak or read out of bounds, and an accepted page must
 * hold well-formed objects. Run with `make fuzz`.
 */
#include "s3xml.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static s3xml_list *list;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!list && !(list = s3xml_list_new()))
        abort();
    s3xml_list_reset(list); /* one parser for every input, as a client reuses it */
    const char *text = (const char *)data;
    size_t step = size ? (size_t)data[0] % 61 + 1 : 1, off = 0;
    int rc = 0;
    while (rc == 0 && off < size) {
        size_t n = size - off < step ? size - off : step;
        rc = s3xml_list_feed(list, text + off, n, false);
        off += n;
    }
    if (rc == 0 && s3xml_list_feed(list, "", 0, true) == 0) {
        s3_page page = s3xml_list_page(list);
        for (size_t i = 0; i < page.count; i++)
            if (!page.objects[i].key || !page.objects[i].etag || page.objects[i].size < 0)
                abort();
    }
    s3xml_error err;
    if (s3xml_parse_error(text, size, &err) && !err.code[0])
        abort();
    return 0;
}
