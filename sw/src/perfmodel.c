/* SPDX-License-Identifier: Apache-2.0 */
/* See flexor/perfmodel.h; the derivation from the RTL is docs/perf.md. */
#include "flexor/perfmodel.h"
#include "flexor/driver.h"
#include <stdlib.h>
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

/* ---------------- RUNX ---------------- */

/* The gather's operations for the column at (oy, ox) (flexor_gather stage A): the bytes each appends,
 * one operation per cycle. Returns the count (ops has room for kh·(3 + kw·C/N_OUT + 1) + 1). */
static uint32_t runx_col_ops(const fx_perf_xshape *s, uint32_t n_out, uint32_t oy, uint32_t ox, uint32_t *ops)
{
    const int64_t N = n_out, C = s->C, kwc = (int64_t)s->kw * C, rs = (int64_t)s->in_w * C;
    const int64_t x0c = ((int64_t)ox * s->s - s->p) * C, xac = x0c < 0 ? 0 : x0c;
    const int64_t lz = x0c < 0 ? (-x0c < kwc ? -x0c : kwc) : 0;
    const int64_t xend = x0c + kwc < rs ? x0c + kwc : rs, mid = xend > xac ? xend - xac : 0, rz = kwc - lz - mid;
    const int64_t pad = (int64_t)ceil_div64(s->K, n_out) * N - s->K;
    uint32_t n = 0;
#define ZEROS(len)                                                                                                    \
    for (int64_t left = (len); left > 0; left -= N) ops[n++] = (uint32_t)(left < N ? left : N)
    for (uint32_t dy = 0; dy < s->kh; dy++) {
        int64_t y = (int64_t)oy * s->s - s->p + dy;
        if (y < 0 || y >= s->in_h) {
            ZEROS(kwc);
            continue;
        }
        ZEROS(lz);
        for (int64_t left = mid, off = (y * rs + xac) % N; left > 0; off = 0) {
            int64_t take = left < N - off ? left : N - off;
            ops[n++] = (uint32_t)take;
            left -= take;
        }
        ZEROS(rz);
    }
    ZEROS(pad);
#undef ZEROS
    return n;
}

/* Column k of the RUNX column order (n ascending, or the pooling windows' four columns). */
static void runx_col_pos(const fx_perf_xshape *s, uint64_t k, uint32_t *oy, uint32_t *ox)
{
    if (!s->pool) {
        *oy = (uint32_t)(k / s->out_w), *ox = (uint32_t)(k % s->out_w);
        return;
    }
    uint64_t win = k / 4, quad = k % 4, pw = s->out_w / 2;
    *oy = (uint32_t)(2 * (win / pw) + quad / 2), *ox = (uint32_t)(2 * (win % pw) + quad % 2);
}

int fx_perf_runx_cycles(const fx_hwcfg *cfg, const fx_perf_xshape *s, fx_perf_run *r)
{
    memset(r, 0, sizeof *r);
    if (!s->C || !s->kh || !s->kw || !s->s || !s->out_h || !s->out_w || !s->M || !s->q ||
        (uint64_t)s->C * s->kh * s->kw != s->K || (s->pool && ((s->out_h | s->out_w) & 1)))
        return -1;
    const uint64_t N_OUT = cfg->n_out, L = cfg->lanes, CH = ceil_div64(s->K, N_OUT), G = ceil_div64(s->M, L);
    const uint64_t S = CH + (s->straddle ? 1 : 0), NCOL = (uint64_t)s->out_h * s->out_w, T = (uint64_t)s->q * S;
    const int xpath = s->pool || !s->dst_stream; /* writer stage P (else R -> O as RUN) */
    uint32_t *ops = malloc(sizeof *ops * ((size_t)s->kh * (4 + (size_t)s->kw * s->C / N_OUT) + 2));
    if (!ops) return -1;
    /* gather: stage A (column gk, op i of n_ops; first = its set-up cycle), stage B, packer, emitter */
    uint64_t gk = 0, ek = 0, ej = 0;
    uint32_t n_ops = 0, i = 0, b_n = 0, f = 0;
    int g_first = 1, g_busy = 1, b_valid = 0;
    /* sequencer: column, token within the column's G·T; pipeline S1..S5 (a result token: last chunk and
     * last plane; S4 holds plane ends only, S5 results only) */
    uint64_t n_q = 0, tok = 0, tokens_left = NCOL * G * T;
    int issuing = 1, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, e1 = 0, e2 = 0, e3 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0;
    int p1 = 0; /* S1 holds a straddle priming token (no S2 token follows) */
    uint64_t g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0; /* group index (k·G + g) of each stage's token */
    /* writer: R, O + serialiser (RUN path / pooled stream), packer (buffer) */
    int res_full = 0, ser_busy = 0, fin = 0;
    uint64_t res_grp = 0, ser_left = 0, pk = 0;
    const uint64_t total_groups = NCOL * G;
    uint64_t cyc = 0;
    for (;; cyc++) {
        /* ---- this cycle, from the registered state ---- */
        int g_idle = !g_busy && !b_valid && f == 0;
        int seq_idle = !issuing && !v1 && !v2 && !v3 && !v4 && !v5;
        int w_idle = !res_full && !ser_busy && pk == 0;
        if (g_idle && seq_idle && w_idle) break; /* drained: done follows */
        /* gather emit and stage advance */
        int emit = f >= N_OUT && ek <= n_q + 1;
        uint32_t f_e = emit ? f - (uint32_t)N_OUT : f;
        int g_adv = f_e <= N_OUT;
        /* writer: serialiser word, R -> O (take) or R -> P */
        uint64_t grp_g = res_grp % G, grp_k = res_grp / G;
        int ser_done = ser_busy && ser_left == 1;
        int o_free = !ser_busy || ser_done;
        int quad = s->pool ? (int)(grp_k % 4) : 3, p_final = quad == 3;
        int pk_emit = pk >= N_OUT || (fin && pk > 0);
        uint64_t pk_e = !pk_emit ? pk : pk >= N_OUT ? pk - N_OUT : 0;
        int take = res_full && !xpath && o_free;
        int p_take = res_full && xpath && (!p_final || (s->dst_stream ? o_free : pk_e <= N_OUT));
        int res_ready = !res_full || take || p_take;
        int adv = !v5 || res_ready;
        if (!adv) r->stall++;
        /* sequencer issue: the chunk of token tok must be written */
        uint64_t in_grp = tok % T, slice = in_grp % S;
        uint64_t chunk = (s->straddle && slice) ? slice - 1 : slice; /* the priming slice reads chunk 0 */
        int ready = ek > n_q || (ek == n_q && ej > chunk);
        int issue = issuing && adv && ready;
        /* ---- registered updates ---- */
        if (emit) {
            if (++ej == CH) ej = 0, ek++;
        }
        if (g_adv) {
            int op = 0;
            uint32_t op_n = 0;
            if (g_busy && g_first) {
                uint32_t oy, ox;
                runx_col_pos(s, gk, &oy, &ox);
                n_ops = runx_col_ops(s, (uint32_t)N_OUT, oy, ox, ops), i = 0, g_first = 0;
            } else if (g_busy) {
                op = 1, op_n = ops[i++];
                if (i == n_ops) {
                    if (++gk == NCOL) g_busy = 0;
                    else g_first = 1;
                }
            }
            f = b_valid ? f_e + b_n : f_e;
            b_valid = op, b_n = op_n;
        } else {
            f = f_e;
        }
        /* writer */
        if (ser_busy) {
            if (--ser_left == 0) ser_busy = 0;
        }
        if (pk_emit) pk = pk_e;
        if (p_take && p_final && !s->dst_stream) {
            uint64_t first = grp_g * L, cnt = s->M - first < L ? s->M - first : L;
            pk = pk_e + cnt;
            if (res_grp + 1 == total_groups) fin = 1;
            r->words++;
        }
        if ((p_take && p_final && s->dst_stream) || take) {
            uint64_t first = grp_g * L;
            ser_left = s->M - first < L ? s->M - first : L, ser_busy = 1;
            r->words += ser_left;
        }
        if (take || p_take) res_full = 0;
        if (adv) {
            if (v5) res_full = 1, res_grp = g5;
            /* shift the pipeline: S5 <- S4 (results), S4 <- S3 (plane ends), S3 <- S2, S2 <- S1, S1 <- S0 */
            v5 = v4 && r4, g5 = g4;
            v4 = v3 && e3, r4 = r3, g4 = g3;
            v3 = v2, e3 = e2, r3 = r2, g3 = g2;
            v2 = v1 && !p1, e2 = e1, r2 = r1, g2 = g1;
            v1 = issue;
            if (issue) {
                uint64_t plane = in_grp / S;
                p1 = s->straddle && slice == 0;
                e1 = slice == S - 1, r1 = e1 && plane == (uint64_t)s->q - 1, g1 = tok / T;
                r->issue++;
                if (++tok % (G * T) == 0 && tokens_left > G * T) n_q++;
                tokens_left--;
                if (!tokens_left) issuing = 0;
            }
        }
    }
    free(ops);
    /* cycles 0..cyc-1 of exec, the drained cycle cyc, done at cyc + 1 */
    r->busy = FX_PERF_RUNX_HEAD - 1 + cyc + 2;
    r->fixed = r->busy - r->issue - r->stall;
    r->slices = (uint64_t)NCOL * s->q * CH * s->M;
    return 0;
}

int fx_perf_model_v2(const fx_hwcfg *cfg, const fx_model *m, int after_run, fx_perf_layer *out)
{
    if (!fx_model_is_v2(m) || m->n_layers == 0 || m->n_layers > FX_MAX_LAYERS) return -1;
    const uint32_t a_words = fx_hwcfg_widths(cfg).a_words;
    for (uint32_t k = 0; k < m->n_layers; k++) {
        const fx_layer *l = &m->layers[k];
        const int fc = l->type != FX_LAYER_CONV, last = k + 1 == m->n_layers;
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        /* the RUNX fields fx_driver_runx_words sends: an FC layer is C = K over a 1x1 input */
        const fx_perf_xshape xs = {l->K, l->M, l->q, fc ? l->K : l->in_c, fc ? 1 : l->in_h, fc ? 1 : l->in_w,
                                   fc ? 1 : l->kh, fc ? 1 : l->kw, fc ? 1 : (l->stride ? l->stride : 1),
                                   fc ? 0 : l->pad, fc ? 1 : oh, fc ? 1 : ow, (l->flags & FX_F_STRADDLE) != 0,
                                   l->pool == FX_POOL_MAX2, last};
        fx_perf_layer *p = &out[k];
        memset(p, 0, sizeof *p);
        p->shape = (fx_perf_shape){.K = l->K, .M = l->M, .N = xs.out_h * xs.out_w, .q = l->q,
                                   .straddle = xs.straddle, .dst_stream = last};
        if (fx_perf_runx_cycles(cfg, &xs, &p->run)) return -1;
        if (k == 0) {
            p->wait = after_run ? FX_PERF_RUN_TAIL : 0;
            p->load = FX_PERF_LOAD_HDR + ceil_div64((uint64_t)m->in_c * m->in_h * m->in_w, cfg->n_out) * a_words;
        }
        p->args = FX_PERF_RUNX_WORDS;
        p->exec = last ? p->run.busy - FX_PERF_RUN_TAIL : p->run.busy;
        p->total = p->wait + p->load + p->args + p->exec;
        p->mac_bound = (double)p->run.slices / cfg->lanes;
    }
    return 0;
}
