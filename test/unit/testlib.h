/*
 * testlib.h — a minimal TAP-style harness for the C unit tests.
 * Each CHECK prints "ok N - what" or "not ok N - what"; test/run-all.sh counts them.
 */
#ifndef NEO4J_TESTLIB_H
#define NEO4J_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int test_count, test_failures;

#define CHECK(cond, ...) do {                                               \
        int ok_ = (cond) ? 1 : 0;                                           \
        test_count++;                                                       \
        if (!ok_) test_failures++;                                          \
        printf("%s %d - ", ok_ ? "ok" : "not ok", test_count);              \
        printf(__VA_ARGS__);                                                \
        if (!ok_) printf("  [%s:%d: %s]", __FILE__, __LINE__, #cond);      \
        printf("\n");                                                       \
    } while (0)

#define CHECK_STR(got, want, ...) do {                                      \
        const char *g_ = (got), *w_ = (want);                               \
        int same_ = g_ && w_ && strcmp(g_, w_) == 0;                        \
        CHECK(same_, __VA_ARGS__);                                          \
        if (!same_) printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

/* Ends main(): prints the plan line and returns the exit status. */
#define TEST_DONE() (printf("1..%d\n", test_count), test_failures ? 1 : 0)

#endif
