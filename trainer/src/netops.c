/* SPDX-License-Identifier: Apache-2.0 */
/* Forward and backward of the fused layers over a batch: conv (im2col with stride and zero padding, one
 * cblas_sgemm) or fc, bias, batch norm, residual add (identity or option A), ReLU with uint8 activation
 * quantization, max-pool 2x2 or global average pooling. Gradients of a layer's output are summed over
 * every layer that reads it (the next layer and shortcuts), in reverse description order.
 *
 * Every tensor of a batch is channel-major, [C][B][H][W] (an FC layer's [M][B]): the layout a GEMM
 * W[M][K] x cols[K][B*N] writes and its weight gradient reads, so no layer re-lays out its output, and a
 * channel's values (BN statistics, bias gradient) are contiguous. The logits alone are [B][classes]. */
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

/* Images [b0, b0+nb) of the batch of B: cols[(c,dy,dx)][(b-b0)*N + oy*ow + ox] = x[c][b][oy*s+dy-p][ox*s+dx-p],
 * pad_val outside the input. */
static void im2col(const tr_layer *l, const float *x, uint32_t B, uint32_t b0, uint32_t nb, float *cols)
{
    const uint32_t N = l->N, BN = nb * N, ow = l->out_w, oh = l->out_h, s = l->stride, p = l->pad;
    const uint32_t H = l->in_h, W = l->in_w;
    const float pv = l->pad_val;
    for (uint32_t c = 0; c < l->in_c; c++)
        for (uint32_t dy = 0; dy < l->kh; dy++)
            for (uint32_t dx = 0; dx < l->kw; dx++) {
                float *row = cols + krow(l, c, dy, dx) * BN;
                uint32_t x0, x1, y0, y1;
                valid_range(W, s, dx, p, ow, &x0, &x1);
                valid_range(H, s, dy, p, oh, &y0, &y1);
                for (uint32_t b = 0; b < nb; b++) {
                    const float *src = x + ((size_t)c * B + b0 + b) * H * W;
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

uint32_t tr_conv_chunk(uint32_t K, uint32_t N, uint32_t B)
{
    const size_t per = (size_t)K * N * sizeof(float), nb = ((size_t)1 << 20) / (per ? per : 1);
    return nb < 1 ? 1 : nb > B ? B : (uint32_t)nb;
}
static uint32_t conv_chunk(const tr_layer *l, uint32_t B) { return tr_conv_chunk(l->K, l->N, B); }

/* The transpose of im2col: every column's gradient added to the input position it read. */
static void col2im(const tr_layer *l, const float *cols, uint32_t B, uint32_t b0, uint32_t nb, float *dxin)
{
    const uint32_t N = l->N, BN = nb * N, ow = l->out_w, oh = l->out_h, s = l->stride, p = l->pad;
    const uint32_t H = l->in_h, W = l->in_w;
    for (uint32_t c = 0; c < l->in_c; c++)
        for (uint32_t dy = 0; dy < l->kh; dy++)
            for (uint32_t ddx = 0; ddx < l->kw; ddx++) {
                const float *row = cols + krow(l, c, dy, ddx) * BN;
                uint32_t x0, x1, y0, y1;
                valid_range(W, s, ddx, p, ow, &x0, &x1);
                valid_range(H, s, dy, p, oh, &y0, &y1);
                for (uint32_t b = 0; b < nb; b++) {
                    float *dst = dxin + ((size_t)c * B + b0 + b) * H * W;
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
            float *zz = z + ((size_t)m * B + b) * oh * ow, *rr = r + ((size_t)m * B + b) * H * W;
            for (uint32_t y = 0; y < oh; y++)
                for (uint32_t x = 0; x < ow; x++) {
                    float *rv = rr + (size_t)y * step * W + x * step;
                    if (backward) *rv += zz[y * ow + x];
                    else zz[y * ow + x] += *rv;
                }
        }
}

/* sa = sum a[t], sab = sum a[t]*b[t]: 8 interleaved float partial sums over blocks of 512, each block's
 * total added in double, so the loop vectorises (no reassociation) and the result does not depend on
 * the vector width. */
typedef float v8f __attribute__((vector_size(32))); /* GCC/Clang vector extension: 8 lanes, any ISA */

TR_CLONES static void sum_dot(const float *restrict a, const float *restrict b, size_t n, double *sa, double *sab)
{
    double da = 0, dab = 0;
    for (size_t o = 0; o < n; o += 512) {
        const size_t e = n - o < 512 ? n - o : 512, e8 = e & ~(size_t)7;
        v8f va = {0}, vab = {0}; /* lane k sums elements t + k: the same sums as a scalar loop over 8 partials */
        for (size_t t = 0; t < e8; t += 8) {
            v8f x, y;
            memcpy(&x, a + o + t, sizeof x);
            memcpy(&y, b + o + t, sizeof y);
            va += x;
            vab += x * y;
        }
        float pa[8], pab[8];
        memcpy(pa, &va, sizeof pa);
        memcpy(pab, &vab, sizeof pab);
        for (size_t t = e8; t < e; t++) { pa[0] += a[o + t]; pab[0] += a[o + t] * b[o + t]; }
        for (int k = 0; k < 8; k++) { da += pa[k]; dab += pab[k]; }
    }
    *sa = da; *sab = dab;
}

static double sum_f(const float *a, size_t n)
{
    double s, unused;
    sum_dot(a, a, n, &s, &unused);
    return s;
}

/* Training: the batch's mean and variance per channel (both workers' images, tr_net_allreduce); evaluation:
 * the running statistics. z <- gamma * (z - mean) / sqrt(var + eps) + beta, zn keeps the normalised z. */
static void bn_forward(tr_net *n, tr_layer *l, uint32_t B, int train, int stats_only)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    double *st = n->red; /* [s_0..s_M-1, s2_0..s2_M-1, count] */
    if (train) {
        for (uint32_t m = 0; m < M; m++) sum_dot(l->z + m * BN, l->z + m * BN, BN, &st[m], &st[M + m]);
        st[2 * M] = (double)BN;
        tr_net_allreduce(n, st, 2 * M + 1);
    }
    /* stats_only: z is the sums without the bias (the fused pass normalises them), the running mean has it */
    for (uint32_t m = 0; m < M; m++) {
        const float bias = stats_only ? l->bias.v[m] : 0.0f;
        float mean, inv;
        if (train) {
            double cnt = st[2 * M], mu = st[m] / cnt, var = st[M + m] / cnt - mu * mu;
            if (var < 0) var = 0;
            mean = (float)mu; inv = (float)(1.0 / sqrt(var + 1e-5));
            l->bn_mean[m] = 0.9f * l->bn_mean[m] + 0.1f * (mean + bias);
            l->bn_var[m] = 0.9f * l->bn_var[m] + 0.1f * (float)var;
        } else {
            mean = l->bn_mean[m] - bias; inv = 1.0f / sqrtf(l->bn_var[m] + 1e-5f);
        }
        l->bn_bmean[m] = mean; l->bn_binv[m] = inv;
        if (stats_only) continue;
        const float ga = l->gamma.v[m], be = l->beta.v[m];
        float *restrict z = l->z + m * BN, *restrict zn = l->zn + m * BN;
        for (size_t j = 0; j < BN; j++) { zn[j] = (z[j] - mean) * inv; z[j] = ga * zn[j] + be; }
    }
}

/* dz (w.r.t. BN's output) -> w.r.t. its input, from the per-channel sums of dz and dz*zn in n->red[0, 2M);
 * gamma and beta get the whole batch's gradient once (worker 0), the bias (before BN) the sum of the result. */
static void bn_backward_apply(tr_net *n, tr_layer *l, float *dzbuf, uint32_t B)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    double *st = n->red; /* [sum dz, sum dz*zn per channel, count] */
    st[2 * M] = (double)BN;
    tr_net_allreduce(n, st, 2 * M + 1);
    const double cnt = st[2 * M];
    for (uint32_t m = 0; m < M; m++) {
        const double sd = st[m], sdn = st[M + m];
        if (n->wid == 0) { l->beta.g[m] += (float)sd; l->gamma.g[m] += (float)sdn; }
        const float gi = l->gamma.v[m] * l->bn_binv[m];
        l->bias.g[m] += (float)tr_bn_backward_chan(gi, (float)(sd / cnt), (float)(sdn / cnt), l->zn + m * BN, dzbuf + m * BN, BN);
    }
}

/* The same with the sums taken here (the separate passes). */
static void bn_backward(tr_net *n, tr_layer *l, float *dzbuf, uint32_t B)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    for (uint32_t m = 0; m < M; m++) sum_dot(dzbuf + m * BN, l->zn + m * BN, BN, &n->red[m], &n->red[M + m]);
    bn_backward_apply(n, l, dzbuf, B);
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

/* An FC layer reading a [C][B][P] tensor with C > 1 and P > 1 multiplies its rows as [B][K]: gathered CHW
 * (k = c*P + p, contract v1) or HWC (k = p*C + c, contract v2 §7.1); the gradient [B][K] goes back, written
 * or added. */
static void fc_gather(const float *x, uint32_t B, uint32_t C, uint32_t P, int hwc, float *y)
{
    const size_t K = (size_t)C * P;
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t b = 0; b < B; b++) {
            const float *xs = x + ((size_t)c * B + b) * P;
            float *yd = y + b * K + (hwc ? c : (size_t)c * P);
            const size_t st = hwc ? C : 1;
            for (uint32_t p = 0; p < P; p++) yd[p * st] = xs[p];
        }
}
static void fc_scatter(const float *dy, uint32_t B, uint32_t C, uint32_t P, int hwc, int add, float *dx)
{
    const size_t K = (size_t)C * P;
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t b = 0; b < B; b++) {
            float *d = dx + ((size_t)c * B + b) * P;
            const float *s = dy + b * K + (hwc ? c : (size_t)c * P);
            const size_t st = hwc ? C : 1;
            for (uint32_t p = 0; p < P; p++) d[p] = (add ? d[p] : 0.0f) + s[p * st];
        }
}

/* How an FC layer's GEMM reads its [C][B][P] input: FC_KB ([K][B], P = 1), FC_BK ([B][K], C = 1) or
 * FC_GATHER (into n->cols as [B][K]). */
enum { FC_KB, FC_BK, FC_GATHER };
static int fc_mode(tr_net *n, const tr_layer *l, uint32_t *C, uint32_t *P)
{
    uint32_t h, w;
    layer_output(n, l->src, C, &h, &w);
    *P = h * w;
    return *P == 1 ? FC_KB : *C == 1 ? FC_BK : FC_GATHER;
}

/* The largest z of the batch, at least 0 (the uint8 activations' running max); 8 partial maxima vectorise. */
static float max0(const float *restrict z, size_t n)
{
    float pm[8] = {0};
    const size_t n8 = n & ~(size_t)7;
    for (size_t t = 0; t < n8; t += 8)
        for (int k = 0; k < 8; k++) pm[k] = z[t + k] > pm[k] ? z[t + k] : pm[k];
    for (size_t t = n8; t < n; t++) pm[0] = z[t] > pm[0] ? z[t] : pm[0];
    float mx = 0;
    for (int k = 0; k < 8; k++) mx = pm[k] > mx ? pm[k] : mx;
    return mx;
}

/* The element-wise forward in separate passes (the option-A shortcut): bias, BN, residual, ReLU. */
static void separate_forward(tr_net *n, tr_layer *l, uint32_t B, int train)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    for (uint32_t m = 0; m < M; m++) {
        float *restrict d = l->z + m * BN;
        const float bb = l->bias.v[m];
        for (size_t j = 0; j < BN; j++) d[j] += bb;
    }
    const size_t total = (size_t)M * BN;
    if (l->bn) bn_forward(n, l, B, train, 0);
    if (l->res != TR_NO_RES) residual(n, l, l->z, B, 0);
    if (!l->relu) {
        memcpy(l->y, l->z, total * sizeof(float));
    } else {
        /* the scale used now is the running max up to the previous step (the same for every worker) */
        if (l->act_quant && train) l->bmax = max0(l->z, total);
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
}

/* The shortcut's tensor when it is l's shape (identity: added in the fused pass), else NULL. */
static const float *identity_residual(tr_net *n, const tr_layer *l)
{
    uint32_t C, H, W;
    if (l->res == TR_NO_RES || l->res_pad) return NULL;
    const float *r = layer_output(n, l->res, &C, &H, &W);
    return C == l->out_c && H == l->out_h && W == l->out_w ? r : NULL;
}

/* Activation step of l's uint8 activations now, 0 when they are float. */
static float act_step(const tr_net *n, const tr_layer *l)
{
    return l->act_quant && n->act_quant_on && l->act_ema > 0 ? l->act_ema / 255.0f : 0.0f;
}

/* The element-wise forward in one pass per channel (actfuse.c); BN normalises the sums without the bias,
 * which it would subtract again (its running mean includes it, as the export expects). */
static void fused_forward(tr_net *n, tr_layer *l, uint32_t B, int train, const float *rid)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    if (l->bn) bn_forward(n, l, B, train, 1);
    const float s = act_step(n, l);
    const int f = (l->bn ? TR_F_BN : 0) | (rid ? TR_F_RES : 0) | (l->relu ? TR_F_RELU : 0) | (l->relu && s > 0 ? TR_F_QUANT : 0) |
                  (l->relu && l->act_quant && train ? TR_F_MAX : 0);
    float mx = 0;
    for (uint32_t m = 0; m < M; m++) {
        tr_chan c = {0, 0, 0, 0, l->bias.v[m], s, s > 0 ? 1.0f / s : 0};
        if (l->bn) { c.mean = l->bn_bmean[m]; c.inv = l->bn_binv[m]; c.ga = l->gamma.v[m]; c.be = l->beta.v[m]; }
        const float cm = tr_act_forward_chan(f, &c, l->z + m * BN, l->bn ? l->zn + m * BN : NULL, rid ? rid + m * BN : NULL,
                                             l->y + m * BN, BN);
        mx = cm > mx ? cm : mx;
    }
    if (f & TR_F_MAX) l->bmax = mx;
}

static void layer_forward(tr_net *n, tr_layer *l, const float *x, uint32_t B, int train)
{
    const uint32_t M = l->out_c, N = l->N, K = l->K;
    const size_t BN = (size_t)B * N;
    const float *W = l->wq.W;
    if (l->type == TR_FC) {
        uint32_t C, P;
        const int mode = fc_mode(n, l, &C, &P);
        if (mode == FC_GATHER) { fc_gather(x, B, C, P, l->fc_c != 0, n->cols); x = n->cols; }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, mode == FC_KB ? CblasNoTrans : CblasTrans, (int)M, (int)B, (int)K, 1.0f,
                    W, (int)K, x, mode == FC_KB ? (int)B : (int)K, 0.0f, l->z, (int)B);
    } else if (!tr_dnn_usable(l) || tr_dnn_forward(l, x, B, l->z)) {
        const uint32_t cb = conv_chunk(l, B);
        for (uint32_t b0 = 0; b0 < B; b0 += cb) {
            const uint32_t nb = B - b0 < cb ? B - b0 : cb;
            im2col(l, x, B, b0, nb, n->cols);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)(nb * N), (int)K, 1.0f, W, (int)K, n->cols,
                        (int)(nb * N), 0.0f, l->z + (size_t)b0 * N, (int)BN);
        }
    }
    const float *rid = identity_residual(n, l);
    if (l->res == TR_NO_RES || rid) {
        fused_forward(n, l, B, train, rid);
    } else {
        separate_forward(n, l, B, train);
    }
    if (l->pool || l->avgpool)
        pool_forward(l, B, act_step(n, l));
}

void tr_net_forward(tr_net *n, const uint8_t *img, uint32_t B, int train, const tr_xor_mode *mode)
{
    (void)mode;
    const size_t hw = (size_t)n->in_h * n->in_w;
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t c = 0; c < n->in_c; c++) {
            const uint8_t *s = img + ((size_t)b * n->in_c + c) * hw;
            float *d = n->in + ((size_t)c * B + b) * hw;
            for (size_t t = 0; t < hw; t++) d[t] = ((float)s[t] / 255.0f - TR_MEAN) / TR_STD;
        }
    for (uint32_t i = 0; i < n->n_layers; i++) {
        tr_layer *l = &n->L[i];
        uint32_t c, h, w;
        layer_forward(n, l, layer_output(n, l->src, &c, &h, &w), B, train);
    }
    const float *o = n->L[n->n_layers - 1].out; /* [classes][B] (checked at build: the output is classes x 1 x 1) */
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t c = 0; c < n->n_classes; c++) n->logits[(size_t)b * n->n_classes + c] = o[(size_t)c * B + b];
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
    return loss;
}

/* The element-wise backward in one pass per channel (and BN's second pass): n->dz <- the gradient of the
 * conv/fc sums; the identity shortcut's gradient written or added; bias, gamma and beta gradients. */
static void fused_backward(tr_net *n, tr_layer *l, const float *dy, float hi, uint32_t B)
{
    const uint32_t M = l->out_c;
    const size_t BN = (size_t)B * l->N;
    float *rg = NULL;
    int radd = 0;
    if (l->res != TR_NO_RES && l->res != TR_SRC_INPUT) {
        tr_layer *s = &n->L[l->res];
        rg = s->dout; radd = s->dout_set; s->dout_set = 1;
    }
    const int f = (l->bn ? TR_F_BN : 0) | (rg ? TR_F_RES : 0) | (l->relu ? TR_F_RELU : 0);
    double *st = n->red; /* [sum dz, sum dz*zn per channel, count] */
    for (uint32_t m = 0; m < M; m++)
        tr_act_backward_chan(f, hi, l->z + m * BN, dy + m * BN, n->dz + m * BN, rg ? rg + m * BN : NULL, radd,
                             l->bn ? l->zn + m * BN : NULL, &st[m], &st[M + m], BN);
    if (l->bn) bn_backward_apply(n, l, n->dz, B);
    else for (uint32_t m = 0; m < M; m++) l->bias.g[m] += (float)st[m];
}

/* l->dout holds the whole gradient of l's output: adds l's parameter gradients and adds the gradients of
 * its input and shortcut into their layers' dout. */
static void layer_backward(tr_net *n, tr_layer *l, const float *x, uint32_t B)
{
    const uint32_t M = l->out_c, N = l->N, K = l->K;
    const size_t BN = (size_t)B * N, total = (size_t)M * BN;
    float *dz = n->dz;
    const float *dy = l->dout;
    if (l->pool || l->avgpool) { pool_backward(l, l->dout, B, n->tmp); dy = n->tmp; }
    /* the uint8 activations' gradient passes where the value was not clipped at 255.5 steps */
    const float hi = act_step(n, l) > 0 ? l->act_ema * (255.5f / 255.0f) : INFINITY;
    if (l->res == TR_NO_RES || identity_residual(n, l)) {
        fused_backward(n, l, dy, hi, B);
    } else {
        if (!l->relu) {
            memcpy(dz, dy, total * sizeof(float));
        } else {
            const float *restrict z = l->z, *restrict g = dy;
            float *restrict d = dz;
            for (size_t t = 0; t < total; t++) d[t] = ((z[t] > 0) & (z[t] < hi)) ? g[t] : 0.0f;
        }
        residual(n, l, dz, B, 1);
        if (l->bn) bn_backward(n, l, dz, B);
        else for (uint32_t m = 0; m < M; m++) l->bias.g[m] += (float)sum_f(dz + m * BN, BN);
    }
    tr_layer *in = l->src == TR_SRC_INPUT ? NULL : &n->L[l->src];
    float *dx = in ? in->dout : NULL;
    const int first = in && !in->dout_set; /* the first contribution writes, later ones add */
    if (in) in->dout_set = 1;
    const float *W = l->wq.W;
    if (l->type == TR_FC) {
        uint32_t C, P;
        const int mode = fc_mode(n, l, &C, &P);
        if (mode == FC_GATHER) { fc_gather(x, B, C, P, l->fc_c != 0, n->cols); x = n->cols; }
        /* dW[M][K] = dz[M][B] . X[B][K] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, mode == FC_KB ? CblasTrans : CblasNoTrans, (int)M, (int)K, (int)B, 1.0f,
                    dz, (int)B, x, mode == FC_KB ? (int)B : (int)K, 0.0f, l->wq.dW, (int)K);
        if (!dx) return;
        if (mode == FC_KB) /* dx[K][B] = W^T . dz */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)B, (int)M, 1.0f, W, (int)K, dz, (int)B,
                        first ? 0.0f : 1.0f, dx, (int)B);
        else { /* [B][K] = dz^T . W */
            float *d = mode == FC_BK ? dx : n->dcols;
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)B, (int)K, (int)M, 1.0f, dz, (int)B, W, (int)K,
                        first || mode == FC_GATHER ? 0.0f : 1.0f, d, (int)K);
            if (mode == FC_GATHER) fc_scatter(n->dcols, B, C, P, l->fc_c != 0, !first, dx);
        }
        return;
    }
    if (tr_dnn_usable(l) && !tr_dnn_backward(l, x, dz, B, l->wq.dW, dx, !first)) return;
    if (dx && first) memset(dx, 0, (size_t)B * l->in_c * l->in_h * l->in_w * sizeof(float));
    const uint32_t cb = conv_chunk(l, B);
    for (uint32_t b0 = 0; b0 < B; b0 += cb) {
        const uint32_t nb = B - b0 < cb ? B - b0 : cb, nbn = nb * N;
        const float *dzc = dz + (size_t)b0 * N;
        im2col(l, x, B, b0, nb, n->cols); /* the forward's columns were overwritten by later chunks and layers */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)K, (int)nbn, 1.0f, dzc, (int)BN, n->cols,
                    (int)nbn, b0 ? 1.0f : 0.0f, l->wq.dW, (int)K);
        if (!dx) continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)nbn, (int)M, 1.0f, W, (int)K, dzc, (int)BN, 0.0f,
                    n->dcols, (int)nbn);
        col2im(l, n->dcols, B, b0, nb, dx);
    }
}

void tr_net_backward(tr_net *n, uint32_t B)
{
    tr_layer *last = &n->L[n->n_layers - 1];
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t c = 0; c < n->n_classes; c++) last->dout[(size_t)c * B + b] = n->dlogits[(size_t)b * n->n_classes + c];
    for (uint32_t i = 0; i + 1 < n->n_layers; i++) n->L[i].dout_set = 0;
    last->dout_set = 1;
    for (int i = (int)n->n_layers - 1; i >= 0; i--) {
        tr_layer *l = &n->L[i];
        uint32_t c, h, w;
        layer_backward(n, l, layer_output(n, l->src, &c, &h, &w), B);
    }
}
