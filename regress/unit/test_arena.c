/*
 * test_arena.c — the row arena: allocations of every size are usable and aligned, a reset
 * gives the same memory to the next row, and large blocks do not outlive their row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"

static void allocations_are_aligned_and_usable_whatever_their_size(void **state)
{
    (void)state;
    arena a = ARENA_INIT;
    static const size_t sizes[] = {0,    1,     7,      16,     100,    4095, 4096, 4097,
                                   9000, 70000, 131072, 131073, 300000, 1,    5000};
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            char *p = arena_alloc(&a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
            memset(p, 'x', sizes[i]); /* out of bounds would show under ASan */
        }
        arena_reset(&a);
    }
    arena_free(&a);
    arena_free(&a); /* an empty arena frees again */
}

static void a_reset_gives_the_same_memory_to_the_next_row(void **state)
{
    (void)state;
    arena a = ARENA_INIT;
    char *first = arena_alloc(&a, 40);
    for (int i = 0; i < 100; i++)
        assert_non_null(arena_alloc(&a, 1000)); /* a few chunks */
    arena_reset(&a);
    assert_ptr_equal(arena_alloc(&a, 40), first);
    arena_free(&a);
}

static void strndup_copies_and_terminates(void **state)
{
    (void)state;
    arena a = ARENA_INIT;
    char *s = arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_strndup(&a, "x", SIZE_MAX));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_aligned_and_usable_whatever_their_size),
        cmocka_unit_test(a_reset_gives_the_same_memory_to_the_next_row),
        cmocka_unit_test(strndup_copies_and_terminates),
    };
    return cmocka_run_group_tests(tests, 0, NULL);
}
