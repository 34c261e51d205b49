/* SPDX-License-Identifier: Apache-2.0 */
/* Forward and backward of the fused layers over a batch: conv (im2col with stride and zero padding, one
 * cblas_sgemm) or fc, bias, batch norm, residual add (identity or option A), ReLU with uint8 activation
 * quantization, max-pool 2x2 or global average pooling. Gradients of a layer's output are summed over
 * every layer that reads it (the next layer and shortcuts), in reverse description order. */
#include "tr.h"
#include <cblas.h>
#include <math.h>
#include <string.h>

/* Output ox reads input column ix = ox*s + d - p; the ox whose ix lies in [0, W): [*lo, *hi). */
static void valid_range(uint32_t W, uint32_t s, uint32_t d, uint32_t p, uint32_t n_out, uint32_t *lo, uint32_t *hi)
{
    const uint32_t l = d < p ? (p - d + s - 1) / s : 0;
    const uint32_t h = W + p > d ? (W + p - d - 1) / s + 1 : 0;
    *hi = h < n_out ? h : n_out;
    *lo = l < *hi ? l : *hi;
}

/* Row of the im2col matrix (the weight's K index) of input channel c at kernel position (dy, dx): contract
 * v1's order for networks it runs, else contract v2's kernel-position-major order (docs/contract.md §7.1),
 * so that the XOR slices a v2 export stores are those trained. */
static inline size_t krow(const tr_layer *l, uint32_t c, uint32_t dy, uint32_t dx)
{
    return l->kpos ? (size_t)(dy * l->kw + dx) * l->in_c + c : (size_t)(c * l->kh + dy) * l->kw + dx;
}

/* cols[(c,dy,dx)][b*N + oy*ow + ox] = x[b][c][oy*s+dy-p][ox*s+dx-p], pad_val outside the input. */
static void im2col(const tr_layer *l, const float *x, uint32_t B, float *cols)
{
    const uint32_t N = l->N, BN = B * N, ow = l->out_w, oh = l->out_h, s = l->stride, p = l->pad;
    const uint32_t H = l->in_h, W = l->in_w;
    const float pv = l->pad_val;
    for (uint32_t c = 0; c < l->in_c; c++)
        for (uint32_t dy = 0; dy < l->kh; dy++)
            for (uint32_t dx = 0; dx < l->kw; dx++) {
                float *row = cols + krow(l, c, dy, dx) * BN;
                uint32_t x0, x1, y0, y1;
                valid_range(W, s, dx, p, ow, &x0, &x1);
                valid_range(H, s, dy, p, oh, &y0, &y1);
                for (uint32_t b = 0; b < B; b++) {
                    const float *src = x + ((size_t)b * l->in_c + c) * H * W;
                    float *dst = row + (size_t)b * N;
                    if (s == 1 && ow == W && y0 < y1 && x0 < x1) {
                        /* a "same" convolution: the valid rows are one shifted copy of the plane (from the first
                         * valid column of the first row to the last of the last row, all inside the plane), then
                         * the columns that wrapped around are set to the padding */
                        const size_t a = (size_t)y0 * ow + x0, e = (size_t)(y1 - 1) * ow + x1;
                        memcpy(dst + a, src + (size_t)(y0 + dy - p) * W + (x0 + dx - p), (e - a) * sizeof(float));
                        for (uint32_t oy = 0; oy < oh; oy++) {
                            float *d = dst + oy * ow;
                            const int full = oy < y0 || oy >= y1;
                            for (uint32_t ox = 0; ox < (full ? ow : x0); ox++) d[ox] = pv;
                            for (uint32_t ox = full ? ow : x1; ox < ow; ox++) d[ox] = pv;
                        }
                        continue;
                    }
                    for (uint32_t oy = 0; oy < oh; oy++) {
                        float *d = dst + oy * ow;
                        if (oy < y0 || oy >= y1) {
                            for (uint32_t ox = 0; ox < ow; ox++) d[ox] = pv;
                            continue;
                        }
                        const float *sr = src + (size_t)(oy * s + dy - p) * W + dx - p; /* column ox at sr[ox*s] */
                        for (uint32_t ox = 0; ox < x0; ox++) d[ox] = pv;
                        if (s == 1) memcpy(d + x0, sr + x0, (x1 - x0) * sizeof(float));
                        else for (uint32_t ox = x0; ox < x1; ox++) d[ox] = sr[(size_t)ox * s];
                        for (uint32_t ox = x1; ox < ow; ox++) d[ox] = pv;
                    }
                }
            }
}

/* The transpose of im2col: every column's gradient added to the input position it read. */
static void col2im(const tr_layer *l, const float *cols, uint32_t B, float *dxin)
{
    const uint32_t N = l->N, BN = B * N, ow = l->out_w, oh = l->out_h, s = l->stride, p = l->pad;
    const uint32_t H = l->in_h, W = l->in_w;
    for (uint32_t c = 0; c < l->in_c; c++)
        for (uint32_t dy = 0; dy < l->kh; dy++)
            for (uint32_t ddx = 0; ddx < l->kw; ddx++) {
                const float *row = cols + krow(l, c, dy, ddx) * BN;
                uint32_t x0, x1, y0, y1;
                valid_range(W, s, ddx, p, ow, &x0, &x1);
                valid_range(H, s, dy, p, oh, &y0, &y1);
                for (uint32_t b = 0; b < B; b++) {
                    float *dst = dxin + ((size_t)b * l->in_c + c) * H * W;
                    const float *src = row + (size_t)b * N;
                    for (uint32_t oy = y0; oy < y1; oy++) {
                        float *d = dst + (size_t)(oy * s + dy - p) * W + ddx - p;
                        const float *sr = src + oy * ow;
                        if (s == 1) for (uint32_t ox = x0; ox < x1; ox++) d[ox] += sr[ox];
                        else for (uint32_t ox = x0; ox < x1; ox++) d[(size_t)ox * s] += sr[ox];
                    }
                }
            }
}

/* Output of layer i (TR_SRC_INPUT: the network input) and its shape. */
static float *layer_output(tr_net *n, int i, uint32_t *c, uint32_t *h, uint32_t *w)
{
    if (i == TR_SRC_INPUT) { *c = n->in_c; *h = n->in_h; *w = n->in_w; return n->in; }
    const tr_layer *l = &n->L[i];
    *c = l->out_c; *h = l->po_h; *w = l->po_w;
    return l->out;
}

/* z += the shortcut: identity, or option A (the source subsampled at even rows and columns, its channels
 * first and zeros after). dir < 0 is the backward: the source's gradient += dz at those positions. */
static void residual(tr_net *n, tr_layer *l, float *z, uint32_t B, int backward)
{
    uint32_t C, H, W;
    float *r = layer_output(n, l->res, &C, &H, &W);
    const uint32_t M = l->out_c, oh = l->out_h, ow = l->out_w, step = l->res_pad ? 2 : 1;
    if (backward) {
        if (l->res == TR_SRC_INPUT) return;
        tr_layer *s = &n->L[l->res];
        r = s->dout;
        if (!s->dout_set) memset(r, 0, (size_t)B * C * H * W * sizeof(float));
        s->dout_set = 1;
    }
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t m = 0; m < M && m < C; m++) {
            float *zz = z + ((size_t)b * M + m) * oh * ow, *rr = r + ((size_t)b * C + m) * H * W;
            for (uint32_t y = 0; y < oh; y++)
                for (uint32_t x = 0; x < ow; x++) {
                    float *rv = rr + (size_t)y * step * W + x * step;
                    if (backward) *rv += zz[y * ow + x];
                    else zz[y * ow + x] += *rv;
                }
        }
}

/* Training: the batch's mean and variance per channel (both workers' images, tr_net_allreduce); evaluation:
 * the running statistics. z <- gamma * (z - mean) / sqrt(var + eps) + beta, zn keeps the normalised z. */
static void bn_forward(tr_net *n, tr_layer *l, uint32_t B, int train)
{
    const uint32_t M = l->out_c, N = l->N;
    double *st = n->red; /* [s_0..s_M-1, s2_0..s2_M-1, count] */
    if (train) {
        for (uint32_t m = 0; m < M; m++) {
            double s = 0, s2 = 0;
            for (uint32_t b = 0; b < B; b++) {
                const float *z = l->z + ((size_t)b * M + m) * N;
                for (uint32_t j = 0; j < N; j++) { s += z[j]; s2 += (double)z[j] * z[j]; }
            }
            st[m] = s; st[M + m] = s2;
        }
        st[2 * M] = (double)B * N;
        tr_net_allreduce(n, st, 2 * M + 1);
    }
    for (uint32_t m = 0; m < M; m++) {
        float mean, inv;
        if (train) {
            double cnt = st[2 * M], mu = st[m] / cnt, var = st[M + m] / cnt - mu * mu;
            if (var < 0) var = 0;
            mean = (float)mu; inv = (float)(1.0 / sqrt(var + 1e-5));
            l->bn_mean[m] = 0.9f * l->bn_mean[m] + 0.1f * mean;
            l->bn_var[m] = 0.9f * l->bn_var[m] + 0.1f * (float)var;
        } else {
            mean = l->bn_mean[m]; inv = 1.0f / sqrtf(l->bn_var[m] + 1e-5f);
        }
        l->bn_bmean[m] = mean; l->bn_binv[m] = inv;
        const float ga = l->gamma.v[m], be = l->beta.v[m];
        for (uint32_t b = 0; b < B; b++) {
            float *restrict z = l->z + ((size_t)b * M + m) * N, *restrict zn = l->zn + ((size_t)b * M + m) * N;
            for (uint32_t j = 0; j < N; j++) { zn[j] = (z[j] - mean) * inv; z[j] = ga * zn[j] + be; }
        }
    }
}

/* dz (w.r.t. BN's output) -> w.r.t. its input; gamma and beta get the whole batch's gradient once (worker 0). */
static void bn_backward(tr_net *n, tr_layer *l, float *dzbuf, uint32_t B)
{
    const uint32_t M = l->out_c, N = l->N;
    double *st = n->red; /* [sum dz, sum dz*zn per channel, count] */
    for (uint32_t m = 0; m < M; m++) {
        double sd = 0, sdn = 0;
        for (uint32_t b = 0; b < B; b++) {
            const float *dz = dzbuf + ((size_t)b * M + m) * N, *zn = l->zn + ((size_t)b * M + m) * N;
            for (uint32_t j = 0; j < N; j++) { sd += dz[j]; sdn += (double)dz[j] * zn[j]; }
        }
        st[m] = sd; st[M + m] = sdn;
    }
    st[2 * M] = (double)B * N;
    tr_net_allreduce(n, st, 2 * M + 1);
    const double cnt = st[2 * M];
    for (uint32_t m = 0; m < M; m++) {
        const double sd = st[m], sdn = st[M + m];
        if (n->wid == 0) { l->beta.g[m] += (float)sd; l->gamma.g[m] += (float)sdn; }
        const float g = l->gamma.v[m], inv = l->bn_binv[m];
        const float a = (float)(sd / cnt), c = (float)(sdn / cnt);
        for (uint32_t b = 0; b < B; b++) {
            float *restrict dz = dzbuf + ((size_t)b * M + m) * N;
            const float *restrict zn = l->zn + ((size_t)b * M + m) * N;
            for (uint32_t j = 0; j < N; j++) dz[j] = g * inv * (dz[j] - a - zn[j] * c);
        }
    }
}

/* Global average pooling of uint8 activations (act_scale > 0) rounds the mean to the same step, half up, as
 * the integer model does (contract §7.2; the gradient passes straight through). */
static void pool_forward(tr_layer *l, uint32_t B, float act_scale)
{
    const uint32_t M = l->out_c, N = l->N;
    if (l->avgpool) {
        const float inv = 1.0f / (float)N;
        for (uint32_t bm = 0; bm < B * M; bm++) {
            const float *y = l->y + (size_t)bm * N;
            float s = 0;
            for (uint32_t j = 0; j < N; j++) s += y[j];
            l->out[bm] = act_scale > 0 ? floorf(s * inv / act_scale + 0.5f) * act_scale : s * inv;
        }
        return;
    }
    const uint32_t oh = l->po_h, ow = l->po_w;
    for (uint32_t bm = 0; bm < B * M; bm++) {
        const float *y = l->y + (size_t)bm * N;
        float *o = l->out + (size_t)bm * oh * ow;
        uint32_t *pi = l->pidx + (size_t)bm * oh * ow;
        for (uint32_t py = 0; py < oh; py++)
            for (uint32_t px = 0; px < ow; px++) {
                uint32_t best = (2 * py) * l->out_w + 2 * px;
                const uint32_t c[3] = {best + 1, best + l->out_w, best + l->out_w + 1};
                for (int k = 0; k < 3; k++) if (y[c[k]] > y[best]) best = c[k];
                o[py * ow + px] = y[best];
                pi[py * ow + px] = best;
            }
    }
}

/* The gradient w.r.t. y (before the pool) into dy. */
static void pool_backward(const tr_layer *l, const float *dout, uint32_t B, float *dy)
{
    const uint32_t M = l->out_c, N = l->N;
    const size_t total = (size_t)B * M * N;
    if (l->avgpool) {
        const float inv = 1.0f / (float)N;
        for (uint32_t bm = 0; bm < B * M; bm++)
            for (uint32_t j = 0; j < N; j++) dy[(size_t)bm * N + j] = dout[bm] * inv;
        return;
    }
    const uint32_t q = l->po_h * l->po_w;
    memset(dy, 0, total * sizeof(float));
    for (uint32_t bm = 0; bm < B * M; bm++)
        for (uint32_t t = 0; t < q; t++) dy[(size_t)bm * N + l->pidx[(size_t)bm * q + t]] += dout[(size_t)bm * q + t];
}

/* An FC layer's input [B][C][P] (CHW, P = H*W positions) as [B][P][C] (HWC, contract §7.1's FC K order), or
 * back: the gradient [B][P][C] written or added into [B][C][P]. */
static void fc_hwc(const float *x, uint32_t B, uint32_t K, uint32_t C, float *y)
{
    const uint32_t P = K / C;
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t c = 0; c < C; c++)
            for (uint32_t p = 0; p < P; p++) y[(size_t)b * K + (size_t)p * C + c] = x[(size_t)b * K + (size_t)c * P + p];
}
static void fc_hwc_back(const float *dy, uint32_t B, uint32_t K, uint32_t C, int add, float *dx)
{
    const uint32_t P = K / C;
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t c = 0; c < C; c++)
            for (uint32_t p = 0; p < P; p++) {
                float *d = dx + (size_t)b * K + (size_t)c * P + p;
                *d = (add ? *d : 0.0f) + dy[(size_t)b * K + (size_t)p * C + c];
            }
}

static void layer_forward(tr_net *n, tr_layer *l, const float *x, uint32_t B, int train)
{
    const uint32_t M = l->out_c, N = l->N, K = l->K;
    const float *W = l->wq.W;
    if (l->type == TR_FC) {
        if (l->fc_c) { fc_hwc(x, B, K, l->fc_c, n->cols); x = n->cols; }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)M, (int)K, 1.0f, x, (int)K, W, (int)K, 0.0f,
                    l->z, (int)M);
        for (uint32_t b = 0; b < B; b++)
            for (uint32_t m = 0; m < M; m++) l->z[(size_t)b * M + m] += l->bias.v[m];
    } else {
        im2col(l, x, B, n->cols);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)(B * N), (int)K, 1.0f, W, (int)K, n->cols,
                    (int)(B * N), 0.0f, n->tmp, (int)(B * N));
        for (uint32_t b = 0; b < B; b++)
            for (uint32_t m = 0; m < M; m++) {
                const float *restrict s = n->tmp + (size_t)m * B * N + (size_t)b * N;
                float *restrict d = l->z + ((size_t)b * M + m) * N;
                const float bb = l->bias.v[m];
                for (uint32_t j = 0; j < N; j++) d[j] = s[j] + bb;
            }
    }
    const size_t total = (size_t)B * M * N;
    if (l->bn) bn_forward(n, l, B, train);
    if (l->res != TR_NO_RES) residual(n, l, l->z, B, 0);
    if (!l->relu) {
        memcpy(l->y, l->z, total * sizeof(float));
    } else {
        if (l->act_quant && train) {
            /* the scale used now is the running max up to the previous step (the same for every worker) */
            float mx = 0;
            for (size_t t = 0; t < total; t++) mx = l->z[t] > mx ? l->z[t] : mx;
            l->bmax = mx;
        }
        const float *restrict z = l->z;
        float *restrict y = l->y;
        if (l->act_quant && n->act_quant_on && l->act_ema > 0) {
            const float s = l->act_ema / 255.0f, inv = 1.0f / s;
            /* clamp(floor(z/s + 1/2), 0, 255) * s: the truncation of the value clamped to [0, 256] is that floor
             * (the same bits as floorf, which does not vectorise on baseline x86-64) */
            for (size_t t = 0; t < total; t++) {
                float u = z[t] * inv + 0.5f;
                u = u > 0 ? u : 0;
                u = u < 256 ? u : 256;
                u = (float)(int32_t)u;
                y[t] = (u < 255 ? u : 255) * s;
            }
        } else {
            for (size_t t = 0; t < total; t++) y[t] = z[t] > 0 ? z[t] : 0;
        }
    }
    if (l->pool || l->avgpool)
        pool_forward(l, B, l->act_quant && n->act_quant_on && l->act_ema > 0 ? l->act_ema / 255.0f : 0.0f);
}

void tr_net_forward(tr_net *n, const uint8_t *img, uint32_t B, int train, const tr_xor_mode *mode)
{
    (void)mode;
    const size_t px = (size_t)n->in_c * n->in_h * n->in_w;
    for (size_t t = 0; t < B * px; t++) n->in[t] = ((float)img[t] / 255.0f - TR_MEAN) / TR_STD;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        tr_layer *l = &n->L[i];
        uint32_t c, h, w;
        layer_forward(n, l, layer_output(n, l->src, &c, &h, &w), B, train);
    }
    n->logits = n->L[n->n_layers - 1].out;
}

double tr_net_loss(tr_net *n, const uint8_t *labels, uint32_t B, uint32_t norm, uint32_t *correct)
{
    const float inv = 1.0f / (float)norm;
    const uint32_t C = n->n_classes;
    double loss = 0;
    uint32_t ok = 0;
    for (uint32_t b = 0; b < B; b++) {
        const float *z = n->logits + (size_t)b * C;
        float *d = n->dlogits + (size_t)b * C;
        uint32_t arg = 0;
        float mx = z[0];
        for (uint32_t c = 1; c < C; c++) if (z[c] > mx) { mx = z[c]; arg = c; }
        double s = 0;
        for (uint32_t c = 0; c < C; c++) s += exp((double)(z[c] - mx));
        for (uint32_t c = 0; c < C; c++) d[c] = (float)(exp((double)(z[c] - mx)) / s) * inv;
        d[labels[b]] -= inv;
        loss += log(s) - (double)(z[labels[b]] - mx);
        ok += arg == labels[b];
    }
    if (correct) *correct = ok;
    n->L[n->n_layers - 1].dout_set = 1;
    return loss;
}

/* l->dout holds the whole gradient of l's output: adds l's parameter gradients and adds the gradients of
 * its input and shortcut into their layers' dout. */
static void layer_backward(tr_net *n, tr_layer *l, const float *x, uint32_t B)
{
    const uint32_t M = l->out_c, N = l->N, K = l->K;
    const size_t total = (size_t)B * M * N;
    float *dz = n->dz;
    const float *dy = l->dout;
    if (l->pool || l->avgpool) { pool_backward(l, l->dout, B, n->tmp); dy = n->tmp; }
    if (!l->relu) {
        memcpy(dz, dy, total * sizeof(float));
    } else {
        const float hi = (l->act_quant && n->act_quant_on && l->act_ema > 0) ? l->act_ema * (255.5f / 255.0f) : INFINITY;
        const float *restrict z = l->z, *restrict g = dy;
        float *restrict d = dz;
        for (size_t t = 0; t < total; t++) d[t] = (z[t] > 0 && z[t] < hi) ? g[t] : 0;
    }
    if (l->res != TR_NO_RES) residual(n, l, dz, B, 1);
    if (l->bn) bn_backward(n, l, dz, B);
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t m = 0; m < M; m++) {
            const float *d = dz + ((size_t)b * M + m) * N;
            float s = 0;
            for (uint32_t j = 0; j < N; j++) s += d[j];
            l->bias.g[m] += s;
        }
    tr_layer *in = l->src == TR_SRC_INPUT ? NULL : &n->L[l->src];
    float *dx = in ? in->dout : NULL;
    const int first = in && !in->dout_set; /* the first contribution writes, later ones add */
    if (in) in->dout_set = 1;
    if (l->type == TR_FC) {
        if (l->fc_c) { fc_hwc(x, B, K, l->fc_c, n->cols); x = n->cols; }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)K, (int)B, 1.0f, dz, (int)M, x, (int)K, 0.0f,
                    l->wq.dW, (int)K);
        if (dx && l->fc_c) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)K, (int)M, 1.0f, dz, (int)M, l->wq.W,
                        (int)K, 0.0f, n->dcols, (int)K);
            fc_hwc_back(n->dcols, B, K, l->fc_c, !first, dx);
        } else if (dx) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)K, (int)M, 1.0f, dz, (int)M, l->wq.W,
                        (int)K, first ? 0.0f : 1.0f, dx, (int)K);
        }
        return;
    }
    float *dZt = n->tmp;
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t m = 0; m < M; m++)
            memcpy(dZt + (size_t)m * B * N + (size_t)b * N, dz + ((size_t)b * M + m) * N, N * sizeof(float));
    im2col(l, x, B, n->cols); /* the forward's columns were overwritten by later layers */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)K, (int)(B * N), 1.0f, dZt, (int)(B * N), n->cols,
                (int)(B * N), 0.0f, l->wq.dW, (int)K);
    if (dx) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)(B * N), (int)M, 1.0f, l->wq.W, (int)K, dZt,
                    (int)(B * N), 0.0f, n->dcols, (int)(B * N));
        if (first) memset(dx, 0, (size_t)B * l->in_c * l->in_h * l->in_w * sizeof(float));
        col2im(l, n->dcols, B, dx);
    }
}

void tr_net_backward(tr_net *n, uint32_t B)
{
    for (uint32_t i = 0; i + 1 < n->n_layers; i++) n->L[i].dout_set = 0;
    for (int i = (int)n->n_layers - 1; i >= 0; i--) {
        tr_layer *l = &n->L[i];
        uint32_t c, h, w;
        layer_backward(n, l, layer_output(n, l->src, &c, &h, &w), B);
    }
}
