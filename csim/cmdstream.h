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
} fx_run_desc;

typedef struct {
    uint32_t hdr[9], hdr_n, hdr_need;
    uint64_t data_left;
    uint32_t p_words, a_words, n_out;
} fx_cmdstream;

void fx_cmdstream_init(fx_cmdstream *p, const fx_hwcfg *cfg);
enum { FX_CS_NONE = 0, FX_CS_RUN = 1, FX_CS_ID = 2 };
/* Consume up to n words; stops right after a RUN descriptor completes (*got = FX_CS_RUN, *run filled)
 * or after an ID command (*got = FX_CS_ID: FX_ID_WORDS output words follow). Returns the number of words
 * consumed. */
size_t fx_cmdstream_feed(fx_cmdstream *p, const uint32_t *w, size_t n, fx_run_desc *run, int *got);
#endif
