/* SPDX-License-Identifier: Apache-2.0 */
#include "cmdstream.h"
#include "flexor/driver.h"

void fx_cmdstream_init(fx_cmdstream *p, const fx_hwcfg *cfg)
{
    fx_widths wd = fx_hwcfg_widths(cfg);
    *p = (fx_cmdstream){.p_words = wd.p_words, .a_words = wd.a_words, .n_out = cfg->n_out};
}

static uint32_t header_words(uint32_t op)
{
    switch (op) {
    case FX_OP_LOAD_W:
    case FX_OP_LOAD_P:
    case FX_OP_LOAD_A: return 3;
    case FX_OP_RUN: return 9;
    default: return 1; /* CLEAR_COUNTERS, ID, and an unknown opcode consumes only its own word */
    }
}

size_t fx_cmdstream_feed(fx_cmdstream *p, const uint32_t *w, size_t n, fx_run_desc *run, int *got)
{
    *got = FX_CS_NONE;
    size_t i = 0;
    while (i < n) {
        if (p->data_left) {
            size_t take = p->data_left < n - i ? (size_t)p->data_left : n - i;
            p->data_left -= take;
            i += take;
            continue;
        }
        uint32_t word = w[i++];
        if (p->hdr_n == 0) p->hdr_need = header_words(word >> 24);
        p->hdr[p->hdr_n++] = word;
        if (p->hdr_n < p->hdr_need) continue;
        p->hdr_n = 0;
        uint32_t op = p->hdr[0] >> 24, count = p->hdr[2];
        if (op == FX_OP_LOAD_W) p->data_left = count;
        else if (op == FX_OP_LOAD_P) p->data_left = (uint64_t)count * p->p_words;
        else if (op == FX_OP_LOAD_A) p->data_left = (uint64_t)count * p->a_words;
        else if (op == FX_OP_ID) {
            *got = FX_CS_ID;
            return i;
        } else if (op == FX_OP_RUN) {
            const uint32_t *h = p->hdr + 1;
            *run = (fx_run_desc){.K = h[0], .M = h[1], .N = h[2], .flags = h[3], .w_base = h[4], .p_base = h[5],
                                 .a_src_base = h[6], .a_dst_base = h[7]};
            run->q = run->flags & 0xF;
            run->ch = (uint32_t)(((uint64_t)run->K + p->n_out - 1) / p->n_out);
            run->stream = (run->flags >> 13) & 1;
            *got = FX_CS_RUN;
            return i;
        }
    }
    return i;
}
