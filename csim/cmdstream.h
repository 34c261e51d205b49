/* SPDX-License-Identifier: Apache-2.0 */
/* Follows the accelerator's command stream word by word (docs/accelerator.md) so a backend wrapper
 * knows which RUN is executing: the taps and output words of the device belong to the last RUN whose
 * descriptor was accepted (the next command is only read after a RUN completes). */
#ifndef FLEXOR_CSIM_CMDSTREAM_H
#define FLEXOR_CSIM_CMDSTREAM_H
#include "flexor/hwcfg.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t K, M, N, flags, w_base, p_base, a_src_base, a_dst_base;
    uint32_t q, ch, stream; /* derived: planes, chunks per column, dst_stream */
    /* RUNX (x = 1): its words C, in_hw, kernel, out_hw; N = out_h·out_w; pool (flags [23:22]) and the
     * output tensor's positions after it (out_pos) */
    uint32_t x, C, in_hw, kernel, out_hw, pool, out_w, out_pos;
} fx_run_desc;

typedef struct {
    uint32_t hdr[12], hdr_n, hdr_need;
    uint64_t data_left;
    uint32_t p_words, a_words, n_out;
} fx_cmdstream;

void fx_cmdstream_init(fx_cmdstream *p, const fx_hwcfg *cfg);
enum { FX_CS_NONE = 0, FX_CS_RUN = 1, FX_CS_ID = 2 };
/* Consume up to n words; stops right after a RUN or RUNX descriptor completes (*got = FX_CS_RUN, *run filled)
 * or after an ID command (*got = FX_CS_ID: FX_ID_WORDS output words follow). Returns the number of words
 * consumed. */
size_t fx_cmdstream_feed(fx_cmdstream *p, const uint32_t *w, size_t n, fx_run_desc *run, int *got);
/* Words a RUN / RUNX streams on `out` (0 when it writes a buffer): N·M, or a RUNX's output tensor M·positions. */
uint64_t fx_run_desc_out_words(const fx_run_desc *d);
/* The rank of column n in the RUN's column order: n, or for a RUNX with pool 2 its place among the 2x2
 * windows' columns (docs/accelerator.md "RUNX", "Column order"). */
uint64_t fx_run_desc_col_rank(const fx_run_desc *d, uint32_t n);
#endif
