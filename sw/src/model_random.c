/* SPDX-License-Identifier: Apache-2.0 */
/* Random valid models (see flexor/model_random.h): three generators with their own streams over one set
 * of helpers (layer shapes, N_in/q draws, filling and validation). */
#include "flexor/model_random.h"
#include "flexor/driver.h"
#include "flexor/netmodel.h"
#include "flexor/rng.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_layer_randomize(fx_layer *l, uint32_t n_out, double act_rms, uint64_t *rng)
{
    const uint32_t in_mask = l->n_in >= 32 ? 0xFFFFFFFFu : (1u << l->n_in) - 1u;
    for (size_t s = 0; s < (size_t)l->n_slices * l->q; s++) l->slices[s] = (uint32_t)fx_splitmix64(rng) & in_mask;
    double a2 = 0;
    for (uint32_t m = 0; m < l->M; m++)
        for (uint32_t i = 0; i < l->q; i++) {
            /* binary-code-like planes: α halves from plane to plane */
            int a = (int)(32 + fx_splitmix64(rng) % 33) << (l->q - 1 - i);
            l->alpha[(size_t)m * l->q + i] = (int16_t)a;
            if (m == 0) a2 += (double)a * a;
        }
    /* t has RMS about sqrt(Σα²)·sqrt(K)·act_rms for random signs; aim the requantized value at ~64 */
    double t_rms = sqrt(a2) * sqrt((double)l->K) * act_rms;
    int sh = (int)lround(log2(t_rms / 64.0));
    l->shift = (uint32_t)(sh < 0 ? 0 : sh > 39 ? 39 : sh);
    int64_t bmax = (int64_t)1 << (l->shift + 4 < 30 ? l->shift + 4 : 30);
    for (uint32_t m = 0; m < l->M; m++) l->bias[m] = (int32_t)((int64_t)(fx_splitmix64(rng) % (uint64_t)(2 * bmax + 1)) - bmax);
    (void)n_out;
}

static uint32_t rnd(uint64_t *s, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(fx_splitmix64(s) % ((uint64_t)hi - lo + 1));
}

/* An empty model for cfg with input c×h×w. */
static void model_start(fx_model *m, const fx_hwcfg *cfg, uint32_t c, uint32_t h, uint32_t w)
{
    memset(m, 0, sizeof *m);
    m->cfg_hash = fx_hwcfg_hash(cfg);
    m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    m->in_c = c; m->in_h = h; m->in_w = w;
}

/* Appends a layer of the given shape reading c×h×w (square kernel k for CONV), which become its output
 * shape. An unencrypted layer takes N_in = N_out. */
static fx_layer *push_layer(fx_model *m, uint32_t type, uint32_t flags, uint32_t n_in, uint32_t q, uint32_t M,
                            uint32_t k, uint32_t pool, uint32_t *c, uint32_t *h, uint32_t *w)
{
    fx_layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->type = type;
    l->flags = flags;
    l->n_in = (flags & FX_F_ENCRYPTED) ? n_in : m->n_out;
    l->q = q;
    l->M = M;
    l->in_c = *c; l->in_h = *h; l->in_w = *w;
    l->kh = l->kw = type == FX_LAYER_CONV ? k : 1;
    l->K = type == FX_LAYER_CONV ? *c * k * k : *c * *h * *w;
    l->pool = pool;
    fx_layer_out_shape(l, c, h, w);
    return l;
}

/* Random N_in (encrypted layers) and q, in this order: one draw each. */
static void draw_nin_q(fx_layer *l, const fx_hwcfg *cfg, uint64_t *s)
{
    l->n_in = (l->flags & FX_F_ENCRYPTED) ? cfg->n_in[rnd(s, 0, cfg->n_in_count - 1)] : cfg->n_out;
    l->q = rnd(s, 1, cfg->q_max);
}

/* The shapes are set: allocates every layer and fills it from *s (the first layer's input RMS in_rms,
 * the others 45), the class count from the last layer. Returns -1 when a layer does not fit cfg. */
static int fill_layers(fx_model *m, const fx_hwcfg *cfg, double in_rms, uint64_t *s)
{
    m->n_classes = m->layers[m->n_layers - 1].M;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        fx_layer *l = &m->layers[i];
        if (l->K > cfg->k_max || fx_layer_alloc(l, m->n_out)) return -1;
        fx_layer_randomize(l, m->n_out, i ? 45.0 : in_rms, s);
    }
    char err[256];
    return fx_model_validate(m, cfg, err, sizeof err) ? -1 : 0;
}

static uint32_t mid_nin(const fx_hwcfg *cfg)
{
    for (uint32_t i = 0; i < cfg->n_in_count; i++)
        if (cfg->n_in[i] == 16) return 16;
    return cfg->n_in[cfg->n_in_count / 2];
}

int fx_model_random(fx_model *m, const fx_hwcfg *cfg, const char *arch, uint32_t flags_extra, uint64_t seed)
{
    model_start(m, cfg, 1, 28, 28);
    const uint32_t nin = mid_nin(cfg), fx = flags_extra & FX_F_ALL, q1 = cfg->q_max < 4 ? cfg->q_max : 4;
    const uint32_t plain = FX_F_RELU_U8 | fx, enc = plain | FX_F_ENCRYPTED;
    uint32_t c = 1, h = 28, w = 28;
    if (!strcmp(arch, "mlp")) {
        push_layer(m, FX_LAYER_FC, plain, nin, q1, 512, 1, 0, &c, &h, &w);
        push_layer(m, FX_LAYER_FC, enc, nin, 1, 512, 1, 0, &c, &h, &w);
        push_layer(m, FX_LAYER_FC, plain, nin, q1, 10, 1, 0, &c, &h, &w);
    } else if (!strcmp(arch, "lenet")) {
        push_layer(m, FX_LAYER_CONV, plain, nin, q1, 32, 5, 2, &c, &h, &w);
        push_layer(m, FX_LAYER_CONV, enc, nin, 1, 64, 5, 2, &c, &h, &w);
        push_layer(m, FX_LAYER_FC, enc, nin, 1, 512, 1, 0, &c, &h, &w);
        push_layer(m, FX_LAYER_FC, plain, nin, q1, 10, 1, 0, &c, &h, &w);
    } else if (!strcmp(arch, "wide")) { /* the most classes the format allows (65,536): bounded-output tests */
        push_layer(m, FX_LAYER_FC, plain, nin, 1, 65536, 1, 0, &c, &h, &w);
    } else {
        return -1;
    }
    m->layers[m->n_layers - 1].flags &= ~FX_F_RELU_U8;
    uint64_t rng = seed;
    if (fill_layers(m, cfg, 100.0, &rng)) { fx_model_free(m); return -1; }
    return 0;
}

int fx_model_random_net(fx_model *m, const fx_hwcfg *cfg, uint64_t seed, uint32_t max_layers)
{
    uint64_t s = seed ^ 0x5EEDF00Dull;
    uint32_t c = rnd(&s, 1, 3), h = rnd(&s, 1, 12), w = rnd(&s, 1, 12);
    if (rnd(&s, 0, 1)) h = w = rnd(&s, 1, 12);
    model_start(m, cfg, c, h, w);
    const uint32_t nl = rnd(&s, 1, max_layers < 1 ? 1 : max_layers > FX_MAX_LAYERS ? FX_MAX_LAYERS : max_layers);
    for (uint32_t i = 0; i < nl; i++) {
        fx_layer *l = &m->layers[m->n_layers++];
        memset(l, 0, sizeof *l);
        const int last = i + 1 == nl;
        const int conv = (h > 1 || w > 1) && rnd(&s, 0, 2) != 0;
        l->type = conv ? FX_LAYER_CONV : FX_LAYER_FC;
        l->flags = (rnd(&s, 0, 1) ? FX_F_ENCRYPTED : 0) | (rnd(&s, 0, 1) ? FX_F_STRADDLE : 0) |
                   (!last || rnd(&s, 0, 3) == 0 ? FX_F_RELU_U8 : 0);
        draw_nin_q(l, cfg, &s);
        /* more than one group of lanes now and then */
        l->M = rnd(&s, 0, 3) == 0 ? rnd(&s, 1, 2 * cfg->lanes + 3) : rnd(&s, 1, 12);
        l->in_c = c; l->in_h = h; l->in_w = w;
        if (conv) {
            l->kh = rnd(&s, 1, h < 5 ? h : 5);
            l->kw = rnd(&s, 0, 1) ? l->kh <= w ? l->kh : w : rnd(&s, 1, w < 5 ? w : 5);
            l->K = c * l->kh * l->kw;
            const uint32_t oh = h - l->kh + 1, ow = w - l->kw + 1;
            if (!(oh & 1) && !(ow & 1) && (l->flags & FX_F_RELU_U8) && rnd(&s, 0, 1)) l->pool = 2;
            const uint32_t cap = cfg->k_max / (oh * ow); /* a following FC layer must fit k_max */
            if (l->M > cap) l->M = cap ? cap : 1;
        } else {
            l->kh = l->kw = 1;
            l->K = c * h * w;
        }
        if (l->K > cfg->k_max) { fx_model_free(m); return -1; }
        fx_layer_out_shape(l, &c, &h, &w);
    }
    if (fill_layers(m, cfg, 100.0, &s)) { fx_model_free(m); return -1; }
    return 0;
}

/* One draw of fx_accel_random_model: a random layer whose M was drawn by the caller (the stream's order). */
static void accel_layer(fx_model *m, const fx_hwcfg *cfg, uint64_t *s, uint32_t type, uint32_t M, uint32_t k,
                        uint32_t pool, uint32_t *c, uint32_t *h, uint32_t *w)
{
    const uint32_t flags = FX_F_RELU_U8 | (rnd(s, 0, 1) ? FX_F_ENCRYPTED : 0) | (rnd(s, 0, 1) ? FX_F_STRADDLE : 0);
    fx_layer *l = push_layer(m, type, flags, 0, 0, M, k, pool, c, h, w);
    draw_nin_q(l, cfg, s);
}

static int accel_attempt(fx_model *m, const fx_hwcfg *cfg, uint64_t *s)
{
    uint32_t c = rnd(s, 1, 3), h = rnd(s, 5, 12), w = rnd(s, 5, 12);
    model_start(m, cfg, c, h, w);
    for (uint32_t i = 0, nconv = rnd(s, 0, 2); i < nconv; i++) {
        uint32_t k = rnd(s, 1, (h < w ? h : w) < 4 ? (h < w ? h : w) : 4), oh = h - k + 1, ow = w - k + 1;
        uint32_t pool = (oh % 2 == 0 && ow % 2 == 0 && rnd(s, 0, 1)) ? 2 : 0;
        accel_layer(m, cfg, s, FX_LAYER_CONV, rnd(s, 1, 3 * cfg->lanes + 1), k, pool, &c, &h, &w);
    }
    for (uint32_t i = 0, nfc = rnd(s, 1, 3); i < nfc; i++)
        accel_layer(m, cfg, s, FX_LAYER_FC, i + 1 == nfc ? rnd(s, 2, 12) : rnd(s, 1, 2 * cfg->n_out + 3), 1, 0, &c, &h,
                    &w);
    m->layers[m->n_layers - 1].flags &= ~FX_F_RELU_U8;
    if (fill_layers(m, cfg, 147.0, s)) return -1;
    char err[256];
    fx_plan plan;
    return fx_driver_plan(cfg, m, &plan, err, sizeof err) ? -1 : 0;
}

int fx_accel_random_model(fx_model *m, const fx_hwcfg *cfg, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int tries = 0; tries < 100; tries++) {
        if (!accel_attempt(m, cfg, &s)) return 0;
        fx_model_free(m);
    }
    return -1;
}

/* ---- version-2 models (contract §7): graphs with stride, padding, residuals and average pooling ---- */

typedef struct { uint32_t c, h, w; } v2shape;

/* Appends a version-2 layer reading tensor src (0 the image, L+1 layer L) of shape *in; returns it with
 * its geometry set (the caller sets the residual and the pooling). */
static fx_layer *v2_push(fx_model *m, uint32_t type, uint32_t flags, uint32_t q, uint32_t M, uint32_t kh, uint32_t kw,
                         uint32_t stride, uint32_t pad, uint32_t src, v2shape in)
{
    fx_layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->type = type; l->flags = flags; l->q = q; l->M = M; l->n_in = m->n_out;
    l->in_c = in.c; l->in_h = in.h; l->in_w = in.w;
    l->kh = type == FX_LAYER_CONV ? kh : 1; l->kw = type == FX_LAYER_CONV ? kw : 1;
    l->K = type == FX_LAYER_CONV ? in.c * kh * kw : in.c * in.h * in.w;
    l->stride = type == FX_LAYER_CONV ? stride : 1;
    l->pad = type == FX_LAYER_CONV ? pad : 0;
    l->src = src;
    return l;
}

static v2shape v2_out(const fx_layer *l)
{
    v2shape s;
    fx_layer_out_shape(l, &s.c, &s.h, &s.w);
    return s;
}

/* Global average pooling with avg_mult/2^avg_shift close to 1/(h*w). */
static void v2_avgpool(fx_layer *l)
{
    uint32_t h, w;
    fx_layer_conv_out(l, &h, &w);
    l->pool = FX_POOL_AVG;
    l->avg_shift = 15;
    l->avg_mult = (uint32_t)((32768ull + (uint64_t)h * w / 2) / ((uint64_t)h * w));
    if (!l->avg_mult) l->avg_mult = 1;
}

/* Allocate and fill every layer (fill_layers), then β of the residual layers: about 2^shift, so that the
 * shortcut enters the output at roughly unit scale. */
static int v2_fill(fx_model *m, const fx_hwcfg *cfg, uint64_t *s)
{
    m->version = FX_FORMAT_V2;
    if (fill_layers(m, cfg, 100.0, s)) return -1;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        fx_layer *l = &m->layers[i];
        const int64_t scale = (int64_t)1 << (l->shift < 14 ? l->shift : 14);
        for (uint32_t k = 0; l->beta && k < l->M; k++)
            l->beta[k] = (int16_t)(scale / 2 + (int64_t)(fx_splitmix64(s) % (uint64_t)scale));
    }
    char err[256];
    return fx_model_validate(m, cfg, err, sizeof err) ? -1 : 0;
}

int fx_model_random_resnet8(fx_model *m, const fx_hwcfg *cfg, uint64_t seed)
{
    model_start(m, cfg, 1, 28, 28);
    const uint32_t nin = mid_nin(cfg), q1 = cfg->q_max < 4 ? cfg->q_max : 4;
    const uint32_t plain = FX_F_RELU_U8, enc = plain | FX_F_ENCRYPTED;
    const v2shape img = {1, 28, 28};
    fx_layer *l;
    v2_push(m, FX_LAYER_CONV, plain, q1, 16, 3, 3, 1, 1, 0, img);                               /* L0 stem */
    v2_push(m, FX_LAYER_CONV, enc, 1, 16, 3, 3, 1, 1, 1, v2_out(&m->layers[0]));                 /* L1 */
    l = v2_push(m, FX_LAYER_CONV, enc, 1, 16, 3, 3, 1, 1, 2, v2_out(&m->layers[1]));             /* L2 + L0 */
    l->res_kind = FX_RES_IDENTITY; l->res_src = 1;
    v2_push(m, FX_LAYER_CONV, enc, 1, 32, 3, 3, 2, 1, 3, v2_out(&m->layers[2]));                 /* L3 28->14 */
    l = v2_push(m, FX_LAYER_CONV, enc, 1, 32, 3, 3, 1, 1, 4, v2_out(&m->layers[3]));             /* L4 + A(L2) */
    l->res_kind = FX_RES_OPTION_A; l->res_src = 3;
    v2_push(m, FX_LAYER_CONV, enc, 1, 64, 3, 3, 2, 1, 5, v2_out(&m->layers[4]));                 /* L5 14->7 */
    v2_push(m, FX_LAYER_CONV, enc, 1, 64, 1, 1, 2, 0, 5, v2_out(&m->layers[4]));                 /* L6 1x1 s2 */
    l = v2_push(m, FX_LAYER_CONV, enc, 1, 64, 3, 3, 1, 1, 6, v2_out(&m->layers[5]));             /* L7 + L6 */
    l->res_kind = FX_RES_IDENTITY; l->res_src = 7;
    v2_avgpool(l);
    v2_push(m, FX_LAYER_FC, 0, q1, 10, 1, 1, 1, 0, 8, v2_out(&m->layers[7]));                    /* L8 logits */
    for (uint32_t i = 0; i < m->n_layers; i++)
        if (m->layers[i].flags & FX_F_ENCRYPTED) m->layers[i].n_in = nin;
    uint64_t rng = seed;
    if (v2_fill(m, cfg, &rng)) { fx_model_free(m); return -1; }
    return 0;
}

/* Random encryption, layout, N_in and q of a middle layer (RELU_U8). */
static uint32_t v2_flags(uint64_t *s) { return FX_F_RELU_U8 | (rnd(s, 0, 1) ? FX_F_ENCRYPTED : 0) | (rnd(s, 0, 1) ? FX_F_STRADDLE : 0); }

/* One random conv reading tensor src of shape in: any kernel (1..4 x 1..4 fitting the padded input),
 * padding below the kernel, stride 1..2. */
static fx_layer *v2_random_conv(fx_model *m, const fx_hwcfg *cfg, uint64_t *s, uint32_t src, v2shape in, uint32_t M)
{
    uint32_t kh = rnd(s, 1, 4), kw = rnd(s, 0, 1) ? kh : rnd(s, 1, 4);
    uint32_t pad = rnd(s, 0, (kh < kw ? kh : kw) - 1);
    while (kh > in.h + 2 * pad) kh--;
    while (kw > in.w + 2 * pad) kw--;
    if (pad >= kh || pad >= kw) pad = (kh < kw ? kh : kw) - 1;
    fx_layer *l = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, M, kh, kw, rnd(s, 1, 2), pad, src, in);
    draw_nin_q(l, cfg, s);
    return l;
}

/* A residual block on tensor x (index xi): conv (stride 1 or 2, 'same' padding) then conv with the
 * shortcut: identity (stride 1), option A or a 1x1 stride-2 projection layer (stride 2). */
static void v2_block(fx_model *m, const fx_hwcfg *cfg, uint64_t *s, uint32_t *xi, v2shape *x)
{
    const uint32_t k = 2 * rnd(s, 0, 1) + 1, st = x->h > 2 && x->w > 2 ? rnd(s, 1, 2) : 1;
    const uint32_t M = st == 1 ? x->c : x->c + rnd(s, 0, 4);
    fx_layer *a = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, M, k, k, st, k / 2, *xi, *x);
    draw_nin_q(a, cfg, s);
    const uint32_t ai = m->n_layers;
    uint32_t res_src = *xi, kind = FX_RES_IDENTITY;
    if (st == 2 && rnd(s, 0, 1)) {
        fx_layer *p = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, M, 1, 1, 2, 0, *xi, *x);
        draw_nin_q(p, cfg, s);
        res_src = m->n_layers;
    } else if (st == 2) {
        kind = FX_RES_OPTION_A;
    }
    fx_layer *b = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, M, k, k, 1, k / 2, ai, v2_out(&m->layers[ai - 1]));
    draw_nin_q(b, cfg, s);
    b->res_kind = kind;
    b->res_src = res_src;
    *xi = m->n_layers;
    *x = v2_out(b);
}

static int graph_attempt(fx_model *m, const fx_hwcfg *cfg, uint64_t s, uint32_t max_blocks, const uint32_t *in)
{
    v2shape x = {rnd(&s, 1, 3), rnd(&s, 3, 12), rnd(&s, 3, 12)};
    if (in) x = (v2shape){in[0], in[1], in[2]};
    model_start(m, cfg, x.c, x.h, x.w);
    uint32_t xi = 0;
    const uint32_t nb = rnd(&s, 1, max_blocks < 1 ? 1 : max_blocks > 8 ? 8 : max_blocks);
    for (uint32_t b = 0; b < nb && m->n_layers + 4 < FX_MAX_LAYERS; b++) {
        if (xi && rnd(&s, 0, 1)) {
            v2_block(m, cfg, &s, &xi, &x);
            continue;
        }
        fx_layer *l = v2_random_conv(m, cfg, &s, xi, x, rnd(&s, 0, 3) ? rnd(&s, 1, 12) : rnd(&s, 1, 2 * cfg->lanes + 3));
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        if (!((oh | ow) & 1) && rnd(&s, 0, 2) == 0) l->pool = FX_POOL_MAX2;
        xi = m->n_layers;
        x = v2_out(l);
    }
    fx_layer *last = &m->layers[m->n_layers - 1];
    const uint32_t classes = rnd(&s, 2, 12), end = rnd(&s, 0, 2);
    if (end == 0 && !last->res_kind) { /* global average pooling on the last conv, then fc */
        v2_avgpool(last);
        x = v2_out(last);
    } else if (end == 1 && (x.h > 1 || x.w > 1)) { /* a conv whose kernel covers the input: 1x1 output */
        fx_layer *l = v2_push(m, FX_LAYER_CONV, v2_flags(&s), 1, rnd(&s, 1, 12), x.h, x.w, 1, 0, xi, x);
        draw_nin_q(l, cfg, &s);
        xi = m->n_layers;
        x = v2_out(l);
    }
    fx_layer *fc = v2_push(m, FX_LAYER_FC, v2_flags(&s) & ~FX_F_RELU_U8, 1, classes, 1, 1, 1, 0, xi, x); /* HWC flatten */
    draw_nin_q(fc, cfg, &s);
    for (uint32_t i = 0; i < m->n_layers; i++)
        if (m->layers[i].K > cfg->k_max) { fx_model_free(m); return -1; }
    if (v2_fill(m, cfg, &s)) { fx_model_free(m); return -1; }
    return 0;
}

int fx_model_random_graph(fx_model *m, const fx_hwcfg *cfg, uint64_t seed, uint32_t max_blocks, const uint32_t *in_chw)
{
    uint64_t s = seed ^ 0x6A09E667F3BCC908ull;
    for (int tries = 0; tries < 100; tries++) /* a draw too large for cfg (K > k_max): the next one */
        if (!graph_attempt(m, cfg, fx_splitmix64(&s), max_blocks, in_chw)) return 0;
    return -1;
}

/* One draw of fx_model_random_chain: convs with any kernel 1..4 fitting the padded input, padding below
 * the kernel, stride 1..4, sometimes max-pooled; then maybe a hidden FC; then the logits layer: an FC,
 * a conv covering its input (RAW) or a conv to 2x2 max-pooled to 1x1 (RELU_U8). */
static int chain_attempt(fx_model *m, const fx_hwcfg *cfg, uint64_t *s)
{
    v2shape x = {rnd(s, 1, 3), rnd(s, 3, 14), rnd(s, 3, 14)};
    model_start(m, cfg, x.c, x.h, x.w);
    for (uint32_t i = 0, nconv = rnd(s, 1, 3); i < nconv; i++) {
        uint32_t kh = rnd(s, 1, 4), kw = rnd(s, 0, 1) ? kh : rnd(s, 1, 4);
        uint32_t pad = rnd(s, 0, (kh < kw ? kh : kw) - 1);
        while (kh > x.h + 2 * pad) kh--;
        while (kw > x.w + 2 * pad) kw--;
        if (pad >= kh || pad >= kw) pad = (kh < kw ? kh : kw) - 1;
        const uint32_t M = rnd(s, 0, 2) ? rnd(s, 1, 12) : rnd(s, 1, 2 * cfg->lanes + 3);
        fx_layer *l = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, M, kh, kw, rnd(s, 1, 4), pad, m->n_layers, x);
        draw_nin_q(l, cfg, s);
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        if (!((oh | ow) & 1) && rnd(s, 0, 1)) l->pool = FX_POOL_MAX2;
        x = v2_out(l);
    }
    if (rnd(s, 0, 2) == 0) { /* a hidden FC layer */
        fx_layer *l = v2_push(m, FX_LAYER_FC, v2_flags(s), 1, rnd(s, 1, 2 * cfg->n_out + 3), 1, 1, 1, 0, m->n_layers, x);
        draw_nin_q(l, cfg, s);
        x = v2_out(l);
    }
    const uint32_t classes = rnd(s, 2, 12), end = rnd(s, 0, 3);
    fx_layer *l;
    if (end == 1 && (x.h > 1 || x.w > 1)) { /* a conv covering the input: 1x1 output */
        l = v2_push(m, FX_LAYER_CONV, v2_flags(s) & ~FX_F_RELU_U8, 1, classes, x.h, x.w, 1, 0, m->n_layers, x);
    } else if (end == 2 && x.h >= 2 && x.w >= 2) { /* a conv to 2x2, max-pooled: the logits are uint8 */
        l = v2_push(m, FX_LAYER_CONV, v2_flags(s), 1, classes, x.h - 1, x.w - 1, 1, 0, m->n_layers, x);
        l->pool = FX_POOL_MAX2;
    } else {
        l = v2_push(m, FX_LAYER_FC, v2_flags(s) & ~FX_F_RELU_U8, 1, classes, 1, 1, 1, 0, m->n_layers, x);
    }
    draw_nin_q(l, cfg, s);
    for (uint32_t i = 0; i < m->n_layers; i++)
        if (m->layers[i].K > cfg->k_max) return -1;
    if (v2_fill(m, cfg, s)) return -1;
    char err[256];
    fx_plan plan;
    return fx_driver_plan(cfg, m, &plan, err, sizeof err) ? -1 : 0;
}

int fx_model_random_chain(fx_model *m, const fx_hwcfg *cfg, uint64_t seed)
{
    uint64_t s = seed ^ 0xBB67AE8584CAA73Bull;
    for (int tries = 0; tries < 100; tries++) { /* a draw that does not fit cfg: the next one */
        if (!chain_attempt(m, cfg, &s)) return 0;
        fx_model_free(m);
    }
    return -1;
}

/* The weight setting of a description's conv/fc line (docs/net.md "bits=", "q=", "nin=", "layout=") for
 * a layer, else the default: first and last unencrypted q = 4, the others encrypted N_in 16 (or the
 * configuration's middle N_in), q = 1. "fp" has no integer form: it becomes the unencrypted default. */
static int net_setting(fx_layer *y, const fx_net_layer *l, const fx_hwcfg *cfg, int edge, char *why, size_t wl)
{
    const uint32_t q4 = cfg->q_max < 4 ? cfg->q_max : 4;
    uint32_t q = l->q ? (uint32_t)l->q : 0, nin = l->n_in ? (uint32_t)l->n_in : 0;
    int enc = !edge;
    if (!strcmp(l->bits, "binary")) { enc = 0; q = q ? q : 1; }
    else if (l->bits[0] == 'q') { enc = 0; q = (uint32_t)atoi(l->bits + 1); }
    else if (!strcmp(l->bits, "fp")) enc = 0;
    else if (l->bits[0]) { /* bits per weight: N_in = bits * N_out / q */
        q = q ? q : (uint32_t)ceil(atof(l->bits));
        nin = (uint32_t)lround(atof(l->bits) * cfg->n_out / q);
        enc = 1;
    }
    if (nin) enc = 1;
    y->q = q ? q : enc ? 1 : q4;
    y->flags = (y->flags & FX_F_RELU_U8) | (enc ? FX_F_ENCRYPTED : 0) | (l->layout == FX_NET_STRADDLE ? FX_F_STRADDLE : 0);
    y->n_in = enc ? (nin ? nin : mid_nin(cfg)) : cfg->n_out;
    if (y->q > cfg->q_max) return snprintf(why, wl, "q %u exceeds the configuration's q_max %u", y->q, cfg->q_max), -1;
    for (uint32_t k = 0; enc && k < cfg->n_in_count; k++)
        if (cfg->n_in[k] == y->n_in) return 0;
    if (enc) return snprintf(why, wl, "N_in %u has no decryptor in configuration '%s'", y->n_in, cfg->name), -1;
    return 0;
}

int fx_model_random_from_net(fx_model *m, const fx_hwcfg *cfg, const fx_netdesc *nd, uint64_t seed, char *err, size_t errlen)
{
    int layer_of[FX_NET_MAX_LAYERS];
    if (fx_net_to_model(nd, cfg, m, layer_of, err, errlen)) return -1;
    for (uint32_t i = 1; i < nd->n; i++) {
        const fx_net_layer *l = &nd->L[i];
        if (l->kind != FX_NET_CONV && l->kind != FX_NET_FC) continue;
        const int L = layer_of[i];
        char why[160];
        if (m->layers[L].K > cfg->k_max) {
            snprintf(err, errlen, "%s:%d: fan-in %u exceeds k_max %u", nd->source, l->line, m->layers[L].K, cfg->k_max);
            return -1;
        }
        if (net_setting(&m->layers[L], l, cfg, L == 0 || (uint32_t)L + 1 == m->n_layers, why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", nd->source, l->line, why);
            return -1;
        }
    }
    uint64_t s = seed;
    if (v2_fill(m, cfg, &s)) {
        fx_model_free(m);
        snprintf(err, errlen, "%s: the model does not fit configuration '%s'", nd->source, cfg->name);
        return -1;
    }
    return 0;
}
