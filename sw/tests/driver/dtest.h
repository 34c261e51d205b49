/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the driver / C-model tests (CHECK comes from test_util.h). */
#ifndef FLEXOR_DTEST_H
#define FLEXOR_DTEST_H
#include "test_util.h"
#include "flexor/driver.h"

/* A configuration built in code (checked with fx_hwcfg_check; aborts the test if invalid). */
fx_hwcfg dt_cfg(uint32_t n_out, const uint32_t *n_in, uint32_t n_in_count, uint32_t n_tap, uint32_t lanes,
                uint32_t q_max, uint32_t k_max, uint32_t wmem, uint32_t pmem, uint32_t amem);
/* The random tests' configurations: the built-in one, then N_out 7, 32 and 12 with 3, 5 and 1 lane(s). */
enum { DT_CFGS = 4 };
void dt_cfgs(fx_hwcfg cfgs[DT_CFGS]);
#endif
