/* SPDX-License-Identifier: Apache-2.0 */
/* A hardware configuration as synth uses it: libflexor's parse of rtl/config/NAME.cfg (fx_hwcfg_load,
 * the one parser; derived widths from fx_hwcfg_widths), plus what synth adds: the config hash as text,
 * the M⊕ rows (fx_mxor_generate) and the directory where flexor-gencfg wrote flexor_config.vh for the
 * Verilog sources. */
#ifndef SX_CONFIG_H
#define SX_CONFIG_H
#include "flexor/hwcfg.h"
#include "flexor/mxor.h"
#include <stdint.h>

typedef struct {
    fx_hwcfg hw;
    char hash[16];      /* fx_hwcfg_hash as 8 hex digits, as in flexor_config.json */
    char gen_dir[1024]; /* holds flexor_config.{h,vh,json} */
    uint32_t rows[FX_MAX_NIN_SET][FX_NOUT_MAX]; /* M⊕ rows per entry of hw.n_in */
} sx_cfg;

/* Path of rtl/config/NAME.cfg (NAME may also be a path ending in .cfg). */
void sx_cfg_path(const char *name, char *out, unsigned n);
/* Parses the configuration NAME and runs flexor-gencfg for it into gen_dir (log in logpath).
 * 0, or 2 with a one-line message on stderr. */
int sx_cfg_generate(const char *name, const char *gen_dir, const char *logpath, sx_cfg *c);
#endif
