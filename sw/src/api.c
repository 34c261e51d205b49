/* SPDX-License-Identifier: Apache-2.0 */
/* See api.h: handles own a model, its configuration and (once needed) the prepared reference. */
#include "flexor/api.h"
#include "flexor/decrypt.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx_api_model {
    fx_hwcfg cfg;
    fx_model m;
    fx_ref_net net;
    int prepared; /* net is valid for the current layers */
};

static int get_cfg(const char *cfg_path, fx_hwcfg *cfg, char *err, size_t errlen)
{
    if (!cfg_path) {
        *cfg = *fx_hwcfg_builtin();
        return 0;
    }
    return fx_hwcfg_load(cfg_path, cfg, err, (unsigned)errlen);
}

int fx_api_config(const char *cfg_path, uint32_t info[FX_API_CFG_INFO], uint32_t n_in[8], uint64_t *seed, char *name,
                  size_t namelen, char *err, size_t errlen)
{
    fx_hwcfg c;
    if (get_cfg(cfg_path, &c, err, errlen)) return -1;
    const uint32_t v[FX_API_CFG_INFO] = {c.n_out, c.n_tap, c.lanes, c.q_max, c.k_max, c.n_in_count, fx_hwcfg_hash(&c), 0};
    memcpy(info, v, sizeof v);
    for (uint32_t i = 0; i < 8; i++) n_in[i] = i < c.n_in_count ? c.n_in[i] : 0;
    *seed = c.seed;
    snprintf(name, namelen, "%s", c.name);
    return 0;
}

int fx_api_mxor(const char *cfg_path, uint32_t n_in, uint8_t *out, char *err, size_t errlen)
{
    fx_hwcfg c;
    fx_mxor mx;
    if (get_cfg(cfg_path, &c, err, errlen)) return -1;
    if (fx_layer_mxor(&c, FX_F_ENCRYPTED, n_in, &mx)) {
        snprintf(err, errlen, "configuration '%s' has no M-xor for N_in %u", c.name, n_in);
        return -1;
    }
    for (uint32_t r = 0; r < mx.n_out; r++)
        for (uint32_t j = 0; j < n_in; j++) out[r * n_in + j] = (mx.row[r] >> j) & 1;
    return 0;
}

static fx_api_model *alloc_handle(const char *cfg_path, char *err, size_t errlen)
{
    fx_api_model *h = calloc(1, sizeof *h);
    if (!h) snprintf(err, errlen, "out of memory");
    else if (get_cfg(cfg_path, &h->cfg, err, errlen)) free(h), h = NULL;
    return h;
}

fx_api_model *fx_api_load(const char *path, const char *cfg_path, char *err, size_t errlen)
{
    fx_api_model *h = alloc_handle(cfg_path, err, errlen);
    if (h && fx_model_read(path, &h->cfg, &h->m, err, errlen)) free(h), h = NULL;
    return h;
}

fx_api_model *fx_api_new(const char *cfg_path, uint32_t in_c, uint32_t in_h, uint32_t in_w, uint32_t n_classes,
                         char *err, size_t errlen)
{
    fx_api_model *h = alloc_handle(cfg_path, err, errlen);
    if (!h) return NULL;
    fx_model *m = &h->m;
    m->cfg_hash = fx_hwcfg_hash(&h->cfg), m->in_c = in_c, m->in_h = in_h, m->in_w = in_w, m->n_classes = n_classes;
    m->n_out = h->cfg.n_out, m->n_tap = h->cfg.n_tap, m->seed = h->cfg.seed;
    return h;
}

static void unprepare(fx_api_model *h)
{
    if (h->prepared) fx_ref_free(&h->net);
    h->prepared = 0;
}

int fx_api_add_layer(fx_api_model *h, const uint32_t f[13], const int16_t *alpha, const int32_t *bias,
                     const uint32_t *slices, uint64_t n_slices, char *err, size_t errlen)
{
    fx_model *m = &h->m;
    if (m->n_layers == FX_MAX_LAYERS) {
        snprintf(err, errlen, "a model has at most %u layers", FX_MAX_LAYERS);
        return -1;
    }
    fx_layer l = {.type = f[0], .flags = f[1], .q = f[2], .n_in = f[3], .M = f[4], .K = f[5], .in_c = f[6],
                  .in_h = f[7], .in_w = f[8], .kh = f[9], .kw = f[10], .pool = f[11], .shift = f[12]};
    /* the sizes below bound the allocation before the full validation at save or infer */
    if (!l.M || l.M > 65536 || !l.K || l.K > h->cfg.k_max || !l.q || l.q > h->cfg.q_max) {
        snprintf(err, errlen, "layer %u: M %u, K %u or q %u out of range (k_max %u, q_max %u)", m->n_layers, l.M, l.K,
                 l.q, h->cfg.k_max, h->cfg.q_max);
        return -1;
    }
    if (fx_layer_alloc(&l, h->cfg.n_out)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (n_slices != l.n_slices) {
        snprintf(err, errlen, "layer %u: %llu slices per plane given, the shape and layout need %u", m->n_layers,
                 (unsigned long long)n_slices, l.n_slices);
        free(l.alpha), free(l.bias), free(l.slices);
        return -1;
    }
    memcpy(l.alpha, alpha, (size_t)l.M * l.q * sizeof *l.alpha);
    memcpy(l.bias, bias, (size_t)l.M * sizeof *l.bias);
    memcpy(l.slices, slices, (size_t)l.q * l.n_slices * sizeof *l.slices);
    unprepare(h);
    m->layers[m->n_layers++] = l;
    return 0;
}

int fx_api_save(fx_api_model *h, const char *path, char *err, size_t errlen)
{
    return fx_model_validate(&h->m, &h->cfg, err, errlen) || fx_model_write(path, &h->m, err, errlen) ? -1 : 0;
}

void fx_api_free(fx_api_model *h)
{
    if (!h) return;
    unprepare(h);
    fx_model_free(&h->m);
    free(h);
}

uint32_t fx_api_n_layers(const fx_api_model *h) { return h->m.n_layers; }

void fx_api_model_info(const fx_api_model *h, uint32_t info[FX_API_MODEL_INFO])
{
    const fx_model *m = &h->m;
    const uint32_t v[FX_API_MODEL_INFO] = {m->in_c, m->in_h, m->in_w, m->n_classes, m->n_out, m->n_tap, m->cfg_hash,
                                           m->n_layers};
    memcpy(info, v, sizeof v);
}

int fx_api_layer_info(const fx_api_model *h, uint32_t li, uint32_t info[FX_API_LAYER_INFO], char *err, size_t errlen)
{
    if (li >= h->m.n_layers) {
        snprintf(err, errlen, "no layer %u (the model has %u)", li, h->m.n_layers);
        return -1;
    }
    const fx_layer *l = &h->m.layers[li];
    const uint32_t v[FX_API_LAYER_INFO] = {l->type, l->flags, l->q,  l->n_in, l->M,    l->K,     l->in_c,
                                           l->in_h, l->in_w,  l->kh, l->kw,   l->pool, l->shift, l->n_slices};
    memcpy(info, v, sizeof v);
    return 0;
}

/* The reference needs a valid model; prepared once per set of layers. */
static int prepare(fx_api_model *h, char *err, size_t errlen)
{
    if (h->prepared) return 0;
    if (fx_ref_prepare(&h->net, &h->m, &h->cfg, err, errlen)) return -1;
    h->prepared = 1;
    return 0;
}

int fx_api_layer_arrays(fx_api_model *h, uint32_t li, int8_t *weights, int16_t *alpha, int32_t *bias, uint32_t *slices,
                        char *err, size_t errlen)
{
    uint32_t info[FX_API_LAYER_INFO];
    if (fx_api_layer_info(h, li, info, err, errlen)) return -1;
    const fx_layer *l = &h->m.layers[li];
    if (alpha) memcpy(alpha, l->alpha, (size_t)l->M * l->q * sizeof *alpha);
    if (bias) memcpy(bias, l->bias, (size_t)l->M * sizeof *bias);
    if (slices) memcpy(slices, l->slices, (size_t)l->q * l->n_slices * sizeof *slices);
    if (!weights) return 0;
    if (prepare(h, err, errlen)) return -1;
    int8_t *w = fx_ref_weight_signs(&h->net, li);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(weights, w, (size_t)l->q * l->M * l->K);
    free(w);
    return 0;
}

int fx_api_infer(fx_api_model *h, const uint8_t *images, uint64_t n, int32_t *logits, int32_t *classes, char *err,
                 size_t errlen)
{
    if (prepare(h, err, errlen)) return -1;
    const fx_model *m = &h->m;
    const size_t isz = (size_t)m->in_c * m->in_h * m->in_w;
    int32_t *lg = malloc(((size_t)m->n_classes + 1) * sizeof *lg);
    if (!lg) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint64_t i = 0; i < n; i++) {
        const int c = fx_ref_infer(&h->net, images + i * isz, lg, NULL, NULL);
        if (c < 0) {
            free(lg);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (logits) memcpy(logits + i * m->n_classes, lg, (size_t)m->n_classes * sizeof *lg);
        if (classes) classes[i] = c;
    }
    free(lg);
    return 0;
}
