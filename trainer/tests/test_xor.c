/* SPDX-License-Identifier: Apache-2.0 */
/* XOR layer: the sign-domain forward equals fx_decrypt_slice on the stored bits, and the unsimplified
 * backward equals finite differences of the tanh surrogate (analog forward) it is the gradient of. */
#include "test_util.h"
#include "tr.h"
#include "flexor/decrypt.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>


static void forward_matches_decrypt(const fx_hwcfg *cfg)
{
    tr_rng rng = {42};
    for (uint32_t ni = 0; ni < cfg->n_in_count; ni++) {
        fx_mxor mx;
        CHECK(fx_mxor_generate(cfg->seed, cfg->n_in[ni], cfg->n_out, cfg->n_tap, &mx) == 0, "generate");
        for (int trial = 0; trial < 2000; trial++) {
            float x[32], out[32];
            uint32_t stored = 0;
            for (uint32_t j = 0; j < mx.n_in; j++) {
                x[j] = tr_rng_uniform(&rng, -1, 1);
                if (trial % 7 == 0 && j % 3 == 0) x[j] = 0.0f; /* x_e = 0 stores bit 1 */
                stored |= (x[j] >= 0 ? 1u : 0u) << j;
            }
            tr_xor_slice_forward(&mx, x, 100.0f, 0, out);
            uint32_t y = fx_decrypt_slice(&mx, stored);
            for (uint32_t i = 0; i < mx.n_out; i++) {
                float want = ((y >> i) & 1) ? 1.0f : -1.0f;
                if (out[i] != want) { CHECK(0, "n_in %u trial %d bit %u: forward %g, decrypt %g", mx.n_in, trial, i, out[i], want); return; }
            }
        }
    }
}

/* L = sum_{m,k} R[m][k] * W[m][k] with W from the quantizer (analog forward). */
static double loss(tr_wq *w, const float *R, const tr_xor_mode *mode)
{
    tr_wq_forward(w, mode);
    double s = 0;
    for (size_t t = 0; t < (size_t)w->M * w->K; t++) s += (double)R[t] * w->W[t];
    return s;
}

static void grad_check(const fx_hwcfg *cfg, int straddle, uint32_t n_in, int q)
{
    tr_rng rng = {7 + (uint64_t)straddle * 100 + n_in};
    tr_wq w;
    const uint32_t M = 3, K = 45;
    CHECK(tr_wq_init(&w, TR_W_FLEXOR, q, (int)n_in, straddle, M, K, cfg, 0.3f, &rng) == 0, "init");
    for (size_t i = 0; i < w.alpha.n; i++) w.alpha.v[i] = tr_rng_uniform(&rng, 0.2f, 1.0f);
    float *R = malloc(sizeof(float) * M * K);
    for (size_t t = 0; t < (size_t)M * K; t++) R[t] = tr_rng_uniform(&rng, -1, 1);
    tr_xor_mode mode = {3.0f, 1, 1};
    loss(&w, R, &mode);
    for (size_t t = 0; t < (size_t)M * K; t++) w.dW[t] = R[t];
    tr_wq_backward(&w, &mode);
    double maxerr = 0;
    const double h = 1e-3;
    for (size_t i = 0; i < w.lat.n; i++) {
        float keep = w.lat.v[i];
        w.lat.v[i] = keep + (float)h; double lp = loss(&w, R, &mode);
        w.lat.v[i] = keep - (float)h; double lm = loss(&w, R, &mode);
        w.lat.v[i] = keep;
        double fd = (lp - lm) / (2 * h), an = w.lat.g[i];
        double err = fabs(fd - an) / (fabs(fd) + fabs(an) + 1e-2);
        if (err > maxerr) maxerr = err;
    }
    for (size_t i = 0; i < w.alpha.n; i++) {
        float keep = w.alpha.v[i];
        w.alpha.v[i] = keep + (float)h; double lp = loss(&w, R, &mode);
        w.alpha.v[i] = keep - (float)h; double lm = loss(&w, R, &mode);
        w.alpha.v[i] = keep;
        double fd = (lp - lm) / (2 * h), an = w.alpha.g[i];
        double err = fabs(fd - an) / (fabs(fd) + fabs(an) + 1e-2);
        if (err > maxerr) maxerr = err;
    }
    CHECK(maxerr < 2e-2, "straddle %d n_in %u q %d: max relative gradient error %.3g", straddle, n_in, q, maxerr);
    printf("grad check straddle=%d n_in=%u q=%d: max rel err %.2e over %zu encrypted weights\n", straddle, n_in, q, maxerr, w.lat.n);
    /* the simplified form differs from the unsimplified one only through the product terms */
    free(R);
    tr_wq_free(&w);
}

int main(void)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    forward_matches_decrypt(cfg);
    grad_check(cfg, 0, 12, 1);
    grad_check(cfg, 1, 16, 1);
    grad_check(cfg, 0, 8, 2);
    grad_check(cfg, 1, 20, 1);
    if (t_report("test_xor")) return 1;
    printf("ok\n");
    return 0;
}
