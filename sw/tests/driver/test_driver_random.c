/* SPDX-License-Identifier: Apache-2.0 */
/* Driver + command-level C model against the integer reference on random models: every layer output,
 * logits and class equal, chained and unchained identical, taps identical in order, counters as documented. */
#include "dtest.h"
#include "flexor/rng.h"
#include "flexor/model_random.h"
#include <stdlib.h>
#include <string.h>

typedef struct { uint32_t col, m, plane, chunk, dec; int32_t psum; } ctap;
typedef struct { uint32_t col, m, plane; int32_t acc; } atap;
typedef struct { ctap *c; size_t nc, capc; atap *a; size_t na, capa; } taplog;

static void *grow(void *p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap) return p;
    *cap = *cap ? 2 * *cap : 256;
    p = realloc(p, *cap * sz);
    if (!p) abort();
    return p;
}

static void on_chunk(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    taplog *t = u;
    t->c = grow(t->c, &t->capc, t->nc, sizeof *t->c);
    t->c[t->nc++] = (ctap){col, m, plane, chunk, dec, psum};
}

static void on_acc(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    taplog *t = u;
    t->a = grow(t->a, &t->capa, t->na, sizeof *t->a);
    t->a[t->na++] = (atap){col, m, plane, acc};
}

static void taplog_free(taplog *t) { free(t->c); free(t->a); memset(t, 0, sizeof *t); }

static int taps_equal(const taplog *x, const taplog *y, const char *what)
{
    if (x->nc != y->nc || x->na != y->na) {
        fprintf(stderr, "%s: tap counts differ: chunk %zu vs %zu, acc %zu vs %zu\n", what, x->nc, y->nc, x->na, y->na);
        return 0;
    }
    for (size_t i = 0; i < x->nc; i++)
        if (memcmp(&x->c[i], &y->c[i], sizeof x->c[i])) {
            const ctap *a = &x->c[i], *b = &y->c[i];
            fprintf(stderr, "%s: chunk tap %zu: (col %u m %u plane %u chunk %u dec %x psum %d) vs (%u %u %u %u %x %d)\n",
                    what, i, a->col, a->m, a->plane, a->chunk, a->dec, a->psum, b->col, b->m, b->plane, b->chunk,
                    b->dec, b->psum);
            return 0;
        }
    for (size_t i = 0; i < x->na; i++)
        if (memcmp(&x->a[i], &y->a[i], sizeof x->a[i])) {
            fprintf(stderr, "%s: acc tap %zu differs\n", what, i);
            return 0;
        }
    return 1;
}

typedef struct {
    int32_t *out[FX_MAX_LAYERS];
    uint32_t N[FX_MAX_LAYERS], M[FX_MAX_LAYERS];
    uint32_t calls;
} layerlog;

static void on_layer(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    layerlog *g = u;
    g->calls++;
    if (layer >= FX_MAX_LAYERS || g->out[layer]) { g->calls += 1000; return; } /* called twice: a failure */
    g->out[layer] = malloc((size_t)N * M * sizeof *out);
    if (!g->out[layer]) abort();
    memcpy(g->out[layer], out, (size_t)N * M * sizeof *out);
    g->N[layer] = N; g->M[layer] = M;
}

static void layerlog_free(layerlog *g)
{
    for (uint32_t i = 0; i < FX_MAX_LAYERS; i++) free(g->out[i]);
    memset(g, 0, sizeof *g);
}

/* Coverage of the cases the task demands, so a weaker generator makes the test fail. */
static struct { int q[16], straddle, aligned, k_ragged, m_ragged, multi_col, chained, enc, plain; } cov;

static unsigned long long n_models, n_layers_cmp, n_taps;

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static int streamed(const fx_model *m, uint32_t l, int chain)
{
    return !chain || l + 1 == m->n_layers || !(m->layers[l].type == FX_LAYER_FC && m->layers[l + 1].type == FX_LAYER_FC);
}

static void check_model(const fx_hwcfg *cfg, const fx_model *m, uint64_t seed, const char *what)
{
    char err[256];
    fx_ref_net net;
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "%s: ref_prepare: %s", what, err); return; }
    size_t in_sz = (size_t)m->in_c * m->in_h * m->in_w;
    uint8_t *img = malloc(in_sz), *act = malloc(net.max_act + 64), *cols = malloc(net.max_act + 64);
    int32_t *out = malloc((net.max_act + 64) * sizeof *out), logits_ref[4096], logits[4096];
    for (size_t i = 0; i < in_sz; i++) img[i] = (uint8_t)(fx_splitmix64(&seed) >> 56);

    layerlog ref = {0};
    int cls_ref = fx_ref_infer(&net, img, logits_ref, on_layer, &ref);

    /* reference taps, layer by layer, from the reference's own layer inputs */
    taplog tref = {0};
    fx_taps tt = {.chunk = on_chunk, .acc = on_acc, .user = &tref};
    uint64_t busy = 0, slices = 0;
    memcpy(act, img, in_sz);
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        uint32_t N = fx_im2col(l, cfg->n_out, act, cols), CH = ceil_div(l->K, cfg->n_out);
        fx_ref_gemm(&net, li, cols, N, out, &tt);
        CHECK(!memcmp(out, ref.out[li], (size_t)N * l->M * sizeof *out), "%s: reference not deterministic", what);
        fx_layer_output_chw(l, out, act);
        busy += (uint64_t)N * ceil_div(l->M, cfg->lanes) * l->q * (CH + ((l->flags & FX_F_STRADDLE) ? 1 : 0));
        slices += (uint64_t)N * l->q * CH * l->M;
        cov.q[l->q] = 1;
        if (l->flags & FX_F_STRADDLE) cov.straddle = 1; else cov.aligned = 1;
        if (l->flags & FX_F_ENCRYPTED) cov.enc = 1; else cov.plain = 1;
        cov.k_ragged |= l->K % cfg->n_out != 0;
        cov.m_ragged |= l->M % cfg->lanes != 0;
        cov.multi_col |= N > 1;
        cov.chained |= !streamed(m, li, 1);
    }

    fx_plan plan;
    fx_backend *b = fx_accel_model_new(cfg);
    CHECK(b != NULL, "%s: accel model", what);
    if (!b || fx_driver_plan(cfg, m, &plan, err, sizeof err)) {
        CHECK(0, "%s: plan: %s", what, err);
        goto done;
    }
    CHECK(fx_driver_load(b, cfg, m, &plan, err, sizeof err) == 0, "%s: load: %s", what, err);
    for (int chain = 0; chain <= 1; chain++) {
        layerlog got = {0};
        taplog tgot = {0};
        fx_taps t2 = {.chunk = on_chunk, .acc = on_acc, .user = &tgot};
        const uint32_t clear = (uint32_t)FX_OP_CLEAR_COUNTERS << 24;
        b->write(b, &clear, 1);
        b->set_taps(b, &t2);
        int cls = fx_driver_infer(b, cfg, m, &plan, img, logits, chain, on_layer, &got);
        b->set_taps(b, NULL);
        CHECK(cls == cls_ref, "%s chain=%d: class %d vs reference %d (error %u)", what, chain, cls, cls_ref, b->error(b));
        CHECK(b->error(b) == 0, "%s chain=%d: backend error %u", what, chain, b->error(b));
        CHECK(cls < 0 || !memcmp(logits, logits_ref, m->n_classes * sizeof *logits), "%s chain=%d: logits", what, chain);
        uint32_t expect_calls = 0;
        for (uint32_t li = 0; li < m->n_layers; li++) {
            if (!streamed(m, li, chain)) {
                CHECK(!got.out[li], "%s chain=%d: layer %u stays on chip but was called back", what, chain, li);
                continue;
            }
            expect_calls++;
            CHECK(got.out[li] && got.N[li] == ref.N[li] && got.M[li] == ref.M[li] &&
                      !memcmp(got.out[li], ref.out[li], (size_t)ref.N[li] * ref.M[li] * sizeof(int32_t)),
                  "%s chain=%d: layer %u output differs from the reference", what, chain, li);
        }
        CHECK(got.calls == expect_calls, "%s chain=%d: %u callbacks, expected %u", what, chain, got.calls, expect_calls);
        CHECK(taps_equal(&tref, &tgot, what), "%s chain=%d: taps differ", what, chain);
        n_taps += tgot.nc + tgot.na;
        n_layers_cmp += expect_calls;
        fx_counters c;
        b->counters(b, &c);
        CHECK(c.busy == busy && c.slices == slices && c.stall == 0,
              "%s chain=%d: counters busy %llu slices %llu, expected %llu %llu", what, chain,
              (unsigned long long)c.busy, (unsigned long long)c.slices, (unsigned long long)busy,
              (unsigned long long)slices);
        CHECK(c.cycles >= c.busy, "%s: cycles %llu < busy", what, (unsigned long long)c.cycles);
        layerlog_free(&got);
        taplog_free(&tgot);
    }
    n_models++;
    uint32_t extra;
    CHECK(b->read(b, &extra, 1) == -1, "%s: result words left over", what);
done:
    if (b) b->destroy(b);
    layerlog_free(&ref);
    taplog_free(&tref);
    fx_ref_free(&net);
    free(img); free(act); free(cols); free(out);
}

static void random_models(const fx_hwcfg *cfg, int count)
{
    for (int s = 1; s <= count; s++) {
        fx_model m;
        char what[128];
        snprintf(what, sizeof what, "cfg %s seed %d", cfg->name, s);
        if (fx_accel_random_model(&m, cfg, (uint64_t)s)) { CHECK(0, "%s: no random model", what); continue; }
        check_model(cfg, &m, (uint64_t)s * 77, what);
        fx_model_free(&m);
    }
}

int main(void)
{
    fx_hwcfg cfgs[DT_CFGS];
    dt_cfgs(cfgs);
    for (size_t i = 0; i < DT_CFGS; i++) {
        memset(&cov, 0, sizeof cov);
        random_models(&cfgs[i], 30);
        for (uint32_t q = 1; q <= cfgs[i].q_max; q++) CHECK(cov.q[q], "cfg %s: q = %u never drawn", cfgs[i].name, q);
        CHECK(cov.straddle && cov.aligned && cov.enc && cov.plain && cov.k_ragged && cov.m_ragged == (cfgs[i].lanes > 1) &&
                  cov.multi_col && cov.chained,
              "cfg %s: a case was not covered", cfgs[i].name);
    }
    /* full-size architectures on the default configuration, both layouts */
    const char *arch[] = {"lenet", "mlp"};
    for (int a = 0; a < 2; a++)
        for (uint32_t fl = 0; fl <= FX_F_STRADDLE; fl += FX_F_STRADDLE) {
            fx_model m;
            char what[64];
            snprintf(what, sizeof what, "%s flags %u", arch[a], fl);
            if (fx_model_random(&m, &cfgs[0], arch[a], fl, 5 + fl)) { CHECK(0, "%s: fx_model_random failed", what); continue; }
            check_model(&cfgs[0], &m, 99, what);
            fx_model_free(&m);
        }
    if (t_report("test_driver_random")) return 1;
    printf("test_driver_random: ok: %llu models, %llu layer outputs and %llu taps equal to the reference\n",
           n_models, n_layers_cmp, n_taps);
    return 0;
}
