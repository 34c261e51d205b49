/* SPDX-License-Identifier: Apache-2.0 */
/* Hardware configuration as a value: parsed from rtl/config/NAME.cfg (docs/contract.md §1). */
#ifndef FLEXOR_HWCFG_H
#define FLEXOR_HWCFG_H
#include <stdint.h>
#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_CONTRACT_VERSION "2.0"
#define FX_MAX_NIN_SET 8
#define FX_MXOR_GEN_SPLITMIX64_V1 1u

typedef struct {
    char name[64];
    uint32_t n_out, n_tap;
    uint32_t n_in_count;
    uint32_t n_in[FX_MAX_NIN_SET]; /* ascending */
    uint64_t seed;
    uint32_t lanes, q_max, k_max;
    uint32_t wmem_depth, pmem_depth, amem_depth;
} fx_hwcfg;

/* Derived widths (contract §4). */
typedef struct {
    uint32_t psum_w, acc_w, sum_w, p_words, a_words;
} fx_widths;

/* Parse a .cfg file (every key exactly once, docs/contract.md §1); on error writes a one-line message
 * "path[:line]: ..." into err and returns -1. A directory is refused. */
/* The meaning of every --config argument: a path when it contains '/' or ends in ".cfg", otherwise the
 * name of rtl/config/NAME.cfg under rtl_dir. 0, or -1 when the result does not fit out. */
int fx_hwcfg_resolve(const char *arg, const char *rtl_dir, char *out, size_t len);
int fx_hwcfg_load(const char *path, fx_hwcfg *cfg, char *err, unsigned errlen);
/* The same on an open stream; path only names it in messages. */
int fx_hwcfg_read(FILE *f, const char *path, fx_hwcfg *cfg, char *err, unsigned errlen);
/* Check ranges; returns -1 with a message on error. */
int fx_hwcfg_check(const fx_hwcfg *cfg, char *err, unsigned errlen);
uint32_t fx_hwcfg_hash(const fx_hwcfg *cfg);
/* The configuration as .cfg text that fx_hwcfg_read reads back to the same values (every key, in the
 * order of docs/contract.md §1; a comment line first when comment is not NULL). -1 when it does not fit. */
int fx_hwcfg_format(const fx_hwcfg *cfg, const char *comment, char *buf, size_t len);
fx_widths fx_hwcfg_widths(const fx_hwcfg *cfg);
/* Bits needed for a signed value with |v| <= maxabs. */
uint32_t fx_signed_bits(uint64_t maxabs);
/* The compiled-in default configuration (from the generated flexor_config.h). */
const fx_hwcfg *fx_hwcfg_builtin(void);
#ifdef __cplusplus
}
#endif
#endif
