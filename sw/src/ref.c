/* SPDX-License-Identifier: Apache-2.0 */
/* The integer reference of the accelerator (docs/contract.md §3-§4): the golden model.
 * Weights are decrypted once per layer into one N_out-bit word per (channel, plane, chunk); a chunk's
 * partial sum Σ s_b·a_b (s = ±1) is read from per-column subset-sum tables over 4-bit groups. */
#include "flexor/ref.h"
#include "flexor/decrypt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t fx_requant(int64_t t, uint32_t shift, int relu_u8)
{
    int64_t r = t;
    if (shift > 63) shift = 63;
    /* round half up: floor(t / 2^s) plus the bit just below the cut (no overflow of t + 2^(s-1)) */
    if (shift) r = (t >> shift) + ((t >> (shift - 1)) & 1);
    if (relu_u8) return r < 0 ? 0 : r > 255 ? 255 : (int32_t)r;
    return r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : (int32_t)r;
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

int fx_ref_prepare(fx_ref_net *net, const fx_model *m, const fx_hwcfg *cfg, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    if (fx_model_validate(m, cfg, err, errlen)) return -1;
    net->model = m;
    net->cfg = cfg;
    const uint32_t n_out = cfg->n_out;
    const uint32_t mask = n_out >= 32 ? 0xFFFFFFFFu : (1u << n_out) - 1u;
    net->max_act = (size_t)m->in_c * m->in_h * m->in_w;
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        fx_mxor mx;
        if (fx_layer_mxor(cfg, l->flags, l->n_in, &mx)) {
            snprintf(err, errlen, "layer %u: no decryptor for N_in %u", li, l->n_in);
            fx_ref_free(net);
            return -1;
        }
        const uint32_t CH = fx_layer_chunks(l, n_out), ns = l->n_slices;
        const size_t nwords = (size_t)l->M * l->q * CH;
        uint32_t *d = malloc(((size_t)ns * l->q + 1) * sizeof *d);
        net->dec[li] = malloc((nwords + 1) * sizeof *net->dec[li]);
        net->ch[li] = CH;
        if (!d || !net->dec[li]) {
            free(d);
            snprintf(err, errlen, "out of memory");
            fx_ref_free(net);
            return -1;
        }
        fx_decrypt_slices(&mx, l->slices, d, (size_t)ns * l->q);
        const int straddle = (l->flags & FX_F_STRADDLE) != 0;
        for (uint32_t ch = 0; ch < l->M; ch++) {
            const uint64_t base = straddle ? (uint64_t)ch * l->K : (uint64_t)ch * CH * n_out;
            const uint64_t s_first = base / n_out;
            const uint32_t o = (uint32_t)(base % n_out);
            for (uint32_t i = 0; i < l->q; i++) {
                const uint32_t *plane = d + (size_t)i * ns;
                uint32_t *dst = net->dec[li] + ((size_t)ch * l->q + i) * CH;
                for (uint32_t j = 0; j < CH; j++) {
                    const uint64_t s = s_first + j; /* a slice beyond the plane reads as stored 0 = decrypted 0 */
                    uint32_t lo = s < ns ? plane[s] : 0, hi = s + 1 < ns ? plane[s + 1] : 0;
                    dst[j] = (o ? (lo >> o) | (hi << (n_out - o)) : lo) & mask;
                }
            }
        }
        free(d);
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        const uint32_t N = oh * ow;
        net->max_act = max_sz(net->max_act, (size_t)N * CH * n_out);
        net->max_act = max_sz(net->max_act, (size_t)N * l->M * sizeof(int32_t));
    }
    return 0;
}

int8_t *fx_ref_weight_signs(const fx_ref_net *net, uint32_t li)
{
    const fx_layer *l = &net->model->layers[li];
    const uint32_t n_out = net->cfg->n_out, CH = net->ch[li];
    int8_t *w = malloc((size_t)l->q * l->M * l->K + 1);
    if (!w) return NULL;
    for (uint32_t i = 0; i < l->q; i++)
        for (uint32_t m = 0; m < l->M; m++) {
            const uint32_t *dec = net->dec[li] + ((size_t)m * l->q + i) * CH;
            int8_t *row = w + ((size_t)i * l->M + m) * l->K;
            for (uint32_t k = 0; k < l->K; k++) row[k] = (dec[k / n_out] >> (k % n_out)) & 1 ? 1 : -1;
        }
    return w;
}

void fx_ref_free(fx_ref_net *net)
{
    for (uint32_t i = 0; i < FX_MAX_LAYERS; i++) free(net->dec[i]);
    memset(net, 0, sizeof *net);
}

/* Signed subset sums of one column: tab[(j*G + g)*16 + v] = Σ_{b<4} (bit b of v ? +a : -a) over
 * activations j*N_out + 4g + b (positions ≥ N_out count as 0). */
static void build_tables(const uint8_t *a, uint32_t CH, uint32_t n_out, uint32_t G, int16_t *tab)
{
    for (uint32_t j = 0; j < CH; j++) {
        const uint8_t *c = a + (size_t)j * n_out;
        for (uint32_t g = 0; g < G; g++) {
            int16_t v4[4], *t = tab + ((size_t)j * G + g) * 16;
            int16_t sum = 0;
            for (uint32_t b = 0; b < 4; b++) {
                v4[b] = 4 * g + b < n_out ? c[4 * g + b] : 0;
                sum += v4[b];
            }
            t[0] = (int16_t)-sum;
            for (uint32_t v = 1; v < 16; v++) t[v] = (int16_t)(t[v & (v - 1)] + 2 * v4[__builtin_ctz(v)]);
        }
    }
}

static inline int32_t chunk_psum(const int16_t *t, uint32_t G, uint32_t w)
{
    int32_t p = 0;
    for (uint32_t g = 0; g < G; g++, w >>= 4) p += t[g * 16 + (w & 15)];
    return p;
}

/* Σ over the CH chunks of one (channel, plane); G is a constant after inlining into plane_sum_g. */
static inline __attribute__((always_inline)) int32_t plane_sum(const int16_t *t, const uint32_t *w, uint32_t CH, uint32_t G)
{
    int32_t acc = 0;
    for (uint32_t j = 0; j < CH; j++, t += G * 16) {
        const uint32_t x = w[j];
#pragma GCC unroll 8
        for (uint32_t g = 0; g < G; g++) acc += t[g * 16 + ((x >> (4 * g)) & 15)];
    }
    return acc;
}

static int32_t plane_sum_g(const int16_t *t, const uint32_t *w, uint32_t CH, uint32_t G)
{
    switch (G) { /* unrolled per group count: about twice as fast as a variable inner loop */
    case 1: return plane_sum(t, w, CH, 1);
    case 2: return plane_sum(t, w, CH, 2);
    case 3: return plane_sum(t, w, CH, 3);
    case 4: return plane_sum(t, w, CH, 4);
    case 5: return plane_sum(t, w, CH, 5);
    case 6: return plane_sum(t, w, CH, 6);
    case 7: return plane_sum(t, w, CH, 7);
    default: return plane_sum(t, w, CH, 8);
    }
}

void fx_ref_gemm(const fx_ref_net *net, uint32_t layer, const uint8_t *cols, uint32_t N, int32_t *out,
                 const fx_taps *taps)
{
    fx_ref_gemm_res(net, layer, cols, N, NULL, out, taps);
}

void fx_ref_gemm_res(const fx_ref_net *net, uint32_t layer, const uint8_t *cols, uint32_t N, const uint8_t *res,
                     int32_t *out, const fx_taps *taps)
{
    const fx_layer *l = &net->model->layers[layer];
    const uint32_t n_out = net->cfg->n_out, CH = net->ch[layer], G = (n_out + 3) / 4, q = l->q, M = l->M;
    const int relu = (l->flags & FX_F_RELU_U8) != 0;
    const uint32_t *dec = net->dec[layer];
    int16_t *tab = malloc((size_t)CH * G * 16 * sizeof *tab);
    if (!tab) abort(); /* a few KB: running out here leaves no way to report a result */
    const int tapped = taps && (taps->chunk || taps->acc);
    const uint32_t lanes = net->cfg->lanes;
    int64_t *accs = tapped ? calloc((size_t)lanes * q, sizeof *accs) : NULL;
    if (tapped && !accs) abort();
    for (uint32_t n = 0; n < N; n++) {
        build_tables(cols + (size_t)n * CH * n_out, CH, n_out, G, tab);
        if (!tapped) {
            for (uint32_t m = 0; m < M; m++) {
                int64_t t = l->bias[m] + (res ? (int64_t)l->beta[m] * res[(size_t)n * M + m] : 0);
                for (uint32_t i = 0; i < q; i++) {
                    const int32_t acc = plane_sum_g(tab, dec + ((size_t)m * q + i) * CH, CH, G);
                    t += (int64_t)l->alpha[(size_t)m * q + i] * acc;
                }
                out[(size_t)n * M + m] = fx_requant(t, l->shift, relu);
            }
            continue;
        }
        /* The accelerator's order: group of lanes, plane, chunk, lane (docs/accelerator.md). */
        for (uint32_t g0 = 0; g0 < M; g0 += lanes) {
            const uint32_t g1 = g0 + lanes < M ? g0 + lanes : M;
            for (uint32_t i = 0; i < q; i++) {
                for (uint32_t m = g0; m < g1; m++) accs[(size_t)(m - g0) * q + i] = 0;
                for (uint32_t j = 0; j < CH; j++)
                    for (uint32_t m = g0; m < g1; m++) {
                        const uint32_t w = dec[((size_t)m * q + i) * CH + j];
                        const int32_t p = chunk_psum(tab + (size_t)j * G * 16, G, w);
                        accs[(size_t)(m - g0) * q + i] += p;
                        if (taps->chunk) taps->chunk(taps->user, n, m, i, j, w, p);
                    }
                if (taps->acc)
                    for (uint32_t m = g0; m < g1; m++) taps->acc(taps->user, n, m, i, (int32_t)accs[(size_t)(m - g0) * q + i]);
            }
            for (uint32_t m = g0; m < g1; m++) {
                int64_t t = l->bias[m] + (res ? (int64_t)l->beta[m] * res[(size_t)n * M + m] : 0);
                for (uint32_t i = 0; i < q; i++) t += (int64_t)l->alpha[(size_t)m * q + i] * accs[(size_t)(m - g0) * q + i];
                out[(size_t)n * M + m] = fx_requant(t, l->shift, relu);
            }
        }
    }
    free(accs);
    free(tab);
}

uint32_t fx_im2col(const fx_layer *l, uint32_t n_out, const uint8_t *in_chw, uint8_t *cols)
{
    const uint32_t CH = fx_layer_chunks(l, n_out);
    const size_t stride = (size_t)CH * n_out;
    if (l->type != FX_LAYER_CONV) {
        memcpy(cols, in_chw, l->K);
        memset(cols + l->K, 0, stride - l->K);
        return 1;
    }
    const uint32_t oh = l->in_h - l->kh + 1, ow = l->in_w - l->kw + 1;
    for (uint32_t oy = 0; oy < oh; oy++)
        for (uint32_t ox = 0; ox < ow; ox++) {
            uint8_t *col = cols + ((size_t)oy * ow + ox) * stride;
            size_t k = 0;
            for (uint32_t c = 0; c < l->in_c; c++)
                for (uint32_t dy = 0; dy < l->kh; dy++) {
                    memcpy(col + k, in_chw + ((size_t)c * l->in_h + oy + dy) * l->in_w + ox, l->kw);
                    k += l->kw;
                }
            memset(col + k, 0, stride - k);
        }
    return oh * ow;
}

void fx_maxpool2(const int32_t *out, uint32_t h, uint32_t w, uint32_t M, int hwc, uint8_t *dst)
{
    const uint32_t ph = h / 2, pw = w / 2;
    for (uint32_t m = 0; m < M; m++)
        for (uint32_t y = 0; y < ph; y++)
            for (uint32_t x = 0; x < pw; x++) {
                int32_t best = 0;
                for (uint32_t d = 0; d < 4; d++) {
                    const int32_t v = out[((size_t)(2 * y + d / 2) * w + 2 * x + d % 2) * M + m];
                    if (v > best) best = v;
                }
                dst[hwc ? ((size_t)y * pw + x) * M + m : ((size_t)m * ph + y) * pw + x] = (uint8_t)best;
            }
}

size_t fx_layer_output_chw(const fx_layer *l, const int32_t *out, uint8_t *chw)
{
    const uint32_t M = l->M;
    uint32_t h = 1, w = 1;
    if (l->type == FX_LAYER_CONV) { h = l->in_h - l->kh + 1; w = l->in_w - l->kw + 1; }
    if (l->pool != 2) {
        for (uint32_t m = 0; m < M; m++)
            for (size_t n = 0; n < (size_t)h * w; n++) chw[(size_t)m * h * w + n] = (uint8_t)out[n * M + m];
        return (size_t)M * h * w;
    }
    fx_maxpool2(out, h, w, M, 0, chw);
    return (size_t)M * (h / 2) * (w / 2);
}

int fx_ref_infer(const fx_ref_net *net, const uint8_t *image, int32_t *logits, fx_layer_cb cb, void *user)
{
    const fx_model *m = net->model;
    if (fx_model_is_v2(m)) return fx_ref_infer_v2(net, image, logits, cb, user);
    const size_t sz = net->max_act + 64;
    uint8_t *act = malloc(sz), *cols = malloc(sz);
    int32_t *out = malloc(sz);
    if (!act || !cols || !out) { free(act); free(cols); free(out); return -1; }
    memcpy(act, image, (size_t)m->in_c * m->in_h * m->in_w);
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        const uint32_t N = fx_im2col(l, net->cfg->n_out, act, cols);
        fx_ref_gemm(net, li, cols, N, out, NULL);
        if (cb) cb(user, li, out, N, l->M);
        if (li + 1 < m->n_layers) fx_layer_output_chw(l, out, act);
    }
    /* logits: the last layer's first column (an FC layer has only one) */
    const uint32_t C = m->n_classes;
    int best = 0;
    for (uint32_t c = 0; c < C; c++) {
        if (logits) logits[c] = out[c];
        if (out[c] > out[best]) best = (int)c;
    }
    free(act); free(cols); free(out);
    return best;
}
