/* SPDX-License-Identifier: Apache-2.0 */
/* Weight quantizers: float, multi-bit binary codes (clipped STE), FleXOR (XOR network, tanh backward). */
#include "tr.h"
#include "flexor/rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t tr_rng_next(tr_rng *r) { return fx_splitmix64(&r->s); }

float tr_rng_uniform(tr_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)((tr_rng_next(r) >> 40) * (1.0 / 16777216.0));
}

void tr_shuffle(uint32_t *perm, uint32_t n, uint64_t seed)
{
    tr_rng r = {seed};
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)(tr_rng_next(&r) % i);
        uint32_t t = perm[i - 1]; perm[i - 1] = perm[j]; perm[j] = t;
    }
}

int tr_param_init(tr_param *p, size_t n, int decay)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->decay = decay;
    p->sgd_scale = 1.0f;
    p->v = calloc(n, sizeof(float));
    p->g = calloc(n, sizeof(float));
    p->m1 = calloc(n, sizeof(float));
    p->m2 = calloc(n, sizeof(float));
    return p->v && p->g && p->m1 && p->m2 ? 0 : -1;
}

void tr_param_free(tr_param *p)
{
    free(p->v); free(p->g); free(p->m1); free(p->m2);
    memset(p, 0, sizeof *p);
}

uint32_t tr_wq_pos(const tr_wq *w, uint32_t m, uint32_t k)
{
    return w->straddle ? m * w->K + k : m * w->CH * w->n_out + k;
}

int tr_wq_init(tr_wq *w, int kind, int q, int n_in, int straddle, uint32_t M, uint32_t K, const fx_hwcfg *cfg,
               float xe_init, tr_rng *rng)
{
    memset(w, 0, sizeof *w);
    w->kind = kind; w->q = kind == TR_W_FP ? 1 : q; w->straddle = straddle;
    w->M = M; w->K = K; w->n_out = cfg->n_out; w->n_tap = cfg->n_tap;
    w->CH = (K + cfg->n_out - 1) / cfg->n_out;
    w->n_slices = straddle ? (uint32_t)(((uint64_t)M * K + cfg->n_out - 1) / cfg->n_out) : M * w->CH;
    w->n_in = kind == TR_W_FLEXOR ? n_in : (int)cfg->n_out;
    size_t mk = (size_t)M * K;
    w->W = calloc(mk, sizeof(float));
    w->dW = calloc(mk, sizeof(float));
    w->dB = calloc(mk, sizeof(float));
    if (!w->W || !w->dW || !w->dB) return -1;
    if (kind == TR_W_FP) {
        if (tr_param_init(&w->lat, mk, 1)) return -1;
        float a = 1.0f / sqrtf((float)K);
        for (size_t i = 0; i < mk; i++) w->lat.v[i] = tr_rng_uniform(rng, -a, a);
        return 0;
    }
    w->B = kind == TR_W_FLEXOR ? calloc(mk * (size_t)w->q, sizeof(float)) : NULL;
    if ((kind == TR_W_FLEXOR && !w->B) || tr_param_init(&w->alpha, (size_t)M * w->q, 0)) return -1;
    /* the gradient of an alpha sums K terms of dW: SGD at a weight's learning rate would move it K times
     * further than a weight (a last layer outside any BN then diverges at lr 0.1); Adam normalises it */
    w->alpha.sgd_scale = 1.0f / (float)K;
    if (kind == TR_W_BIN) {
        /* Greedy residual binarisation of a random init: plane i codes the residual of planes < i. */
        if (tr_param_init(&w->lat, mk * w->q, 1)) return -1;
        w->lat.clip = 1.0f;
        float a = sqrtf(3.0f / (float)K);
        float *r = malloc(mk * sizeof(float));
        if (!r) return -1;
        for (size_t i = 0; i < mk; i++) r[i] = tr_rng_uniform(rng, -a, a);
        for (int i = 0; i < w->q; i++)
            for (uint32_t m = 0; m < M; m++) {
                float *rr = r + (size_t)m * K, s = 0;
                for (uint32_t k = 0; k < K; k++) s += fabsf(rr[k]);
                float al = s / (float)K;
                w->alpha.v[m * w->q + i] = al;
                for (uint32_t k = 0; k < K; k++) {
                    w->lat.v[(size_t)i * mk + (size_t)m * K + k] = rr[k];
                    rr[k] -= rr[k] >= 0 ? al : -al;
                }
            }
        free(r);
        return 0;
    }
    if (fx_mxor_generate(cfg->seed, (uint32_t)n_in, cfg->n_out, cfg->n_tap, &w->mx)) return -1;
    if (tr_param_init(&w->lat, (size_t)w->q * w->n_slices * (size_t)n_in, 1)) return -1;
    for (size_t i = 0; i < w->lat.n; i++) w->lat.v[i] = tr_rng_uniform(rng, -xe_init, xe_init);
    for (uint32_t m = 0; m < M; m++)
        for (int i = 0; i < w->q; i++) w->alpha.v[m * w->q + i] = 0.5f / sqrtf((float)K) / (float)(1 << i);
    return 0;
}

void tr_wq_free(tr_wq *w)
{
    tr_param_free(&w->lat); tr_param_free(&w->alpha);
    free(w->W); free(w->dW); free(w->B); free(w->dB);
    memset(w, 0, sizeof *w);
}

void tr_xor_slice_forward(const fx_mxor *mx, const float *x, float S, int analog, float *out)
{
    const float par = (mx->n_tap & 1) ? 1.0f : -1.0f; /* (-1)^(n_tap-1) */
    if (!analog) {
        /* a product of signs is the parity of the negative ones: one mask of the slice, a popcount per row */
        uint32_t neg = 0;
        for (uint32_t j = 0; j < mx->n_in; j++) neg |= (uint32_t)!(x[j] >= 0) << j;
        for (uint32_t i = 0; i < mx->n_out; i++) out[i] = __builtin_parity(mx->row[i] & neg) ? -par : par;
        return;
    }
    for (uint32_t i = 0; i < mx->n_out; i++) {
        float p = par;
        for (uint32_t r = mx->row[i]; r; r &= r - 1) p *= tanhf(S * x[__builtin_ctz(r)]);
        out[i] = p;
    }
}

/* S * (1 - tanh^2(S x)) = 4 S e^{-2|Sx|} / (1 + e^{-2|Sx|})^2: one expf, and exactly 0 once it underflows. */
static inline float dtanh(float S, float x)
{
    const float u = fabsf(S * x);
    if (u > 44.0f) return 0.0f;
    const float e = expf(-2.0f * u), d = 1.0f + e;
    return 4.0f * S * e / (d * d);
}

void tr_xor_slice_backward(const fx_mxor *mx, const float *x, float S, int unsimplified, const float *g, float *dx)
{
    const float par = (mx->n_tap & 1) ? 1.0f : -1.0f;
    float f[FX_NOUT_MAX], d[FX_NOUT_MAX];
    uint32_t need = 0; /* stored bits feeding a row with a gradient */
    for (uint32_t i = 0; i < mx->n_out; i++) if (g[i] != 0.0f) need |= mx->row[i];
    for (uint32_t j = 0; j < mx->n_in; j++) {
        if (!((need >> j) & 1)) continue;
        f[j] = unsimplified ? tanhf(S * x[j]) : (x[j] >= 0 ? 1.0f : -1.0f);
        d[j] = dtanh(S, x[j]);
    }
    for (uint32_t i = 0; i < mx->n_out; i++) {
        if (g[i] == 0.0f) continue;
        for (uint32_t r = mx->row[i]; r; r &= r - 1) {
            uint32_t j = (uint32_t)__builtin_ctz(r);
            if (d[j] == 0.0f) continue;
            float p = par * g[i] * d[j];
            for (uint32_t r2 = mx->row[i]; r2; r2 &= r2 - 1)
                if ((uint32_t)__builtin_ctz(r2) != j) p *= f[__builtin_ctz(r2)];
            dx[j] += p;
        }
    }
}

/* The weight positions of slice s (contract §3) are a run of the [M][K] order: its first index and length,
 * positions past the channel's K (aligned padding) or past M (straddle tail) being padding. */
static inline uint32_t slice_run(const tr_wq *w, uint32_t s, size_t *p0)
{
    size_t lim;
    if (w->straddle) {
        *p0 = (size_t)s * w->n_out;
        lim = (size_t)w->M * w->K;
    } else {
        const uint32_t m = s / w->CH;
        *p0 = (size_t)m * w->K + (size_t)(s % w->CH) * w->n_out;
        lim = m < w->M ? (size_t)m * w->K + w->K : 0;
    }
    return *p0 >= lim ? 0 : (uint32_t)(lim - *p0 < w->n_out ? lim - *p0 : w->n_out);
}

/* Decrypted signs of plane i into B[i] (weight order [M][K]); padding positions are dropped. */
static void flexor_planes(tr_wq *w, const tr_xor_mode *mode)
{
    const size_t mk = (size_t)w->M * w->K;
    const uint32_t n_in = (uint32_t)w->n_in;
    float out[FX_NOUT_MAX];
    for (int i = 0; i < w->q; i++) {
        const float *x = w->lat.v + (size_t)i * w->n_slices * n_in;
        float *B = w->B + (size_t)i * mk;
        for (uint32_t s = 0; s < w->n_slices; s++) {
            tr_xor_slice_forward(&w->mx, x + (size_t)s * n_in, mode->S, mode->analog, out);
            size_t p0;
            const uint32_t len = slice_run(w, s, &p0);
            memcpy(B + p0, out, len * sizeof(float));
        }
    }
}

void tr_wq_forward(tr_wq *w, const tr_xor_mode *mode)
{
    const size_t mk = (size_t)w->M * w->K;
    if (w->kind == TR_W_FP) { memcpy(w->W, w->lat.v, mk * sizeof(float)); return; }
    /* binary planes are the signs of the latent weights (read directly, no copy); FleXOR planes are decrypted */
    const float *planes = w->kind == TR_W_BIN ? w->lat.v : w->B;
    if (w->kind == TR_W_FLEXOR) flexor_planes(w, mode);
    for (uint32_t m = 0; m < w->M; m++) {
        float *restrict W = w->W + (size_t)m * w->K;
        for (uint32_t k = 0; k < w->K; k++) W[k] = 0;
        for (int i = 0; i < w->q; i++) {
            const float a = w->alpha.v[m * w->q + i];
            const float *restrict P = planes + (size_t)i * mk + (size_t)m * w->K;
            if (w->kind == TR_W_BIN)
                for (uint32_t k = 0; k < w->K; k++) W[k] += P[k] >= 0 ? a : -a;
            else /* +-1, or tanh values in the analog ablation */
                for (uint32_t k = 0; k < w->K; k++) W[k] += a * P[k];
        }
    }
}

/* dW -> gradients of alpha and the latent weights (accumulated into .g). */
void tr_wq_backward(tr_wq *w, const tr_xor_mode *mode)
{
    const size_t mk = (size_t)w->M * w->K;
    if (w->kind == TR_W_FP) {
        for (size_t t = 0; t < mk; t++) w->lat.g[t] += w->dW[t];
        return;
    }
    const uint32_t n_in = (uint32_t)w->n_in, n_out = w->n_out;
    const float *planes = w->kind == TR_W_BIN ? w->lat.v : w->B; /* only the sign is used */
    for (int i = 0; i < w->q; i++) {
        const float *B = planes + (size_t)i * mk;
        for (uint32_t m = 0; m < w->M; m++) {
            const float *restrict dW = w->dW + (size_t)m * w->K, *restrict Bm = B + (size_t)m * w->K;
            const float a = w->alpha.v[m * w->q + i];
            float *restrict dB = w->dB + (size_t)m * w->K;
            /* 8 partial sums: vectorises, and the order is fixed (deterministic) */
            float part[8] = {0};
            uint32_t k = 0;
            double s = 0;
            if (w->kind == TR_W_BIN) {
                for (; k + 8 <= w->K; k += 8)
                    for (int u = 0; u < 8; u++) part[u] += Bm[k + u] >= 0 ? dW[k + u] : -dW[k + u];
                for (; k < w->K; k++) s += Bm[k] >= 0 ? dW[k] : -dW[k];
            } else {
                for (; k + 8 <= w->K; k += 8)
                    for (int u = 0; u < 8; u++) part[u] += dW[k + u] * Bm[k + u];
                for (; k < w->K; k++) s += dW[k] * Bm[k];
            }
            for (int u = 0; u < 8; u++) s += part[u];
            w->alpha.g[m * w->q + i] += (float)s;
            if (w->kind == TR_W_BIN) {
                /* clipped straight-through estimator */
                const float *restrict lv = w->lat.v + (size_t)i * mk + (size_t)m * w->K;
                float *restrict lg = w->lat.g + (size_t)i * mk + (size_t)m * w->K;
                for (k = 0; k < w->K; k++) lg[k] += fabsf(lv[k]) <= 1.0f ? dW[k] * a : 0.0f;
            } else {
                for (k = 0; k < w->K; k++) dB[k] = dW[k] * a;
            }
        }
        if (w->kind == TR_W_BIN) continue;
        const float *x = w->lat.v + (size_t)i * w->n_slices * n_in;
        float *dx = w->lat.g + (size_t)i * w->n_slices * n_in;
        float g[FX_NOUT_MAX];
        for (uint32_t s = 0; s < w->n_slices; s++) {
            size_t p0;
            const uint32_t len = slice_run(w, s, &p0);
            memcpy(g, w->dB + p0, len * sizeof(float));
            for (uint32_t r = len; r < n_out; r++) g[r] = 0.0f;
            tr_xor_slice_backward(&w->mx, x + (size_t)s * n_in, mode->S, mode->unsimplified, g, dx + (size_t)s * n_in);
        }
    }
}
