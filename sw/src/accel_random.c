/* Small random models for the accelerator tests and test vectors (flexor/accel_random.h). */
#include "flexor/accel_random.h"
#include "flexor/rng.h"
#include "flexor/driver.h"
#include "flexor/model_random.h"
#include <string.h>

static uint32_t rnd(uint64_t *s, uint32_t lo, uint32_t hi) { return lo + (uint32_t)(fx_splitmix64(s) % (hi - lo + 1)); }

static fx_layer *add(fx_model *m, const fx_hwcfg *cfg, uint64_t *s, uint32_t type, uint32_t M, uint32_t k,
                     uint32_t pool, uint32_t *c, uint32_t *h, uint32_t *w)
{
    fx_layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->type = type;
    l->flags = FX_F_RELU_U8 | (rnd(s, 0, 1) ? FX_F_ENCRYPTED : 0) | (rnd(s, 0, 1) ? FX_F_STRADDLE : 0);
    l->n_in = (l->flags & FX_F_ENCRYPTED) ? cfg->n_in[rnd(s, 0, cfg->n_in_count - 1)] : cfg->n_out;
    l->q = rnd(s, 1, cfg->q_max);
    l->M = M;
    l->in_c = *c; l->in_h = *h; l->in_w = *w;
    l->kh = l->kw = type == FX_LAYER_CONV ? k : 1;
    l->K = type == FX_LAYER_CONV ? *c * k * k : *c * *h * *w;
    l->pool = pool;
    fx_layer_out_shape(l, c, h, w);
    return l;
}

static int attempt(fx_model *m, const fx_hwcfg *cfg, uint64_t *s)
{
    memset(m, 0, sizeof *m);
    m->cfg_hash = fx_hwcfg_hash(cfg);
    m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    uint32_t c = rnd(s, 1, 3), h = rnd(s, 5, 12), w = rnd(s, 5, 12);
    m->in_c = c; m->in_h = h; m->in_w = w;
    for (uint32_t i = 0, nconv = rnd(s, 0, 2); i < nconv; i++) {
        uint32_t k = rnd(s, 1, (h < w ? h : w) < 4 ? (h < w ? h : w) : 4), oh = h - k + 1, ow = w - k + 1;
        uint32_t pool = (oh % 2 == 0 && ow % 2 == 0 && rnd(s, 0, 1)) ? 2 : 0;
        add(m, cfg, s, FX_LAYER_CONV, rnd(s, 1, 3 * cfg->lanes + 1), k, pool, &c, &h, &w);
    }
    for (uint32_t i = 0, nfc = rnd(s, 1, 3); i < nfc; i++)
        add(m, cfg, s, FX_LAYER_FC, i + 1 == nfc ? rnd(s, 2, 12) : rnd(s, 1, 2 * cfg->n_out + 3), 1, 0, &c, &h, &w);
    m->layers[m->n_layers - 1].flags &= ~FX_F_RELU_U8;
    m->n_classes = m->layers[m->n_layers - 1].M;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        fx_layer *l = &m->layers[i];
        if (l->K > cfg->k_max || fx_layer_alloc(l, cfg->n_out)) return -1;
        fx_layer_randomize(l, cfg->n_out, i ? 45.0 : 147.0, s);
    }
    char err[256];
    fx_plan plan;
    if (fx_model_validate(m, cfg, err, sizeof err) || fx_driver_plan(cfg, m, &plan, err, sizeof err)) return -1;
    return 0;
}

int fx_accel_random_model(fx_model *m, const fx_hwcfg *cfg, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int tries = 0; tries < 100; tries++) {
        if (!attempt(m, cfg, &s)) return 0;
        fx_model_free(m);
    }
    return -1;
}
