/* SPDX-License-Identifier: Apache-2.0 */
/* The integer reference for version-2 models (docs/contract.md §7): a graph of layers on HWC tensors,
 * conv with stride and zero padding (k = (dy*kw+dx)*C + c), the residual in the scaled sum, 2x2 max or
 * global average pooling. The GEMM itself is fx_ref_gemm_res (ref.c), shared with version 1. */
#include "flexor/ref.h"
#include <stdlib.h>
#include <string.h>

void fx_chw_to_hwc(const uint8_t *chw, uint32_t c, uint32_t h, uint32_t w, uint8_t *hwc)
{
    for (uint32_t ch = 0; ch < c; ch++)
        for (size_t i = 0; i < (size_t)h * w; i++) hwc[i * c + ch] = chw[(size_t)ch * h * w + i];
}

uint32_t fx_im2col_v2(const fx_layer *l, uint32_t n_out, const uint8_t *in_hwc, uint8_t *cols)
{
    const uint32_t CH = fx_layer_chunks(l, n_out), C = l->in_c;
    const size_t stride = (size_t)CH * n_out;
    if (l->type != FX_LAYER_CONV) {
        memcpy(cols, in_hwc, l->K);
        memset(cols + l->K, 0, stride - l->K);
        return 1;
    }
    uint32_t oh, ow;
    fx_layer_conv_out(l, &oh, &ow);
    for (uint32_t oy = 0; oy < oh; oy++)
        for (uint32_t ox = 0; ox < ow; ox++) {
            uint8_t *col = cols + ((size_t)oy * ow + ox) * stride;
            for (uint32_t dy = 0; dy < l->kh; dy++)
                for (uint32_t dx = 0; dx < l->kw; dx++, col += C) {
                    /* unsigned wrap-around makes a position left of or above the input fail the bound too */
                    const uint32_t iy = oy * l->stride + dy - l->pad, ix = ox * l->stride + dx - l->pad;
                    if (iy < l->in_h && ix < l->in_w) memcpy(col, in_hwc + ((size_t)iy * l->in_w + ix) * C, C);
                    else memset(col, 0, C); /* zero padding */
                }
            memset(col, 0, stride - l->K);
        }
    return oh * ow;
}

void fx_residual_v2(const fx_layer *l, const uint8_t *src, uint32_t c, uint32_t h, uint32_t w, uint8_t *r)
{
    uint32_t oh, ow;
    fx_layer_conv_out(l, &oh, &ow);
    const uint32_t M = l->M;
    if (l->res_kind == FX_RES_IDENTITY) {
        memcpy(r, src, (size_t)oh * ow * M);
        return;
    }
    /* option A: stride-2 subsampling, channels c..M-1 zero */
    for (uint32_t y = 0; y < oh; y++)
        for (uint32_t x = 0; x < ow; x++) {
            uint8_t *dst = r + ((size_t)y * ow + x) * M;
            memcpy(dst, src + ((size_t)(2 * y) * w + 2 * x) * c, c);
            memset(dst + c, 0, M - c);
        }
    (void)h;
}

size_t fx_layer_output_v2(const fx_layer *l, const int32_t *out, uint8_t *hwc)
{
    uint32_t h, w;
    fx_layer_conv_out(l, &h, &w);
    const uint32_t M = l->M;
    const size_t N = (size_t)h * w;
    if (l->pool == FX_POOL_AVG) {
        for (uint32_t m = 0; m < M; m++) {
            int64_t sum = 0;
            for (size_t n = 0; n < N; n++) sum += out[n * M + m];
            hwc[m] = (uint8_t)fx_requant(sum * l->avg_mult, l->avg_shift, 1);
        }
        return M;
    }
    if (l->pool != FX_POOL_MAX2) {
        for (size_t i = 0; i < N * M; i++) hwc[i] = (uint8_t)out[i];
        return N * M;
    }
    fx_maxpool2(out, h, w, M, 1, hwc);
    return (size_t)(h / 2) * (w / 2) * M;
}

/* Index of the last layer that reads each tensor (0 the image, L+1 layer L), so it can be freed then. */
static void last_readers(const fx_model *m, uint32_t *last)
{
    memset(last, 0, (FX_MAX_LAYERS + 1) * sizeof *last);
    for (uint32_t i = 0; i < m->n_layers; i++) {
        last[m->layers[i].src] = i;
        if (m->layers[i].res_kind) last[m->layers[i].res_src] = i;
    }
}

int fx_ref_infer_v2(const fx_ref_net *net, const uint8_t *image, int32_t *logits, fx_layer_cb cb, void *user)
{
    const fx_model *m = net->model;
    const size_t sz = net->max_act + 64;
    uint8_t *t[FX_MAX_LAYERS + 1] = {0}, *cols = malloc(sz), *res = malloc(sz);
    int32_t *out = malloc(sz);
    uint32_t last[FX_MAX_LAYERS + 1], C[FX_MAX_LAYERS + 1], H[FX_MAX_LAYERS + 1], W[FX_MAX_LAYERS + 1];
    int best = -1;
    last_readers(m, last);
    C[0] = m->in_c; H[0] = m->in_h; W[0] = m->in_w;
    t[0] = malloc((size_t)m->in_c * m->in_h * m->in_w + 1);
    if (!cols || !res || !out || !t[0]) goto done;
    fx_chw_to_hwc(image, m->in_c, m->in_h, m->in_w, t[0]);
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        const uint32_t N = fx_im2col_v2(l, net->cfg->n_out, t[l->src], cols);
        if (l->res_kind) fx_residual_v2(l, t[l->res_src], C[l->res_src], H[l->res_src], W[l->res_src], res);
        fx_ref_gemm_res(net, li, cols, N, l->res_kind ? res : NULL, out, NULL);
        if (cb) cb(user, li, out, N, l->M);
        fx_layer_out_shape(l, &C[li + 1], &H[li + 1], &W[li + 1]);
        if (li + 1 < m->n_layers || l->pool) {
            if (!(t[li + 1] = malloc((size_t)C[li + 1] * H[li + 1] * W[li + 1] + 1))) goto done;
            fx_layer_output_v2(l, out, t[li + 1]);
        }
        for (uint32_t s = 0; s <= li; s++) /* tensors no later layer reads */
            if (last[s] == li) { free(t[s]); t[s] = NULL; }
    }
    /* logits: the last layer's output, n_classes x 1 x 1 (contract §7.3): int32 (RAW) or pooled uint8 */
    const fx_layer *l = &m->layers[m->n_layers - 1];
    best = 0;
    for (uint32_t c = 0; c < m->n_classes; c++) {
        const int32_t v = l->pool ? t[m->n_layers][c] : out[c];
        if (logits) logits[c] = v;
        if (v > (l->pool ? t[m->n_layers][best] : out[best])) best = (int)c;
    }
done:
    for (uint32_t i = 0; i <= FX_MAX_LAYERS; i++) free(t[i]);
    free(cols); free(res); free(out);
    return best;
}
