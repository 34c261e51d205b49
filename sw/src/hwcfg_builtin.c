/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration this build was generated for (flexor_config.h from the one .cfg source). */
#include "flexor/hwcfg.h"
#include "flexor_config.h"

static const fx_hwcfg builtin = {
    .name = FXC_NAME, .n_out = FXC_N_OUT, .n_tap = FXC_N_TAP, .n_in_count = FXC_N_IN_COUNT,
    .n_in = FXC_N_IN_LIST, .seed = FXC_SEED, .lanes = FXC_LANES, .q_max = FXC_Q_MAX, .k_max = FXC_K_MAX,
    .wmem_depth = FXC_WMEM_DEPTH, .pmem_depth = FXC_PMEM_DEPTH, .amem_depth = FXC_AMEM_DEPTH,
};

const fx_hwcfg *fx_hwcfg_builtin(void) { return &builtin; }
