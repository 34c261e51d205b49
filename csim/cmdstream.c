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
    case FX_OP_RUNX: return 1 + FX_RUNX_ARGS;
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
            run->out_pos = run->N;
            *got = FX_CS_RUN;
            return i;
        } else if (op == FX_OP_RUNX) {
            const uint32_t *h = p->hdr + 1;
            *run = (fx_run_desc){.K = h[0], .M = h[1], .flags = h[2], .w_base = h[3], .p_base = h[4],
                                 .a_src_base = h[5], .a_dst_base = h[6], .x = 1, .C = h[7], .in_hw = h[8],
                                 .kernel = h[9], .out_hw = h[10]};
            const uint32_t oh = h[10] & 0xFFFF, ow = h[10] >> 16;
            run->N = oh * ow;
            run->out_w = ow;
            run->pool = (run->flags >> 22) & 3;
            run->out_pos = run->pool == 2 ? (oh / 2) * (ow / 2) : run->N;
            run->q = run->flags & 0xF;
            run->ch = (uint32_t)(((uint64_t)run->K + p->n_out - 1) / p->n_out);
            run->stream = (run->flags >> 13) & 1;
            *got = FX_CS_RUN;
            return i;
        }
    }
    return i;
}

uint64_t fx_run_desc_out_words(const fx_run_desc *d) { return d->stream ? (uint64_t)d->out_pos * d->M : 0; }

uint64_t fx_run_desc_col_rank(const fx_run_desc *d, uint32_t n)
{
    if (!d->x || d->pool != 2 || !d->out_w) return n;
    const uint32_t oy = n / d->out_w, ox = n % d->out_w, pw = d->out_w / 2;
    return ((uint64_t)(oy / 2) * pw + ox / 2) * 4 + (oy & 1) * 2 + (ox & 1);
}
