/*
 * utf8.h — what is well-formed UTF-8, decided in one place for quoting, CAST messages, the
 * JSON reader and the batch's checks.
 */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s, with n bytes left: 1 to 4, or 0 when it is
 * not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, nothing cut
 * short by the end). NUL counts as a one-byte character.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
