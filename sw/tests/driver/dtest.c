/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the driver / C-model tests. */
#include "dtest.h"
#include <stdlib.h>
#include <string.h>


fx_hwcfg dt_cfg(uint32_t n_out, const uint32_t *n_in, uint32_t n_in_count, uint32_t n_tap, uint32_t lanes,
                uint32_t q_max, uint32_t k_max, uint32_t wmem, uint32_t pmem, uint32_t amem)
{
    fx_hwcfg c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "test-n%u-l%u", n_out, lanes);
    c.n_out = n_out; c.n_tap = n_tap; c.seed = 0x1234567ull + n_out;
    c.n_in_count = n_in_count;
    for (uint32_t i = 0; i < n_in_count; i++) c.n_in[i] = n_in[i]; /* callers pass them ascending */
    c.lanes = lanes; c.q_max = q_max; c.k_max = k_max;
    c.wmem_depth = wmem; c.pmem_depth = pmem; c.amem_depth = amem;
    char err[256];
    if (fx_hwcfg_check(&c, err, sizeof err)) { fprintf(stderr, "bad test configuration: %s\n", err); exit(2); }
    return c;
}

void dt_cfgs(fx_hwcfg cfgs[DT_CFGS])
{
    static const uint32_t nin7[] = {3, 5, 7}, nin32[] = {16, 24, 32}, nin12[] = {6, 9, 12};
    cfgs[0] = *fx_hwcfg_builtin();
    cfgs[1] = dt_cfg(7, nin7, 3, 2, 3, 3, 400, 8192, 512, 4096);
    cfgs[2] = dt_cfg(32, nin32, 3, 3, 5, 5, 1000, 8192, 512, 4096);
    cfgs[3] = dt_cfg(12, nin12, 3, 3, 1, 8, 600, 16384, 1024, 4096);
}
