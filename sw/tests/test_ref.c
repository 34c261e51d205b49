/* SPDX-License-Identifier: Apache-2.0 */
/* The integer reference (contract §3-§4) against (1) an independent double-precision model of the same
 * network (signs decoded bit by bit with the per-bit oracle, direct convolution, round half up, clamp),
 * (2) hand-computed tiny networks, requantization ties and saturation, (3) straddle vs aligned layouts
 * and (4) the order and consistency of the taps the co-simulation compares. */
#include "test_util.h"
#include "flexor/rng.h"
#include "flexor/decrypt.h"
#include "flexor/model_random.h"
#include "flexor/ref.h"
#include <math.h>

static const fx_hwcfg *cfg;

/* ---------------- the float model ---------------- */

/* Weight bit of stream position t of a plane (slices beyond the plane read as stored 0). */
static int stream_bit(const fx_layer *l, const fx_mxor *mx, uint32_t plane, uint64_t t)
{
    const uint32_t n_out = cfg->n_out;
    uint64_t s = t / n_out;
    if (s >= l->n_slices) return (int)((fx_decrypt_slice(mx, 0) >> (t % n_out)) & 1);
    return (int)((fx_decrypt_slice(mx, l->slices[(size_t)plane * l->n_slices + s]) >> (t % n_out)) & 1);
}

static uint64_t weight_pos(const fx_layer *l, uint32_t m, uint32_t k)
{
    const uint32_t n_out = cfg->n_out, CH = (l->K + n_out - 1) / n_out;
    return (l->flags & FX_F_STRADDLE) ? (uint64_t)m * l->K + k : (uint64_t)m * CH * n_out + k;
}

/* in: [c][h][w] values; out: [M][oh][ow] (before pooling) */
static void float_layer(const fx_layer *l, const double *in, double *out, uint32_t *oh_, uint32_t *ow_)
{
    fx_mxor mx;
    if (fx_layer_mxor(cfg, l->flags, l->n_in, &mx)) { CHECK(0, "no matrix"); return; }
    double *W = malloc(sizeof(double) * l->M * l->K);
    for (uint32_t m = 0; m < l->M; m++)
        for (uint32_t k = 0; k < l->K; k++) {
            double w = 0;
            for (uint32_t i = 0; i < l->q; i++)
                w += l->alpha[(size_t)m * l->q + i] * (stream_bit(l, &mx, i, weight_pos(l, m, k)) ? 1.0 : -1.0);
            W[(size_t)m * l->K + k] = w;
        }
    const uint32_t oh = l->type == FX_LAYER_CONV ? l->in_h - l->kh + 1 : 1, ow = l->type == FX_LAYER_CONV ? l->in_w - l->kw + 1 : 1;
    for (uint32_t m = 0; m < l->M; m++)
        for (uint32_t y = 0; y < oh; y++)
            for (uint32_t x = 0; x < ow; x++) {
                double s = l->bias[m];
                if (l->type == FX_LAYER_FC) {
                    for (uint32_t k = 0; k < l->K; k++) s += W[(size_t)m * l->K + k] * in[k];
                } else {
                    for (uint32_t c = 0; c < l->in_c; c++)
                        for (uint32_t dy = 0; dy < l->kh; dy++)
                            for (uint32_t dx = 0; dx < l->kw; dx++)
                                s += W[(size_t)m * l->K + (c * l->kh + dy) * l->kw + dx] *
                                     in[((size_t)c * l->in_h + y + dy) * l->in_w + x + dx];
                }
                double r = floor(ldexp(s, -(int)l->shift) + 0.5);
                if (l->flags & FX_F_RELU_U8) r = r < 0 ? 0 : r > 255 ? 255 : r;
                else r = r < -2147483648.0 ? -2147483648.0 : r > 2147483647.0 ? 2147483647.0 : r;
                out[((size_t)m * oh + y) * ow + x] = r;
            }
    free(W);
    *oh_ = oh; *ow_ = ow;
}

typedef struct {
    const fx_model *m;
    double *fl[FX_MAX_LAYERS]; /* float outputs [M][N] */
    int mismatches;
} cmp_ctx;

static void compare_cb(void *user, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    cmp_ctx *c = user;
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t m = 0; m < M; m++)
            if ((double)out[(size_t)n * M + m] != c->fl[layer][(size_t)m * N + n] && c->mismatches++ < 5)
                fprintf(stderr, "layer %u n %u m %u: ref %d float %.1f\n", layer, n, m, out[(size_t)n * M + m],
                        c->fl[layer][(size_t)m * N + n]);
}

/* Run both models on an image; returns the float model's class. */
static void compare_net(const fx_model *m, const uint8_t *img, const char *what)
{
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "%s: prepare: %s", what, err); return; }
    cmp_ctx c = {m, {0}, 0};
    size_t in_n = (size_t)m->in_c * m->in_h * m->in_w;
    double *act = malloc(sizeof(double) * in_n);
    for (size_t i = 0; i < in_n; i++) act[i] = img[i];
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        uint32_t oh, ow, pc, ph, pw;
        c.fl[li] = malloc(sizeof(double) * l->M * (l->type == FX_LAYER_CONV ? (l->in_h - l->kh + 1) * (l->in_w - l->kw + 1) : 1));
        float_layer(l, act, c.fl[li], &oh, &ow);
        fx_layer_out_shape(l, &pc, &ph, &pw);
        free(act);
        act = malloc(sizeof(double) * pc * ph * pw + 8);
        for (uint32_t ch = 0; ch < pc; ch++)
            for (uint32_t y = 0; y < ph; y++)
                for (uint32_t x = 0; x < pw; x++) {
                    double v;
                    if (l->pool == 2) {
                        v = -1e300;
                        for (int d = 0; d < 4; d++) v = fmax(v, c.fl[li][((size_t)ch * oh + 2 * y + d / 2) * ow + 2 * x + d % 2]);
                    } else {
                        v = c.fl[li][((size_t)ch * oh + y) * ow + x];
                    }
                    act[((size_t)ch * ph + y) * pw + x] = v;
                }
    }
    int32_t logits[70000];
    int cls = fx_ref_infer(&net, img, logits, compare_cb, &c);
    const double *last = c.fl[m->n_layers - 1];
    int fcls = 0;
    for (uint32_t k = 0; k < m->n_classes; k++) {
        /* logits are column 0 of the last layer */
        const fx_layer *l = &m->layers[m->n_layers - 1];
        uint32_t N = l->type == FX_LAYER_CONV ? (l->in_h - l->kh + 1) * (l->in_w - l->kw + 1) : 1;
        if (last[(size_t)k * N] > last[(size_t)fcls * N]) fcls = (int)k;
        CHECK(logits[k] == last[(size_t)k * N], "%s: logit %u", what, k);
    }
    CHECK(c.mismatches == 0, "%s: %d outputs differ from the float model", what, c.mismatches);
    CHECK(cls == fcls, "%s: class %d, float model %d", what, cls, fcls);
    for (uint32_t li = 0; li < m->n_layers; li++) free(c.fl[li]);
    free(act);
    fx_ref_free(&net);
}

static void random_image(uint8_t *img, size_t n, uint64_t *rng)
{
    int mode = (int)(fx_splitmix64(rng) % 3); /* full range, dark, saturated corners */
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)fx_splitmix64(rng);
        img[i] = mode == 0 ? (uint8_t)v : mode == 1 ? (uint8_t)(v % 16) : ((v & 1) ? 255 : 0);
    }
}

/* ---------------- taps ---------------- */
typedef struct {
    uint32_t kind, col, m, plane, chunk, dec;
    int32_t val;
} tap_rec;
typedef struct {
    tap_rec *r;
    size_t n, cap;
} tap_log;

static void push(tap_log *t, tap_rec r)
{
    if (t->n == t->cap) { t->cap = t->cap ? 2 * t->cap : 1024; t->r = realloc(t->r, t->cap * sizeof *t->r); }
    t->r[t->n++] = r;
}
static void on_chunk(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    push(u, (tap_rec){0, col, m, plane, chunk, dec, psum});
}
static void on_acc(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc) { push(u, (tap_rec){1, col, m, plane, 0, 0, acc}); }

/* Every layer of m on random columns: tapped == untapped outputs; the taps come in the accelerator's
 * order, carry the stream's weight bits, and add up. */
static void check_taps(const fx_model *m, uint64_t *rng, const char *what)
{
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "%s: %s", what, err); return; }
    const uint32_t n_out = cfg->n_out, lanes = cfg->lanes;
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        const uint32_t CH = fx_layer_chunks(l, n_out), N = 1 + (uint32_t)(fx_splitmix64(rng) % 3);
        uint8_t *cols = calloc((size_t)N * CH * n_out, 1);
        for (uint32_t n = 0; n < N; n++)
            for (uint32_t k = 0; k < l->K; k++) cols[(size_t)n * CH * n_out + k] = (uint8_t)fx_splitmix64(rng);
        int32_t *o1 = malloc(sizeof(int32_t) * N * l->M), *o2 = malloc(sizeof(int32_t) * N * l->M);
        tap_log log = {0};
        fx_taps taps = {.chunk = on_chunk, .acc = on_acc, .user = &log};
        fx_ref_gemm(&net, li, cols, N, o1, NULL);
        fx_ref_gemm(&net, li, cols, N, o2, &taps);
        CHECK(!memcmp(o1, o2, sizeof(int32_t) * N * l->M), "%s layer %u: taps change the result", what, li);
        fx_mxor mx;
        fx_layer_mxor(cfg, l->flags, l->n_in, &mx);
        size_t p = 0;
        int bad_order = 0, bad_dec = 0, bad_sum = 0, bad_out = 0;
        int64_t *acc = calloc((size_t)l->M * l->q, sizeof *acc);
        for (uint32_t n = 0; n < N; n++)
            for (uint32_t g0 = 0; g0 < l->M; g0 += lanes) {
                const uint32_t g1 = g0 + lanes < l->M ? g0 + lanes : l->M;
                for (uint32_t i = 0; i < l->q; i++) {
                    for (uint32_t j = 0; j < CH; j++)
                        for (uint32_t mm = g0; mm < g1; mm++, p++) {
                            if (p >= log.n) { bad_order++; continue; }
                            const tap_rec *r = &log.r[p];
                            if (r->kind || r->col != n || r->m != mm || r->plane != i || r->chunk != j) { bad_order++; continue; }
                            uint32_t dec = 0;
                            int32_t ps = 0;
                            for (uint32_t b = 0; b < n_out; b++) {
                                int bit = stream_bit(l, &mx, i, weight_pos(l, mm, 0) + (uint64_t)j * n_out + b);
                                dec |= (uint32_t)bit << b;
                                ps += (bit ? 1 : -1) * cols[(size_t)n * CH * n_out + (size_t)j * n_out + b];
                            }
                            bad_dec += r->dec != dec;
                            bad_sum += r->val != ps || abs(ps) > 255 * (int)n_out;
                            acc[(size_t)mm * l->q + i] += r->val;
                        }
                    for (uint32_t mm = g0; mm < g1; mm++, p++) {
                        if (p >= log.n) { bad_order++; continue; }
                        const tap_rec *r = &log.r[p];
                        if (r->kind != 1 || r->col != n || r->m != mm || r->plane != i) { bad_order++; continue; }
                        bad_sum += r->val != acc[(size_t)mm * l->q + i];
                    }
                }
                for (uint32_t mm = g0; mm < g1; mm++) {
                    int64_t t = l->bias[mm];
                    for (uint32_t i = 0; i < l->q; i++) t += (int64_t)l->alpha[(size_t)mm * l->q + i] * acc[(size_t)mm * l->q + i];
                    bad_out += fx_requant(t, l->shift, (l->flags & FX_F_RELU_U8) != 0) != o1[(size_t)n * l->M + mm];
                    for (uint32_t i = 0; i < l->q; i++) acc[(size_t)mm * l->q + i] = 0;
                }
            }
        CHECK(p == log.n, "%s layer %u: %zu taps, expected %zu", what, li, log.n, p);
        CHECK(!bad_order, "%s layer %u: %d taps out of order", what, li, bad_order);
        CHECK(!bad_dec, "%s layer %u: %d chunk taps carry wrong weight bits", what, li, bad_dec);
        CHECK(!bad_sum, "%s layer %u: %d partial/plane sums wrong", what, li, bad_sum);
        CHECK(!bad_out, "%s layer %u: %d outputs not bias + Σ α·acc requantized", what, li, bad_out);
        free(acc); free(log.r); free(cols); free(o1); free(o2);
    }
    fx_ref_free(&net);
}

/* ---------------- hand-built layers ---------------- */

/* A one-layer FC model with input K x 1 x 1; weights W[m][k] (±1 per plane) placed by hand. */
static void fc_model(fx_model *m, uint32_t K, uint32_t M, uint32_t q, uint32_t flags)
{
    memset(m, 0, sizeof *m);
    m->cfg_hash = fx_hwcfg_hash(cfg); m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    m->in_c = K; m->in_h = m->in_w = 1; m->n_layers = 1; m->n_classes = M;
    fx_layer *l = m->layers;
    *l = (fx_layer){.type = FX_LAYER_FC, .flags = flags, .q = q, .n_in = cfg->n_out, .M = M, .K = K, .in_c = K, .in_h = 1,
                    .in_w = 1, .kh = 1, .kw = 1};
    if (fx_layer_alloc(l, cfg->n_out)) exit(2);
}

/* Set weight (m, k) of plane i to sign s in an unencrypted layer (the stored bits are the weights). */
static void set_w(fx_layer *l, uint32_t i, uint32_t m, uint32_t k, int s)
{
    uint64_t t = weight_pos(l, m, k);
    uint32_t *sl = &l->slices[(size_t)i * l->n_slices + t / cfg->n_out];
    if (s > 0) *sl |= 1u << (t % cfg->n_out);
    else *sl &= ~(1u << (t % cfg->n_out));
}

static int run1(const fx_model *m, const uint8_t *in, int32_t *out)
{
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "prepare: %s", err); return -1; }
    int cls = fx_ref_infer(&net, in, out, NULL, NULL);
    fx_ref_free(&net);
    return cls;
}

static void hand_cases(void)
{
    const uint32_t mask = cfg->n_out >= 32 ? 0xFFFFFFFFu : (1u << cfg->n_out) - 1;
    /* K=3, M=2, q=1: channel 0 = (+1,+1,+1), channel 1 = (+1,-1,+1); inputs (10,20,30) */
    for (int st = 0; st < 2; st++) {
        fx_model m;
        fc_model(&m, 3, 2, 1, st ? FX_F_STRADDLE : 0);
        fx_layer *l = m.layers;
        for (uint32_t s = 0; s < l->n_slices; s++) l->slices[s] = 0xFFFFFFC0u & mask; /* garbage in padding */
        int w[2][3] = {{1, 1, 1}, {1, -1, 1}};
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 3; k++) set_w(l, 0, c, k, w[c][k]);
        l->alpha[0] = l->alpha[1] = 1;
        const uint8_t in[3] = {10, 20, 30};
        int32_t out[2];
        int cls = run1(&m, in, out);
        CHECK(out[0] == 60 && out[1] == 20 && cls == 0, "%s K=3 M=2: got %d %d, expected 60 20", st ? "straddle" : "aligned", out[0], out[1]);
        l->alpha[0] = 3; l->alpha[1] = -2; l->bias[0] = -7; l->bias[1] = 100;
        cls = run1(&m, in, out);
        CHECK(out[0] == 173 && out[1] == 60 && cls == 0, "α/bias: got %d %d, expected 173 60", out[0], out[1]);
        /* two planes: α0·s0 + α1·s1 with plane 1 all -1 */
        fx_model_free(&m);
    }
    /* K not a multiple of N_out, two planes: 45 inputs, 3 chunks */
    {
        fx_model m;
        fc_model(&m, 45, 3, 2, 0);
        fx_layer *l = m.layers;
        uint8_t in[45];
        int64_t want[3];
        for (uint32_t c = 0; c < 3; c++) {
            l->alpha[c * 2] = (int16_t)(5 + c);
            l->alpha[c * 2 + 1] = -2;
            l->bias[c] = (int32_t)c * 1000;
            want[c] = l->bias[c];
        }
        for (uint32_t k = 0; k < 45; k++) in[k] = (uint8_t)(k * 7 + 3);
        for (uint32_t c = 0; c < 3; c++)
            for (uint32_t k = 0; k < 45; k++) {
                int s0 = ((k + c) % 3) ? 1 : -1, s1 = (k % 5 == c) ? 1 : -1;
                set_w(l, 0, c, k, s0);
                set_w(l, 1, c, k, s1);
                want[c] += (int64_t)(l->alpha[c * 2] * s0 + l->alpha[c * 2 + 1] * s1) * in[k];
            }
        const uint32_t CH = fx_layer_chunks(l, cfg->n_out), real = 45 - (CH - 1) * cfg->n_out;
        const uint32_t pad = real >= 32 ? 0 : mask & ~((1u << real) - 1);
        for (uint32_t c = 0; c < 3; c++) { /* garbage in the padding positions 45.. of each channel's last slice */
            const uint32_t s = c * CH + CH - 1;
            l->slices[s] |= pad & 0xFFFFFFFu;
            l->slices[l->n_slices + s] |= pad & 0x5AA5A5A4u;
        }
        int32_t out[3];
        run1(&m, in, out);
        for (int c = 0; c < 3; c++) CHECK(out[c] == want[c], "K=45 ch %d: %d, expected %lld", c, out[c], (long long)want[c]);
        fx_model_free(&m);
    }
    /* requantization: round half up (ties to +inf), arithmetic shift, clamps */
    struct { int64_t t; uint32_t s; int relu; int32_t want; } rq[] = {
        {10, 2, 0, 3},   {-10, 2, 0, -2},  {5, 1, 0, 3},     {-5, 1, 0, -2},  {9, 2, 0, 2},    {-11, 2, 0, -3},
        {-9, 2, 0, -2},  {11, 2, 0, 3},    {7, 0, 0, 7},     {-7, 0, 0, -7},  {10, 2, 1, 3},   {-10, 2, 1, 0},
        {1021, 2, 1, 255}, {1022, 2, 1, 255}, {1018, 2, 1, 255}, {1017, 2, 1, 254}, {-1, 1, 1, 0}, {1, 1, 1, 1},
        {2147483647LL, 0, 0, 2147483647}, {2147483648LL, 0, 0, 2147483647}, {-2147483648LL, 0, 0, INT32_MIN},
        {-2147483649LL, 0, 0, INT32_MIN}, {(1LL << 38), 39, 0, 1}, {-(1LL << 38), 39, 0, 0}, {(1LL << 39) - 1, 39, 0, 1},
        {-(1LL << 39), 39, 0, -1}, {(1LL << 38) - 1, 39, 0, 0}, {-(1LL << 38) - 1, 39, 0, -1},
        {(5LL << 37), 38, 0, 3}, {-(5LL << 37), 38, 0, -2}, /* ±2.5 at the widest shift */
    };
    for (size_t i = 0; i < sizeof rq / sizeof rq[0]; i++)
        CHECK(fx_requant(rq[i].t, rq[i].s, rq[i].relu) == rq[i].want, "requant(%lld, %u, %d) = %d, expected %d",
              (long long)rq[i].t, rq[i].s, rq[i].relu, fx_requant(rq[i].t, rq[i].s, rq[i].relu), rq[i].want);
    /* ties through a whole layer: t = ±10 with shift 2 -> 3 and -2 */
    {
        fx_model m;
        fc_model(&m, 1, 2, 1, 0);
        fx_layer *l = m.layers;
        set_w(l, 0, 0, 0, 1);
        set_w(l, 0, 1, 0, -1);
        l->alpha[0] = l->alpha[1] = 1;
        l->shift = 2;
        const uint8_t in[1] = {10};
        int32_t out[2];
        run1(&m, in, out);
        CHECK(out[0] == 3 && out[1] == -2, "layer ties: %d %d, expected 3 -2", out[0], out[1]);
        fx_model_free(&m);
    }
    /* saturation at the int32 limits and at 0/255; K = k_max, α = 32767, all activations 255 */
    if (cfg->k_max >= 4096) {
        const uint32_t K = 4096;
        fx_model m;
        fc_model(&m, K, 4, 1, 0);
        fx_layer *l = m.layers;
        for (uint32_t k = 0; k < K; k++) { set_w(l, 0, 0, k, 1); set_w(l, 0, 1, k, -1); set_w(l, 0, 2, k, 1); set_w(l, 0, 3, k, -1); }
        for (int c = 0; c < 4; c++) l->alpha[c] = 32767;
        uint8_t *in = malloc(K);
        memset(in, 255, K);
        int32_t out[4];
        l->shift = 3; /* 32767·255·4096 / 8 = 4278059520 > 2^31 - 1 */
        run1(&m, in, out);
        CHECK(out[0] == INT32_MAX && out[1] == INT32_MIN, "RAW saturation: %d %d", out[0], out[1]);
        l->shift = 4; /* / 16 = 2139029760 exactly: no saturation */
        l->bias[2] = 16 * 5; l->bias[3] = -16 * 5 - 8; /* + 5 and - 5.5 -> -5 (tie up) */
        run1(&m, in, out);
        CHECK(out[0] == 2139029760 && out[1] == -2139029760 && out[2] == 2139029765 && out[3] == -2139029765,
              "RAW near the limit: %d %d %d %d", out[0], out[1], out[2], out[3]);
        l->flags |= FX_F_RELU_U8;
        run1(&m, in, out);
        CHECK(out[0] == 255 && out[1] == 0, "RELU_U8 saturation: %d %d", out[0], out[1]);
        free(in);
        fx_model_free(&m);
    }
}

static void record_layer0(void *user, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    if (layer == 0 && N * M <= 16) memcpy(user, out, sizeof(int32_t) * N * M);
}

/* conv 1x3x3 -> 2x2 kernel of +1 -> 2x2 map, pooled to 1x1 -> FC K=1 (+1) RAW; and argmax ties. */
static void hand_conv_and_ties(void)
{
    fx_model m;
    memset(&m, 0, sizeof m);
    m.cfg_hash = fx_hwcfg_hash(cfg); m.n_out = cfg->n_out; m.n_tap = cfg->n_tap; m.seed = cfg->seed;
    m.in_c = 1; m.in_h = 3; m.in_w = 3; m.n_layers = 2; m.n_classes = 3;
    m.layers[0] = (fx_layer){.type = FX_LAYER_CONV, .flags = FX_F_RELU_U8, .q = 1, .n_in = cfg->n_out, .M = 1, .K = 4,
                             .in_c = 1, .in_h = 3, .in_w = 3, .kh = 2, .kw = 2, .pool = 2};
    m.layers[1] = (fx_layer){.type = FX_LAYER_FC, .flags = 0, .q = 1, .n_in = cfg->n_out, .M = 3, .K = 1, .in_c = 1, .in_h = 1,
                             .in_w = 1, .kh = 1, .kw = 1};
    for (int i = 0; i < 2; i++)
        if (fx_layer_alloc(&m.layers[i], cfg->n_out)) exit(2);
    for (uint32_t k = 0; k < 4; k++) set_w(&m.layers[0], 0, 0, k, 1);
    m.layers[0].alpha[0] = 1;
    for (uint32_t c = 0; c < 3; c++) { set_w(&m.layers[1], 0, c, 0, 1); m.layers[1].alpha[c] = 1; }
    const uint8_t img[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    fx_ref_net net;
    char err[256];
    if (fx_ref_prepare(&net, &m, cfg, err, sizeof err)) { CHECK(0, "prepare: %s", err); return; }
    int32_t conv[16], lg[3];
    int cls = fx_ref_infer(&net, img, lg, record_layer0, conv);
    CHECK(conv[0] == 12 && conv[1] == 16 && conv[2] == 24 && conv[3] == 28, "conv map %d %d %d %d, expected 12 16 24 28",
          conv[0], conv[1], conv[2], conv[3]);
    CHECK(lg[0] == 28 && lg[1] == 28 && lg[2] == 28 && cls == 0, "pooled logits %d %d %d class %d: expected 28s, class 0 (tie)",
          lg[0], lg[1], lg[2], cls);
    m.layers[1].bias[0] = -1; /* classes 1 and 2 tie above class 0: the lower index wins */
    fx_ref_free(&net);
    fx_ref_prepare(&net, &m, cfg, err, sizeof err);
    cls = fx_ref_infer(&net, img, lg, NULL, NULL);
    CHECK(cls == 1 && lg[0] == 27, "tie between 1 and 2: class %d", cls);
    fx_ref_free(&net);
    fx_model_free(&m);
}

/* The same weights in the straddle and the aligned layout give the same outputs and plane sums. */
static void straddle_vs_aligned(uint64_t *rng)
{
    for (int it = 0; it < 40; it++) {
        const uint32_t K = 1 + (uint32_t)(fx_splitmix64(rng) % 100), M = 1 + (uint32_t)(fx_splitmix64(rng) % 40),
                       q = 1 + (uint32_t)(fx_splitmix64(rng) % cfg->q_max);
        fx_model a, s;
        fc_model(&a, K, M, q, FX_F_RELU_U8);
        fc_model(&s, K, M, q, FX_F_RELU_U8 | FX_F_STRADDLE);
        uint64_t r2 = *rng;
        fx_layer_randomize(&a.layers[0], cfg->n_out, 100, &r2); /* α, bias, shift (and slices, overwritten) */
        memcpy(s.layers[0].alpha, a.layers[0].alpha, sizeof(int16_t) * M * q);
        memcpy(s.layers[0].bias, a.layers[0].bias, sizeof(int32_t) * M);
        s.layers[0].shift = a.layers[0].shift;
        for (uint32_t i = 0; i < q; i++)
            for (uint32_t m = 0; m < M; m++)
                for (uint32_t k = 0; k < K; k++) {
                    int sg = fx_splitmix64(rng) & 1 ? 1 : -1;
                    set_w(&a.layers[0], i, m, k, sg);
                    set_w(&s.layers[0], i, m, k, sg);
                }
        uint8_t in[100];
        for (uint32_t k = 0; k < K; k++) in[k] = (uint8_t)fx_splitmix64(rng);
        fx_ref_net na, ns;
        char err[256];
        if (fx_ref_prepare(&na, &a, cfg, err, sizeof err) || fx_ref_prepare(&ns, &s, cfg, err, sizeof err)) {
            CHECK(0, "prepare: %s", err);
            return;
        }
        const uint32_t CH = na.ch[0];
        uint8_t cols[256] = {0};
        fx_im2col(&a.layers[0], cfg->n_out, in, cols);
        int32_t oa[40], os[40];
        tap_log la = {0}, ls = {0};
        fx_taps ta = {.chunk = on_chunk, .acc = on_acc, .user = &la}, ts = {.chunk = on_chunk, .acc = on_acc, .user = &ls};
        fx_ref_gemm(&na, 0, cols, 1, oa, &ta);
        fx_ref_gemm(&ns, 0, cols, 1, os, &ts);
        CHECK(!memcmp(oa, os, sizeof(int32_t) * M), "K=%u M=%u q=%u: straddle and aligned outputs differ", K, M, q);
        CHECK(la.n == ls.n, "tap counts differ");
        const uint32_t last_mask = K % cfg->n_out ? (1u << (K % cfg->n_out)) - 1 : 0xFFFFFFFFu;
        int diff = 0;
        for (size_t t = 0; t < la.n && t < ls.n; t++) {
            /* weight bits agree where they meet real activations; psums and plane sums agree */
            uint32_t mk = la.r[t].kind == 0 && la.r[t].chunk == CH - 1 ? last_mask : 0xFFFFFFFFu;
            diff += la.r[t].val != ls.r[t].val || ((la.r[t].dec ^ ls.r[t].dec) & mk) != 0;
        }
        CHECK(!diff, "K=%u M=%u: %d taps differ between layouts", K, M, diff);
        free(la.r); free(ls.r);
        fx_ref_free(&na); fx_ref_free(&ns);
        fx_model_free(&a); fx_model_free(&s);
    }
}

/* Everything above for one configuration. */
static void run_all(const fx_hwcfg *c)
{
    cfg = c;
    uint64_t rng = 2024;
    hand_cases();
    hand_conv_and_ties();
    straddle_vs_aligned(&rng);
    int nets = 0;
    for (uint64_t seed = 1; seed <= 150; seed++) {
        fx_model m;
        if (fx_model_random_net(&m, cfg, seed, 4)) continue;
        char what[64];
        snprintf(what, sizeof what, "random net %llu", (unsigned long long)seed);
        uint8_t img[3 * 12 * 12];
        for (int k = 0; k < 3; k++) {
            random_image(img, (size_t)m.in_c * m.in_h * m.in_w, &rng);
            compare_net(&m, img, what);
        }
        check_taps(&m, &rng, what);
        fx_model_free(&m);
        nets++;
    }
    const char *arch[] = {"mlp", "lenet"};
    for (int a = 0; a < 2; a++)
        for (int st = 0; st < 2; st++) {
            fx_model m;
            if (fx_model_random(&m, cfg, arch[a], st ? FX_F_STRADDLE : 0, 11 + st)) { CHECK(0, "random %s", arch[a]); continue; }
            uint8_t img[784];
            random_image(img, 784, &rng);
            compare_net(&m, img, arch[a]);
            fx_model_free(&m);
        }
    /* a model for another configuration is refused */
    fx_model m;
    char err[256];
    fx_ref_net net;
    fx_model_random(&m, cfg, "mlp", 0, 1);
    m.cfg_hash ^= 1;
    CHECK(fx_ref_prepare(&net, &m, cfg, err, sizeof err) == -1 && strstr(err, "config hash"), "foreign model accepted");
    fx_model_free(&m);
    printf("%s (n_out %u, n_tap %u, lanes %u, q_max %u): %d random nets x 3 images + 4 fixed architectures vs the float model\n",
           c->name, c->n_out, c->n_tap, c->lanes, c->q_max, nets);
}

/* A configuration built in code (the reference must not depend on the default's numbers). */
static fx_hwcfg make_cfg(const char *name, uint32_t n_out, uint32_t n_tap, const uint32_t *n_in, uint32_t n_in_count,
                         uint32_t lanes, uint32_t q_max)
{
    fx_hwcfg c = *fx_hwcfg_builtin();
    snprintf(c.name, sizeof c.name, "%s", name);
    c.n_out = n_out; c.n_tap = n_tap; c.lanes = lanes; c.q_max = q_max; c.k_max = 4096;
    c.n_in_count = n_in_count;
    for (uint32_t i = 0; i < n_in_count; i++) c.n_in[i] = n_in[i];
    c.seed = 0x1234567ull + n_out;
    char err[256];
    if (fx_hwcfg_check(&c, err, sizeof err)) { fprintf(stderr, "%s: %s\n", name, err); exit(2); }
    return c;
}

int main(void)
{
    run_all(fx_hwcfg_builtin());
    /* odd N_out (a partial 4-bit group), N_tap 3, lanes not a power of two; N_out = 32 (full-width
     * shifts), q up to 8; a tiny N_out = 4 with single-tap rows */
    static const uint32_t nin13[] = {5, 9, 13}, nin32[] = {16, 32}, nin4[] = {2, 4};
    fx_hwcfg c13 = make_cfg("n13", 13, 3, nin13, 3, 5, 3), c32 = make_cfg("n32", 32, 2, nin32, 2, 3, 8),
             c4 = make_cfg("n4", 4, 1, nin4, 2, 2, 2);
    run_all(&c13);
    run_all(&c32);
    run_all(&c4);
    return t_report("test_ref");
}
