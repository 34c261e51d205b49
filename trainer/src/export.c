/* SPDX-License-Identifier: Apache-2.0 */
/* Export to the integer model of docs/contract.md §4/§6, and the trainer's own integer evaluation of it.
 *
 * Layer l computes in float z = sum_i alpha_i * (B_i . a) + b with a = s_in * a_int (a_int uint8), and
 * the next layer sees a_int' = clamp(round(z / s_out), 0, 255). So
 *   alpha_int_i = round(alpha_i * s_in / s_out * 2^shift),  bias_int = round(b / s_out * 2^shift)
 * with the largest shift <= 39 keeping every |alpha_int| <= 32767. The first layer's input is the raw
 * pixel p: x = (p/255 - mean)/std, so s_in = 1/(255 std) and b absorbs -mean/std * sum_k W[m][k] (also
 * under zero padding: the float model pads with the normalised pixel 0).
 * The last layer is RAW: s_out = 2^-16 (logits with 16 fractional bits). */
#include "tr.h"
#include "flexor/ref.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TR_LOGIT_SCALE (1.0 / 65536.0)

/* Scale of a layer's integer output: uint8 activations of step act_ema/255, or the logits' 2^-16. */
static double out_scale(const tr_layer *L) { return L->last ? TR_LOGIT_SCALE : L->act_ema / 255.0; }

/* Shape and scale of what a layer reads: the raw input pixels (scale 1/(255 std) of the normalised input), or
 * an earlier layer's output. A residual (L->res) meets the layer's sum at its own scale the same way:
 * beta = s_res / s_out (contract §7.2). */
static double source(const tr_net *n, int src, uint32_t *c, uint32_t *h, uint32_t *w)
{
    if (src == TR_SRC_INPUT) { *c = n->in_c; *h = n->in_h; *w = n->in_w; return 1.0 / (255.0 * TR_STD); }
    const tr_layer *S = &n->L[src];
    *c = S->out_c; *h = S->po_h; *w = S->po_w;
    return out_scale(S);
}

/* Source index in model format v2's encoding: 0 the image, L+1 layer L. */
static uint32_t v2_src(int src) { return src == TR_SRC_INPUT ? 0 : (uint32_t)src + 1; }

int tr_net_v2_why(const tr_net *n, char *why, size_t len)
{
    for (uint32_t i = 0; i < n->n_layers; i++) {
        const tr_layer *L = &n->L[i];
        const char *what = NULL;
        if (!L->last && !L->relu)
            what = "no relu: contract v2 keeps every layer's output but the last's as uint8 after ReLU (a projection "
                   "shortcut needs its relu)";
        else if (L->last && (L->pool || L->avgpool)) what = "pools the logits (contract v2 pools uint8 outputs only)";
        else if (L->pool && (L->out_h % 2 || L->out_w % 2)) what = "max-pools an odd-sized output";
        if (what) { snprintf(why, len, "layer %u: %s", i, what); return -1; }
    }
    return 0;
}

/* avg_mult / 2^avg_shift ~ 1/N with the largest shift keeping avg_mult <= 65535 (contract §7.2). */
static void avg_factor(uint32_t N, uint32_t *mult, uint32_t *shift)
{
    uint32_t s = 39;
    while (s > 0 && round(ldexp(1.0, (int)s) / N) > 65535) s--;
    *shift = s;
    *mult = (uint32_t)round(ldexp(1.0, (int)s) / N);
    if (*mult == 0) *mult = 1;
}

int tr_export(tr_net *n, const tr_xor_mode *mode, fx_model *m, char *err, size_t errlen)
{
    char why[256];
    if (!tr_net_exportable(n, why, sizeof why)) { snprintf(err, errlen, "not exportable: %s", why); return -1; }
    if (mode->analog) { snprintf(err, errlen, "not exportable: analog XOR forward"); return -1; }
    const fx_hwcfg *cfg = n->cfg;
    memset(m, 0, sizeof *m);
    m->cfg_hash = fx_hwcfg_hash(cfg);
    m->in_c = n->in_c; m->in_h = n->in_h; m->in_w = n->in_w; m->n_classes = n->n_classes;
    m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed; m->n_layers = n->n_layers;
    const int v2 = n->v2; /* needed by the network or asked for (--format 2): model format v2 */
    if (v2) m->version = FX_FORMAT_V2;
    tr_net_quantize(n, mode);
    for (uint32_t li = 0; li < n->n_layers; li++) {
        tr_layer *L = &n->L[li];
        /* what the layer reads, and at which scale: its source's output (a graph, for model format v2) */
        uint32_t c, h, w;
        const double s_in = source(n, L->src, &c, &h, &w);
        tr_wq *q = &L->wq;
        fx_layer *fl = &m->layers[li];
        fl->type = L->type == TR_FC ? FX_LAYER_FC : FX_LAYER_CONV;
        fl->flags = (q->kind == TR_W_FLEXOR ? FX_F_ENCRYPTED : 0) | (q->straddle ? FX_F_STRADDLE : 0) |
                    (L->last ? 0 : FX_F_RELU_U8);
        fl->q = (uint32_t)q->q; fl->n_in = (uint32_t)q->n_in; fl->M = L->out_c; fl->K = L->K;
        fl->in_c = c; fl->in_h = h; fl->in_w = w; fl->kh = L->kh; fl->kw = L->kw; fl->pool = L->pool;
        double s_res = 0; /* the shortcut's scale (v2) */
        if (v2) {
            uint32_t rc, rh, rw;
            fl->stride = L->type == TR_FC ? 1 : L->stride; fl->pad = L->type == TR_FC ? 0 : L->pad;
            fl->src = v2_src(L->src);
            if (L->res != TR_NO_RES) {
                fl->res_kind = L->res_pad ? FX_RES_OPTION_A : FX_RES_IDENTITY;
                fl->res_src = v2_src(L->res);
                s_res = source(n, L->res, &rc, &rh, &rw);
            }
            if (L->avgpool) { fl->pool = FX_POOL_AVG; avg_factor(L->N, &fl->avg_mult, &fl->avg_shift); }
        }
        if (fx_layer_alloc(fl, cfg->n_out)) { snprintf(err, errlen, "layer %u: out of memory", li); return -1; }
        if (fl->n_slices != q->n_slices) {
            snprintf(err, errlen, "layer %u: slice count %u differs from the library's %u", li, q->n_slices, fl->n_slices);
            return -1;
        }
        const double s_out = out_scale(L);
        const uint32_t M = L->out_c, K = L->K, Q = (uint32_t)q->q;
        double *ar = malloc(sizeof(double) * M * Q), *br = malloc(sizeof(double) * M), *betar = malloc(sizeof(double) * M);
        if (!ar || !br || !betar) { free(ar); free(br); free(betar); snprintf(err, errlen, "out of memory"); return -1; }
        for (uint32_t mm = 0; mm < M; mm++) {
            double b = L->bias.v[mm], gain = 1.0;
            if (L->src == TR_SRC_INPUT) {
                double sw = 0;
                for (uint32_t k = 0; k < K; k++) sw += q->W[(size_t)mm * K + k];
                b -= TR_MEAN / TR_STD * sw;
            }
            if (L->bn) {
                double inv = 1.0 / sqrt((double)L->bn_var[mm] + 1e-5);
                gain = L->gamma.v[mm] * inv;
                b = gain * (b - L->bn_mean[mm]) + L->beta.v[mm];
            }
            for (uint32_t i = 0; i < Q; i++) ar[mm * Q + i] = q->alpha.v[mm * Q + i] * gain * s_in / s_out;
            /* the shortcut adds s_res * r_int in float; the image as shortcut adds the normalised pixel, whose
             * -mean/std the bias absorbs (option A: on the source's channels only) */
            betar[mm] = s_res / s_out;
            if (L->res == TR_SRC_INPUT && mm < n->in_c) b -= TR_MEAN / TR_STD;
            br[mm] = b / s_out;
        }
        /* A diverged training (NaN / inf) would export a well-formed model of garbage: the scales, biases,
         * BN statistics and activation range all reach ar/br; the stored bits come from lat. */
        int finite = isfinite(s_out) && s_out > 0;
        for (uint32_t t = 0; t < M * Q && finite; t++) finite = isfinite(ar[t]);
        for (uint32_t t = 0; t < M && finite; t++) finite = isfinite(br[t]);
        for (size_t t = 0; t < q->lat.n && finite; t++) finite = isfinite(q->lat.v[t]);
        for (uint32_t t = 0; t < M && finite; t++) finite = isfinite(betar[t]);
        if (!finite) {
            free(ar); free(br); free(betar);
            snprintf(err, errlen, "layer %u (%s %ux%u): non-finite parameters (NaN or inf): the training diverged; "
                     "try a lower --lr", li, L->type == TR_FC ? "fc" : "conv", M, K);
            return TR_EXPORT_NONFINITE;
        }
        int shift = 39;
        for (; shift > 0; shift--) {
            double sc = ldexp(1.0, shift);
            int ok = 1;
            for (uint32_t t = 0; t < M * Q && ok; t++) ok = fabs(round(ar[t] * sc)) <= 32767;
            for (uint32_t t = 0; t < M && ok; t++) ok = fabs(round(br[t] * sc)) <= 2147483647.0;
            for (uint32_t t = 0; t < M && ok && fl->beta; t++) ok = fabs(round(betar[t] * sc)) <= 32767;
            if (ok) break;
        }
        fl->shift = (uint32_t)shift;
        const double sc = ldexp(1.0, shift);
        for (uint32_t t = 0; t < M * Q; t++) {
            double v = round(ar[t] * sc);
            fl->alpha[t] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        }
        for (uint32_t t = 0; t < M; t++) {
            double v = round(br[t] * sc);
            fl->bias[t] = (int32_t)(v > 2147483647.0 ? 2147483647.0 : v < -2147483648.0 ? -2147483648.0 : v);
        }
        for (uint32_t t = 0; t < M && fl->beta; t++) {
            double v = round(betar[t] * sc);
            fl->beta[t] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        }
        free(ar); free(br); free(betar);
        /* stored bits: signs of x_e (FleXOR) or of the latent weights (unencrypted planes) */
        const uint32_t ns = q->n_slices, nin = (uint32_t)q->n_in, no = cfg->n_out;
        for (uint32_t i = 0; i < Q; i++)
            for (uint32_t s = 0; s < ns; s++) {
                uint32_t v = 0;
                if (q->kind == TR_W_FLEXOR) {
                    const float *x = q->lat.v + ((size_t)i * ns + s) * nin;
                    for (uint32_t j = 0; j < nin; j++) v |= (x[j] >= 0 ? 1u : 0u) << j;
                } else {
                    for (uint32_t r = 0; r < no; r++) {
                        uint64_t t = (uint64_t)s * no + r;
                        uint32_t mm, k;
                        if (q->straddle) { mm = (uint32_t)(t / K); k = (uint32_t)(t % K); if (mm >= M) continue; }
                        else { mm = (uint32_t)(t / (q->CH * no)); k = (uint32_t)(t % (q->CH * no)); if (k >= K) continue; }
                        v |= (q->lat.v[(size_t)i * M * K + (size_t)mm * K + k] >= 0 ? 1u : 0u) << r;
                    }
                }
                fl->slices[(size_t)i * ns + s] = v;
            }
    }
    return 0;
}

/* ±1 weight planes of an exported layer, decrypted from its stored slices (own parity, contract §2/§3). */
static float *int_planes(const fx_model *m, const fx_layer *l)
{
    fx_mxor mx;
    if (l->flags & FX_F_ENCRYPTED) {
        if (fx_mxor_generate(m->seed, l->n_in, m->n_out, m->n_tap, &mx)) return NULL;
    } else {
        fx_mxor_identity(m->n_out, &mx);
    }
    const uint32_t no = m->n_out, CH = (l->K + no - 1) / no;
    float *B = malloc(sizeof(float) * l->q * l->M * l->K);
    if (!B) return NULL;
    for (uint32_t i = 0; i < l->q; i++)
        for (uint32_t mm = 0; mm < l->M; mm++)
            for (uint32_t k = 0; k < l->K; k++) {
                uint64_t t = (l->flags & FX_F_STRADDLE) ? (uint64_t)mm * l->K + k : (uint64_t)mm * CH * no + k;
                uint64_t s = t / no;
                uint32_t x = s < l->n_slices ? l->slices[(size_t)i * l->n_slices + s] : 0;
                uint32_t bit = (uint32_t)__builtin_parity(mx.row[t % no] & x);
                B[((size_t)i * l->M + mm) * l->K + k] = bit ? 1.0f : -1.0f;
            }
    return B;
}

/* A version-2 graph on the library's reference (the trainer's own evaluation runs chains only), in the
 * configuration it was exported for. */
static double ref_eval(const fx_model *m, const fx_hwcfg *cfg, const uint8_t *img, const uint8_t *lab, uint32_t count, int32_t *logits)
{
    fx_ref_net rn;
    char err[256];
    int32_t lg[TR_CLASSES];
    if (m->n_classes > TR_CLASSES || fx_ref_prepare(&rn, m, cfg, err, sizeof err)) return -1;
    const size_t px = (size_t)m->in_c * m->in_h * m->in_w;
    uint64_t ok = 0;
    for (uint32_t i = 0; i < count; i++) {
        ok += fx_ref_infer(&rn, img + (size_t)i * px, lg, NULL, NULL) == lab[i];
        if (logits) memcpy(logits + (size_t)i * m->n_classes, lg, m->n_classes * sizeof(int32_t));
    }
    fx_ref_free(&rn);
    return count ? 100.0 * (double)ok / count : 0;
}

/* A version-2 model that is a chain (each layer reads the one before, no residual, no average pooling):
 * the own evaluation below runs it in contract §7.1's HWC layout and K order, an implementation apart
 * from the library's graph reference to check --format 2 exports against. */
static int v2_chain(const fx_model *m)
{
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        if (l->src != li || l->res_kind != FX_RES_NONE || l->pool == FX_POOL_AVG) return 0;
    }
    return 1;
}

/* im2col of one image's conv input a (C x H x W) into columns row k, column b*N + n of a BN-wide
 * matrix: v1 K order (c,dy,dx) on a CHW tensor, v2 (dy,dx,c) on an HWC one with stride, padding 0. */
static void int_im2col(const fx_layer *l, int hwc, const uint8_t *a, uint32_t oh, uint32_t ow, float *cols, size_t BN,
                       uint32_t b)
{
    const uint32_t C = l->in_c, H = l->in_h, W = l->in_w, N = oh * ow;
    const uint32_t s = l->stride ? l->stride : 1, p = l->pad;
    for (uint32_t ci = 0; ci < C; ci++)
        for (uint32_t dy = 0; dy < l->kh; dy++)
            for (uint32_t dx = 0; dx < l->kw; dx++) {
                const uint32_t k = hwc ? (dy * l->kw + dx) * C + ci : (ci * l->kh + dy) * l->kw + dx;
                float *row = cols + (size_t)k * BN + (size_t)b * N;
                for (uint32_t y = 0; y < oh; y++)
                    for (uint32_t x = 0; x < ow; x++) {
                        const int64_t iy = (int64_t)y * s + dy - p, ix = (int64_t)x * s + dx - p;
                        const int in = iy >= 0 && iy < H && ix >= 0 && ix < W;
                        const size_t at = hwc ? ((size_t)iy * W + (size_t)ix) * C + ci : ((size_t)ci * H + (size_t)iy) * W + (size_t)ix;
                        row[y * ow + x] = in ? a[at] : 0.0f;
                    }
            }
}

double tr_int_eval(const fx_model *m, const fx_hwcfg *cfg, const uint8_t *img, const uint8_t *lab, uint32_t count, int32_t *logits)
{
    const int hwc = m->version == FX_FORMAT_V2;
    if (hwc && !v2_chain(m)) return ref_eval(m, cfg, img, lab, count, logits);
    enum { BATCH = 64 };
    float *planes[FX_MAX_LAYERS] = {0};
    size_t maxact = (size_t)m->in_c * m->in_h * m->in_w, maxcols = 0, maxacc = 0;
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        planes[li] = int_planes(m, l);
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        const uint32_t N = oh * ow;
        size_t pre = (size_t)l->M * N;
        if (pre > maxact) maxact = pre;
        if ((size_t)l->K * N > maxcols) maxcols = (size_t)l->K * N;
        if ((size_t)l->q * l->M * N > maxacc) maxacc = (size_t)l->q * l->M * N;
    }
    float *cols = malloc(sizeof(float) * maxcols * BATCH), *acc = malloc(sizeof(float) * maxacc * BATCH);
    uint8_t *a = malloc(maxact * BATCH), *b2 = malloc(maxact * BATCH);
    int32_t *out = malloc(sizeof(int32_t) * maxact * BATCH);
    double res = -1;
    uint64_t ok = 0;
    for (uint32_t li = 0; li < m->n_layers; li++) if (!planes[li]) goto done;
    if (!cols || !acc || !a || !b2 || !out) goto done;
    const size_t px = (size_t)m->in_c * m->in_h * m->in_w;
    for (uint32_t s0 = 0; s0 < count; s0 += BATCH) {
        const uint32_t B = count - s0 < BATCH ? count - s0 : BATCH;
        memcpy(a, img + (size_t)s0 * px, B * px);
        for (uint32_t li = 0; li < m->n_layers; li++) {
            const fx_layer *l = &m->layers[li];
            const int fc = l->type == FX_LAYER_FC;
            uint32_t oh, ow;
            fx_layer_conv_out(l, &oh, &ow);
            const uint32_t N = oh * ow, BN = B * N, M = l->M;
            const size_t insz = (size_t)l->in_c * l->in_h * l->in_w;
            /* an FC reads its input flattened in layout order: CHW (v1), HWC (v2), both the buffer's order */
            if (fc)
                for (uint32_t b = 0; b < B; b++)
                    for (uint32_t k = 0; k < l->K; k++) cols[(size_t)k * BN + b] = a[b * insz + k];
            else
                for (uint32_t b = 0; b < B; b++) int_im2col(l, hwc, a + b * insz, oh, ow, cols, BN, b);
            /* |acc| <= 255*K < 2^24: float sums of these integers are exact in any order */
            for (uint32_t i = 0; i < l->q; i++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)BN, (int)l->K, 1.0f,
                            planes[li] + (size_t)i * M * l->K, (int)l->K, cols, (int)BN, 0.0f, acc + (size_t)i * M * BN,
                            (int)BN);
            const int relu = (l->flags & FX_F_RELU_U8) != 0;
            for (uint32_t b = 0; b < B; b++)
                for (uint32_t mm = 0; mm < M; mm++)
                    for (uint32_t j = 0; j < N; j++) {
                        int64_t t = l->bias[mm];
                        for (uint32_t i = 0; i < l->q; i++)
                            t += (int64_t)l->alpha[mm * l->q + i] * (int64_t)acc[((size_t)i * M + mm) * BN + (size_t)b * N + j];
                        int64_t r = (t + (l->shift ? (int64_t)1 << (l->shift - 1) : 0)) >> l->shift;
                        if (relu) r = r < 0 ? 0 : r > 255 ? 255 : r;
                        else r = r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : r;
                        out[((size_t)b * M + mm) * N + j] = (int32_t)r;
                    }
            if (!relu) break; /* the last layer */
            uint32_t oc, ph, pw;
            fx_layer_out_shape(l, &oc, &ph, &pw);
            const size_t osz = (size_t)oc * ph * pw;
            for (uint32_t b = 0; b < B; b++)
                for (uint32_t mm = 0; mm < M; mm++)
                    for (uint32_t y = 0; y < ph; y++)
                        for (uint32_t x = 0; x < pw; x++) {
                            const int32_t *o = out + ((size_t)b * M + mm) * N;
                            int32_t v;
                            if (l->pool == 2) {
                                v = o[2 * y * ow + 2 * x];
                                if (o[2 * y * ow + 2 * x + 1] > v) v = o[2 * y * ow + 2 * x + 1];
                                if (o[(2 * y + 1) * ow + 2 * x] > v) v = o[(2 * y + 1) * ow + 2 * x];
                                if (o[(2 * y + 1) * ow + 2 * x + 1] > v) v = o[(2 * y + 1) * ow + 2 * x + 1];
                            } else {
                                v = o[y * ow + x];
                            }
                            b2[b * osz + (hwc ? ((size_t)y * pw + x) * oc + mm : ((size_t)mm * ph + y) * pw + x)] = (uint8_t)v;
                        }
            uint8_t *t = a; a = b2; b2 = t;
        }
        const uint32_t C = m->n_classes;
        for (uint32_t b = 0; b < B; b++) {
            const int32_t *z = out + (size_t)b * C;
            uint32_t arg = 0;
            for (uint32_t c2 = 1; c2 < C; c2++) if (z[c2] > z[arg]) arg = c2;
            ok += arg == lab[s0 + b];
            if (logits) memcpy(logits + (size_t)(s0 + b) * C, z, C * sizeof(int32_t));
        }
    }
    res = count ? 100.0 * (double)ok / count : 0;
done:
    for (uint32_t li = 0; li < m->n_layers; li++) free(planes[li]);
    free(cols); free(acc); free(a); free(b2); free(out);
    return res;
}
