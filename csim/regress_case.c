/* SPDX-License-Identifier: Apache-2.0 */
#include "regress_case.h"
#include "flexor/rng.h"
#include "flexor/model_random.h"
#include "flexor/ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

static uint32_t rnd(uint64_t *s, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(fx_splitmix64(s) % ((uint64_t)hi - lo + 1));
}
static int chance(uint64_t *s, unsigned pct) { return rnd(s, 0, 99) < pct; }
static uint32_t cdiv(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a + b - 1) / b); }

uint64_t fx_rcase_seed(uint64_t master, uint64_t i)
{
    uint64_t s = master * 0x9E3779B97F4A7C15ull ^ (i + 1) * 0xD1B54A32D192ED03ull;
    return fx_splitmix64(&s);
}

/* K: mostly small (fast), with chunk-boundary values and occasionally up to kmax. */
static uint32_t draw_k(uint64_t *s, uint32_t n_out, uint32_t kmax)
{
    uint32_t k, r = rnd(s, 0, 99);
    if (r < 15) k = n_out * rnd(s, 1, 4) + rnd(s, 0, 2) - 1; /* around chunk boundaries */
    else if (r < 60) k = rnd(s, 1, 64);
    else if (r < 90) k = rnd(s, 65, 600);
    else k = rnd(s, 601, kmax);
    return k < 1 ? 1 : k > kmax ? kmax : k;
}

static uint32_t draw_m(uint64_t *s, uint32_t lanes)
{
    uint32_t r = rnd(s, 0, 99);
    if (r < 15) { /* around group boundaries */
        uint32_t m = lanes * rnd(s, 1, 3) + rnd(s, 0, 2) - 1;
        return m ? m : 1;
    }
    if (r < 80) return rnd(s, 1, 2 * lanes + 3);
    return rnd(s, 1, 160);
}

static int16_t draw_alpha(uint64_t *s)
{
    static const int16_t ext[] = {INT16_MIN, INT16_MAX, -1, 1, INT16_MIN + 1};
    uint32_t r = rnd(s, 0, 99);
    if (r < 10) return 0;
    if (r < 20) return ext[rnd(s, 0, 4)];
    int32_t mag = (int32_t)rnd(s, 0, (1u << rnd(s, 0, 15)) - 1);
    return (int16_t)(chance(s, 50) ? -mag : mag);
}

static int32_t draw_bias(uint64_t *s)
{
    uint32_t r = rnd(s, 0, 99);
    if (r < 20) return 0;
    if (r < 27) return chance(s, 50) ? INT32_MIN : INT32_MAX;
    int64_t mag = (int64_t)(fx_splitmix64(s) % (1ull << rnd(s, 0, 31)));
    return (int32_t)(chance(s, 50) ? -mag : mag);
}

/* Activations: per case a mode, biased towards the extremes 0 and 255 that stress the sums. */
static void draw_acts(uint64_t *s, uint8_t *a, size_t n)
{
    uint32_t mode = rnd(s, 0, 9);
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd(s, 0, 99);
        uint8_t v = (uint8_t)rnd(s, 0, 255);
        if (mode == 0) v = 255;                               /* all saturated */
        else if (mode == 1) v = r < 90 ? 0 : v;               /* sparse */
        else if (mode < 6) v = r < 30 ? 0 : r < 55 ? 255 : v; /* biased to the extremes */
        a[i] = v;
    }
}

/* Shift: often the one that puts t in the output range, sometimes anything in 0..39. */
static uint32_t draw_shift(uint64_t *s, const fx_layer *l)
{
    if (chance(s, 30)) return rnd(s, 0, 39);
    int64_t amax = 0;
    for (uint32_t i = 0; i < l->M * l->q; i++) amax = llabs(l->alpha[i]) > amax ? llabs(l->alpha[i]) : amax;
    double t = (double)amax * l->q * 128.0 * (l->K < 64 ? l->K : 8.0 * sqrt((double)l->K));
    uint32_t sh = 0;
    while (sh < 39 && t / (double)(1ull << sh) > 256) sh++;
    int32_t j = (int32_t)sh + (int32_t)rnd(s, 0, 4) - 2;
    return j < 0 ? 0 : j > 39 ? 39 : (uint32_t)j;
}

static void make_layer(fx_layer *l, const fx_hwcfg *cfg, uint64_t *s, uint32_t K, uint32_t M, int last)
{
    memset(l, 0, sizeof *l);
    l->type = FX_LAYER_FC;
    int enc = chance(s, 75);
    l->flags = (enc ? FX_F_ENCRYPTED : 0) | (chance(s, 50) ? FX_F_STRADDLE : 0) |
               (!last || chance(s, 60) ? FX_F_RELU_U8 : 0);
    l->n_in = enc ? cfg->n_in[rnd(s, 0, cfg->n_in_count - 1)] : cfg->n_out;
    l->q = rnd(s, 1, cfg->q_max);
    l->M = M, l->K = K;
    l->in_c = K, l->in_h = l->in_w = 1, l->kh = l->kw = 1;
}

static void fill_layer(fx_layer *l, uint64_t *s)
{
    for (uint32_t i = 0; i < l->M * l->q; i++) l->alpha[i] = draw_alpha(s);
    for (uint32_t i = 0; i < l->M; i++) l->bias[i] = draw_bias(s);
    uint32_t mask = l->n_in >= 32 ? ~0u : (1u << l->n_in) - 1;
    for (size_t i = 0; i < (size_t)l->q * l->n_slices; i++) l->slices[i] = (uint32_t)fx_splitmix64(s) & mask;
    l->shift = draw_shift(s, l);
}

static uint64_t wwords(const fx_layer *l, const fx_hwcfg *cfg)
{
    return (uint64_t)cdiv(l->M, cfg->lanes) * l->q * (cdiv(l->K, cfg->n_out) + ((l->flags & FX_F_STRADDLE) ? 1 : 0));
}

/* One erroneous command per docs/accelerator.md "Errors", built from the case's valid first RUN. */
static void make_bad(fx_rcase *c, const fx_hwcfg *cfg, uint64_t *s)
{
    uint32_t r[9], *b = c->bad, n = 0, code;
    fx_driver_run_words(cfg, &c->m, &c->plan, 0, c->N, 1, c->a_src, c->a_src ^ 1, c->src_base, 0, r);
    memcpy(b, r, sizeof r);
    n = 9;
    uint32_t *fl = &b[4];
    switch (rnd(s, 0, 13)) {
    case 0: b[0] = rnd(s, FX_OP_ID + 1, 255) << 24 | rnd(s, 0, 0xFFFFFF), n = 1, code = 1; break; /* unknown opcode */
    case 1: *fl &= ~0xFu, code = 2; break;                                               /* q = 0 */
    case 2: *fl = (*fl & ~0xFu) | rnd(s, cfg->q_max + 1, 15), code = 2; break;
    case 3: b[1] = chance(s, 50) ? 0 : cfg->k_max + rnd(s, 1, 100), code = 2; break;    /* K */
    case 4: b[chance(s, 50) ? 2 : 3] = 0, code = 2; break;                              /* M or N = 0 */
    case 5: { /* encrypted with an N_in that has no decryptor */
        uint32_t v;
        int in_set;
        do {
            v = rnd(s, 0, 63), in_set = 0;
            for (uint32_t i = 0; i < cfg->n_in_count; i++) in_set |= cfg->n_in[i] == v;
        } while (in_set);
        *fl = (*fl & ~(0x3Fu << 4)) | v << 4 | 1u << 10, code = 3;
        break;
    }
    case 6: *fl = (*fl & ~(0x3Fu << 4) & ~(1u << 10)) | (cfg->n_out == 8 ? 9u : 8u) << 4, code = 3; break;
    case 7: b[5] = cfg->wmem_depth, code = 4; break;                                     /* weights past the end */
    case 8: b[6] = cfg->pmem_depth, code = 4; break;                                     /* parameters */
    case 9: b[7] = cfg->amem_depth, code = 4; break;                                     /* source chunks */
    case 10: /* destination chunks past the end (buffer output, RELU_U8, distinct buffers) */
        *fl = (*fl & ~(1u << 13)) | 1u << 12, *fl = (*fl & ~(1u << 15)) | (((*fl >> 14) & 1) ^ 1) << 15;
        b[8] = cfg->amem_depth, code = 4;
        break;
    case 11: /* raw output into a buffer, same buffer in and out, or reserved flag bits */
        switch (rnd(s, 0, 2)) {
        case 0: *fl &= ~(1u << 13 | 1u << 12); b[8] = 0; break;
        case 1: *fl = (*fl & ~(1u << 13 | 1u << 15)) | 1u << 12 | ((*fl >> 14) & 1) << 15; b[8] = 0; break;
        default: *fl |= rnd(s, 1, 1023) << 22; break;
        }
        code = 5;
        break;
    default: { /* LOAD_W / LOAD_P / LOAD_A with a bad target or past the end; its data words are dropped */
        uint32_t op = rnd(s, 1, 3), cnt = rnd(s, 1, 3);
        fx_widths wd = fx_hwcfg_widths(cfg);
        uint32_t per = op == FX_OP_LOAD_W ? 1 : op == FX_OP_LOAD_P ? wd.p_words : wd.a_words;
        uint32_t depth = op == FX_OP_LOAD_W ? cfg->wmem_depth : op == FX_OP_LOAD_P ? cfg->pmem_depth : cfg->amem_depth;
        uint32_t tgt_max = op == FX_OP_LOAD_A ? 2 : cfg->lanes;
        int bad_tgt = chance(s, 50);
        if (cnt * per > 13) cnt = 13 / per;
        b[0] = op << 24 | (bad_tgt ? rnd(s, tgt_max, tgt_max + 40) : rnd(s, 0, tgt_max - 1));
        b[1] = bad_tgt ? 0 : depth - rnd(s, 0, cnt - 1); /* addr + count > depth */
        b[2] = cnt;
        n = 3;
        for (uint32_t i = 0; i < cnt * per; i++) b[n++] = (uint32_t)fx_splitmix64(s);
        code = 6;
        break;
    }
    }
    c->n_bad = n, c->bad_code = code;
}

int fx_rcase_make(fx_rcase *c, const fx_hwcfg *cfg, uint64_t seed, uint32_t kmax, unsigned err_pct)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    uint64_t s = seed;
    const uint32_t no = cfg->n_out, L = cfg->lanes;
    if (kmax > cfg->k_max) kmax = cfg->k_max;
    int two = chance(&s, 25);
    for (;;) { /* draw shapes until they fit the memories and the cycle budget */
        uint32_t K0 = draw_k(&s, no, kmax), M0 = draw_m(&s, L), M1 = two ? draw_m(&s, L) : 0;
        uint32_t N = chance(&s, 60) ? rnd(&s, 1, 4) : rnd(&s, 5, 24);
        if (two && M0 > kmax) continue;
        fx_model *m = &c->m;
        memset(m, 0, sizeof *m);
        m->n_layers = two ? 2 : 1;
        make_layer(&m->layers[0], cfg, &s, K0, M0, !two);
        if (two) make_layer(&m->layers[1], cfg, &s, M0, M1, 1);
        uint64_t w = 0, p = 0, bound = 0, ach = (uint64_t)N * cdiv(K0, no);
        for (uint32_t i = 0; i < m->n_layers; i++) {
            const fx_layer *l = &m->layers[i];
            w += wwords(l, cfg), p += cdiv(l->M, L);
            bound += (uint64_t)N * cdiv(l->M, L) * l->q * (cdiv(l->K, no) + 1);
        }
        if (two && (uint64_t)N * cdiv(M0, no) > ach) ach = (uint64_t)N * cdiv(M0, no);
        if (w > cfg->wmem_depth || p > cfg->pmem_depth || ach > cfg->amem_depth || bound > 60000) continue;
        c->N = N, c->cycles_bound = bound;
        break;
    }
    fx_model *m = &c->m;
    m->cfg_hash = fx_hwcfg_hash(cfg);
    m->in_c = m->layers[0].K, m->in_h = m->in_w = 1;
    m->n_classes = m->layers[m->n_layers - 1].M;
    m->n_out = no, m->n_tap = cfg->n_tap, m->seed = cfg->seed;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        if (fx_layer_alloc(&m->layers[i], no)) return -1;
        fill_layer(&m->layers[i], &s);
    }
    char err[256];
    if (fx_model_validate(m, cfg, err, sizeof err) || fx_driver_plan(cfg, m, &c->plan, err, sizeof err)) {
        fprintf(stderr, "regress: case seed %llu: generated an invalid model: %s\n", (unsigned long long)seed, err);
        return -1;
    }
    /* Move the layers to random places so high addresses get exercised (layers stay in order). */
    uint64_t wu = 0, pu = 0;
    for (uint32_t i = 0; i < m->n_layers; i++) wu += wwords(&m->layers[i], cfg), pu += cdiv(m->layers[i].M, L);
    uint32_t wo = chance(&s, 50) ? rnd(&s, 0, (uint32_t)(cfg->wmem_depth - wu)) : 0;
    uint32_t po = chance(&s, 50) ? rnd(&s, 0, (uint32_t)(cfg->pmem_depth - pu)) : 0;
    if (chance(&s, 20)) wo = (uint32_t)(cfg->wmem_depth - wu), po = (uint32_t)(cfg->pmem_depth - pu); /* at the top */
    for (uint32_t i = 0; i < m->n_layers; i++) c->plan.w_base[i] += wo, c->plan.p_base[i] += po;
    const uint32_t CH0 = cdiv(m->layers[0].K, no), CH1 = cdiv(m->layers[0].M, no);
    c->a_src = rnd(&s, 0, 1);
    c->src_base = rnd(&s, 0, cfg->amem_depth - c->N * CH0);
    c->dst_base = two ? rnd(&s, 0, cfg->amem_depth - c->N * CH1) : 0;
    static const double stalls[] = {0, 0, 0.1, 0.3, 0.5, 0.9};
    c->stall = stalls[rnd(&s, 0, 5)];
    size_t nb = (size_t)c->N * CH0 * no;
    c->cols = calloc(nb, 1);
    if (!c->cols) return -1;
    for (uint32_t n = 0; n < c->N; n++) draw_acts(&s, c->cols + (size_t)n * CH0 * no, m->layers[0].K);
    if (chance(&s, err_pct)) make_bad(c, cfg, &s);
    return 0;
}

void fx_rcase_free(fx_rcase *c)
{
    fx_model_free(&c->m);
    free(c->cols);
    memset(c, 0, sizeof *c);
}

size_t fx_rcase_words(const fx_rcase *c, const fx_hwcfg *cfg, uint32_t **words)
{
    const fx_model *m = &c->m;
    const uint32_t no = cfg->n_out, aw = fx_hwcfg_widths(cfg).a_words, CH0 = cdiv(m->layers[0].K, no);
    const size_t chunks = (size_t)c->N * CH0, n = c->n_bad + 3 + chunks * aw + 9 * m->n_layers;
    uint32_t *w0 = calloc(n, sizeof *w0), *w = w0 + c->n_bad;
    if (!w0) return 0;
    memcpy(w0, c->bad, c->n_bad * sizeof *w0);
    w[0] = (uint32_t)FX_OP_LOAD_A << 24 | c->a_src;
    w[1] = c->src_base;
    w[2] = (uint32_t)chunks;
    for (size_t ch = 0; ch < chunks; ch++)
        for (uint32_t k = 0; k < no; k++) w[3 + ch * aw + k / 4] |= (uint32_t)c->cols[ch * no + k] << (8 * (k % 4));
    uint32_t *r = w + 3 + chunks * aw;
    if (m->n_layers == 1) {
        fx_driver_run_words(cfg, m, &c->plan, 0, c->N, 1, c->a_src, c->a_src ^ 1, c->src_base, 0, r);
    } else {
        fx_driver_run_words(cfg, m, &c->plan, 0, c->N, 0, c->a_src, c->a_src ^ 1, c->src_base, c->dst_base, r);
        fx_driver_run_words(cfg, m, &c->plan, 1, c->N, 1, c->a_src ^ 1, c->a_src, c->dst_base, 0, r + 9);
    }
    *words = w0;
    return n;
}

int fx_rcase_reference(const fx_rcase *c, const fx_hwcfg *cfg, int32_t *out)
{
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, &c->m, cfg, err, sizeof err)) return -1;
    const fx_model *m = &c->m;
    const uint32_t no = cfg->n_out, N = c->N;
    if (m->n_layers == 1) {
        fx_ref_gemm(&net, 0, c->cols, N, out, NULL);
    } else {
        const uint32_t M0 = m->layers[0].M, CH1 = cdiv(M0, no);
        int32_t *mid = malloc((size_t)N * M0 * sizeof *mid);
        uint8_t *cols1 = calloc((size_t)N * CH1 * no, 1);
        if (!mid || !cols1) {
            free(mid), free(cols1), fx_ref_free(&net);
            return -1;
        }
        fx_ref_gemm(&net, 0, c->cols, N, mid, NULL);
        for (uint32_t n = 0; n < N; n++)
            for (uint32_t k = 0; k < M0; k++) cols1[(size_t)n * CH1 * no + k] = (uint8_t)mid[(size_t)n * M0 + k];
        fx_ref_gemm(&net, 1, cols1, N, out, NULL);
        free(mid), free(cols1);
    }
    fx_ref_free(&net);
    return 0;
}

void fx_rcase_describe(const fx_rcase *c, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "N=%u stall=%g", c->N, c->stall);
    if (c->n_bad) k += (size_t)snprintf(buf + k, n - k, " | first an erroneous command %08x.. (code %u)", c->bad[0], c->bad_code);
    for (uint32_t i = 0; i < c->m.n_layers && k < n; i++) {
        const fx_layer *l = &c->m.layers[i];
        k += (size_t)snprintf(buf + k, n - k, " | L%u K=%u M=%u q=%u %s%u %s %s shift=%u w@%u p@%u", i, l->K, l->M,
                              l->q, (l->flags & FX_F_ENCRYPTED) ? "enc N_in=" : "plain N_in=", l->n_in,
                              (l->flags & FX_F_STRADDLE) ? "straddle" : "aligned",
                              (l->flags & FX_F_RELU_U8) ? "relu_u8" : "raw", l->shift, c->plan.w_base[i],
                              c->plan.p_base[i]);
    }
}
