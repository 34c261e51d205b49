/* Shared helpers of the driver / C-model tests: failure counting and small random models. */
#ifndef FLEXOR_DTEST_H
#define FLEXOR_DTEST_H
#include "flexor/driver.h"
#include <stdio.h>

extern int dt_failures;
#define CHECK(cond, ...)                                                                                          \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            dt_failures++;                                                                                     \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);                           \
            fprintf(stderr, __VA_ARGS__);                                                                      \
            fputc('\n', stderr);                                                                               \
        }                                                                                                      \
    } while (0)

/* A configuration built in code (checked with fx_hwcfg_check; aborts the test if invalid). */
fx_hwcfg dt_cfg(uint32_t n_out, const uint32_t *n_in, uint32_t n_in_count, uint32_t n_tap, uint32_t lanes,
                uint32_t q_max, uint32_t k_max, uint32_t wmem, uint32_t pmem, uint32_t amem);
#endif
