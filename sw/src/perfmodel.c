/* SPDX-License-Identifier: Apache-2.0 */
/* See flexor/perfmodel.h; the derivation from the RTL is docs/perf.md. */
#include "flexor/perfmodel.h"
#include "flexor/driver.h"
#include <string.h>

static uint64_t ceil_div64(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Words the serialiser sends for group g: its real channels on the out stream; into a buffer LANES bytes,
 * and for a column's last group up to the end of the chunk holding channel M−1 (the zero padding). */
static uint64_t group_words(const fx_hwcfg *cfg, const fx_perf_shape *s, uint64_t g, uint64_t G)
{
    const uint64_t L = cfg->lanes, first = g * L;
    if (s->dst_stream) return s->M - first < L ? s->M - first : L;
    return g + 1 < G ? L : ceil_div64(s->M, cfg->n_out) * cfg->n_out - first;
}

void fx_perf_run_cycles(const fx_hwcfg *cfg, const fx_perf_shape *s, fx_perf_run *r)
{
    const uint64_t CH = ceil_div64(s->K, cfg->n_out), S = CH + (s->straddle ? 1 : 0);
    const uint64_t G = ceil_div64(s->M, cfg->lanes), T = (uint64_t)s->q * S, NG = (uint64_t)s->N * G;
    memset(r, 0, sizeof *r);
    /* Cycles from the first token's issue (x0). Group k's last token reaches S5 T cycles after group
     * k−1's left it (the pipeline moves as a whole, and only result tokens occupy S5, so nothing stalls in
     * between); it leaves S5 into R once R is free or R passes to O in that cycle (t of k−1). R passes to
     * O the cycle after it filled, or on the serialiser's last word of the previous group; the serialiser
     * then sends one word per cycle. */
    int64_t s5 = (int64_t)T + 4, t = 0, end = 0;
    for (uint64_t k = 0; k < NG; k++) {
        if (k) {
            int64_t arrival = s5 + (int64_t)T;
            s5 = max64(arrival, t);
            r->stall += (uint64_t)(s5 - arrival);
        }
        t = k ? max64(s5 + 1, end) : s5 + 1;
        uint64_t w = group_words(cfg, s, k % G, G);
        end = t + (int64_t)w;
        r->words += w;
    }
    r->issue = NG * T;
    r->busy = (uint64_t)end + FX_PERF_RUN_HEAD + FX_PERF_RUN_TAIL;
    r->fixed = r->busy - r->issue - r->stall;
    r->slices = (uint64_t)s->N * s->q * CH * s->M;
}

/* GEMM columns of a layer as the driver streams them: output positions before pooling, 1 for FC. */
static uint32_t layer_columns(const fx_layer *l)
{
    uint32_t h = 1, w = 1;
    if (l->type == FX_LAYER_CONV) fx_layer_conv_out(l, &h, &w);
    return h * w;
}

int fx_perf_model(const fx_hwcfg *cfg, const fx_model *m, int chain_fc, int after_run, fx_perf_layer *out)
{
    if (fx_model_is_v2(m) || m->n_layers == 0 || m->n_layers > FX_MAX_LAYERS) return -1;
    const uint32_t a_words = fx_hwcfg_widths(cfg).a_words;
    for (uint32_t i = 0; i < m->n_layers;) {
        const uint32_t last = fx_driver_segment_end(m, i, chain_fc);
        for (uint32_t k = i; k <= last; k++) {
            const fx_layer *l = &m->layers[k];
            fx_perf_layer *p = &out[k];
            memset(p, 0, sizeof *p);
            p->shape = (fx_perf_shape){.K = l->K, .M = l->M, .N = k == i ? layer_columns(l) : 1, .q = l->q,
                                       .straddle = (l->flags & FX_F_STRADDLE) != 0, .dst_stream = k == last};
            fx_perf_run_cycles(cfg, &p->shape, &p->run);
            p->seg_first = i;
            if (k == i) {
                p->wait = (i || after_run) ? FX_PERF_RUN_TAIL : 0;
                p->load = FX_PERF_LOAD_HDR + (uint64_t)p->shape.N * ceil_div64(l->K, cfg->n_out) * a_words;
            }
            p->args = FX_PERF_RUN_WORDS;
            /* inside a chain the next RUN's words wait for this RUN's done; the last RUN's segment ends
             * at its last result word, FX_PERF_RUN_TAIL cycles before done */
            p->exec = k == last ? p->run.busy - FX_PERF_RUN_TAIL : p->run.busy;
            p->total = p->wait + p->load + p->args + p->exec;
            p->mac_bound = (double)p->run.slices / cfg->lanes;
        }
        i = last + 1;
    }
    return 0;
}

uint64_t fx_perf_load_cycles(const fx_hwcfg *cfg, const fx_model *m)
{
    const uint64_t p_words = fx_hwcfg_widths(cfg).p_words;
    uint64_t c = FX_PERF_ID;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        const uint64_t CH = ceil_div64(l->K, cfg->n_out), S = CH + ((l->flags & FX_F_STRADDLE) ? 1 : 0);
        const uint64_t G = ceil_div64(l->M, cfg->lanes);
        c += (uint64_t)cfg->lanes * (2 * FX_PERF_LOAD_HDR + G * l->q * S + G * p_words);
    }
    return c;
}
