/* SPDX-License-Identifier: Apache-2.0 */
/* The v2 reference (sw/src/ref_graph.c) against an independent double-precision model written from
 * docs/contract.md §7 alone: tensors indexed [c][y][x] (not HWC), no im2col, the padding as a bounds
 * test, the residual and both poolings as formulas. Every layer's output and every logit must be equal,
 * on random graphs with 1-3 input channels (the image's C,H,W order), resnet8 and a description. The
 * weight signs come from the reference's decryption (fx_ref_weight_signs), checked elsewhere. */
#include "test_util.h" /* first: it sets _POSIX_C_SOURCE */
#include "flexor/model_random.h"
#include "flexor/ref.h"
#include "flexor/rng.h"
#include <math.h>

static const fx_hwcfg *cfg;

/* round half up, then the output clamp (contract §4), in doubles: exact below 2^52 */
static double requant_d(double t, uint32_t shift, int relu)
{
    double r = floor(ldexp(t, -(int)shift) + 0.5);
    if (relu) return r < 0 ? 0 : r > 255 ? 255 : r;
    return r < -2147483648.0 ? -2147483648.0 : r > 2147483647.0 ? 2147483647.0 : r;
}

typedef struct { double *v; uint32_t c, h, w; } dtensor; /* v[(c*h + y)*w + x] */

static double at(const dtensor *t, uint32_t c, int64_t y, int64_t x)
{
    return y < 0 || x < 0 || y >= t->h || x >= t->w ? 0.0 : t->v[((size_t)c * t->h + (size_t)y) * t->w + (size_t)x];
}

/* One layer: pre[m][oy][ox] before pooling (what the reference's layer callback sees), then its output. */
static void layer_d(const fx_layer *l, const int8_t *sg, const dtensor *in, const dtensor *res, dtensor *pre, dtensor *out)
{
    uint32_t oh, ow;
    fx_layer_conv_out(l, &oh, &ow);
    *pre = (dtensor){calloc((size_t)l->M * oh * ow + 1, sizeof(double)), l->M, oh, ow};
    for (uint32_t m = 0; m < l->M; m++)
        for (uint32_t oy = 0; oy < oh; oy++)
            for (uint32_t ox = 0; ox < ow; ox++) {
                double s = l->bias[m];
                for (uint32_t k = 0; k < l->K; k++) {
                    double w = 0;
                    for (uint32_t i = 0; i < l->q; i++) w += l->alpha[(size_t)m * l->q + i] * sg[((size_t)i * l->M + m) * l->K + k];
                    const uint32_t c = k % in->c, pos = k / in->c; /* k = (dy*kw + dx)*C + c, FC k = (y*W + x)*C + c */
                    if (l->type == FX_LAYER_FC) s += w * at(in, c, pos / in->w, pos % in->w);
                    else s += w * at(in, c, (int64_t)oy * l->stride + pos / l->kw - l->pad, (int64_t)ox * l->stride + pos % l->kw - l->pad);
                }
                if (l->res_kind == FX_RES_IDENTITY) s += l->beta[m] * at(res, m, oy, ox);
                if (l->res_kind == FX_RES_OPTION_A && m < res->c) s += l->beta[m] * at(res, m, 2 * oy, 2 * ox);
                pre->v[((size_t)m * oh + oy) * ow + ox] = requant_d(s, l->shift, (l->flags & FX_F_RELU_U8) != 0);
            }
    uint32_t c, h, w;
    fx_layer_out_shape(l, &c, &h, &w);
    *out = (dtensor){calloc((size_t)c * h * w + 1, sizeof(double)), c, h, w};
    for (uint32_t m = 0; m < c; m++)
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                double v = 0;
                if (l->pool == FX_POOL_MAX2)
                    for (int d = 0; d < 4; d++) v = fmax(v, at(pre, m, 2 * y + d / 2, 2 * x + d % 2));
                else if (l->pool == FX_POOL_AVG) {
                    for (uint32_t yy = 0; yy < oh; yy++)
                        for (uint32_t xx = 0; xx < ow; xx++) v += at(pre, m, yy, xx);
                    v = requant_d(v * l->avg_mult, l->avg_shift, 1);
                } else
                    v = at(pre, m, y, x);
                out->v[((size_t)m * h + y) * w + x] = v;
            }
}

typedef struct { dtensor pre[FX_MAX_LAYERS]; int bad; } ctx;

static void on_layer(void *user, uint32_t li, const int32_t *out, uint32_t N, uint32_t M)
{
    ctx *c = user;
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t m = 0; m < M; m++)
            if (out[(size_t)n * M + m] != c->pre[li].v[(size_t)m * N + n] && c->bad++ < 5)
                fprintf(stderr, "layer %u n %u m %u: ref %d, double model %.0f\n", li, n, m, out[(size_t)n * M + m],
                        c->pre[li].v[(size_t)m * N + n]);
}

static void compare(const fx_model *m, const uint8_t *img, const char *what)
{
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "%s: %s", what, err); return; }
    dtensor t[FX_MAX_LAYERS + 1];
    ctx c = {.bad = 0};
    t[0] = (dtensor){calloc((size_t)m->in_c * m->in_h * m->in_w, sizeof(double)), m->in_c, m->in_h, m->in_w};
    for (size_t i = 0; i < (size_t)m->in_c * m->in_h * m->in_w; i++) t[0].v[i] = img[i]; /* the image is C,H,W */
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        int8_t *sg = fx_ref_weight_signs(&net, li);
        layer_d(l, sg, &t[l->src], l->res_kind ? &t[l->res_src] : NULL, &c.pre[li], &t[li + 1]);
        free(sg);
    }
    int32_t lg[64];
    const int cls = fx_ref_infer(&net, img, lg, on_layer, &c);
    int dcls = 0;
    const dtensor *o = &t[m->n_layers];
    for (uint32_t k = 0; k < m->n_classes; k++) {
        CHECK(lg[k] == o->v[k], "%s: logit %u ref %d, double model %.0f", what, k, lg[k], o->v[k]);
        if (o->v[k] > o->v[dcls]) dcls = (int)k;
    }
    CHECK(c.bad == 0 && cls == dcls, "%s: %d layer outputs differ, class %d vs %d", what, c.bad, cls, dcls);
    for (uint32_t i = 0; i <= m->n_layers; i++) free(t[i].v);
    for (uint32_t i = 0; i < m->n_layers; i++) free(c.pre[i].v);
    fx_ref_free(&net);
}

/* Like real images: mostly 0, some 255, the rest anything. */
static void image(uint8_t *img, size_t n, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t r = (uint32_t)(fx_splitmix64(rng) >> 32);
        img[i] = r % 8 < 3 ? 0 : r % 8 < 4 ? 255 : (uint8_t)(r >> 8);
    }
}

int main(void)
{
    cfg = fx_hwcfg_builtin();
    uint64_t rng = 77;
    uint8_t img[3 * 28 * 28];
    int graphs = 0, multi = 0;
    for (uint64_t seed = 1; seed <= 80; seed++) {
        fx_model m;
        if (fx_model_random_graph(&m, cfg, seed, 5, NULL)) { CHECK(0, "graph %llu", (unsigned long long)seed); continue; }
        char what[48];
        snprintf(what, sizeof what, "graph %llu", (unsigned long long)seed);
        for (int k = 0; k < 2; k++) {
            image(img, (size_t)m.in_c * m.in_h * m.in_w, &rng);
            compare(&m, img, what);
        }
        multi += m.in_c > 1;
        graphs++;
        fx_model_free(&m);
    }
    fx_model m;
    if (!fx_model_random_resnet8(&m, cfg, 9)) {
        image(img, 784, &rng);
        compare(&m, img, "resnet8");
        fx_model_free(&m);
    } else {
        CHECK(0, "resnet8");
    }
    CHECK(multi > 20, "only %d graphs with a multi-channel image", multi);
    printf("%d random v2 graphs (%d with 2-3 input channels) x 2 images and resnet8: every layer equals the double model\n", graphs,
           multi);
    return t_report("test_ref_v2");
}
