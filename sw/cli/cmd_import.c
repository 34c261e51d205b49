/* SPDX-License-Identifier: Apache-2.0 */
/* flexor import DIR OUT.fxm: the export layout of docs/export.md (written by `flexor export`, by NumPy or
 * by a framework) back into a validated model file. The stored slices are the truth; decrypted weights,
 * when given, must equal their decryption, so a framework that quantized the weights itself learns at
 * once if it used another M⊕ or layout. */
#include "cliconfig.h"
#include "commands.h"
#include "flexor/fsutil.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/npy.h"
#include "flexor/opt.h"
#include "flexor/ref.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor import DIR OUT.fxm [--config CFG]\n"
               "  Reads DIR/model.json and its .npy files (docs/export.md) and writes a validated model file.\n"
               "  Per layer alpha, bias and the stored slices are required; weights (decrypted +-1) are optional\n"
               "  and, when present, must equal the decryption of the slices.\n"
               "  --config CFG  hardware configuration (NAME of rtl/config/NAME.cfg, or a path) instead of the built-in one\n");
}

typedef struct {
    const char *dir;
    char *err;
    size_t errlen;
} importer;

/* An integer member of o in [lo, hi]; ctx names the object in messages. */
static int get_u32(importer *x, const cJSON *o, const char *key, uint32_t lo, uint32_t hi, uint32_t *v, const char *ctx)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || j->valuedouble < lo || j->valuedouble > hi) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: '%s' must be an integer in [%u, %u]", x->dir, ctx, key, lo, hi);
        return -1;
    }
    *v = (uint32_t)j->valuedouble;
    return 0;
}

static int get_bool(importer *x, const cJSON *o, const char *key, int *v, const char *ctx)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsBool(j)) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: '%s' must be true or false", x->dir, ctx, key);
        return -1;
    }
    *v = cJSON_IsTrue(j);
    return 0;
}

/* n unsigned integers from a JSON array member. */
static int get_dims(importer *x, const cJSON *o, const char *key, uint32_t *v, int n, const char *ctx)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    int ok = cJSON_IsArray(a) && cJSON_GetArraySize(a) == n;
    for (int i = 0; ok && i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(a, i);
        ok = cJSON_IsNumber(e) && e->valuedouble == floor(e->valuedouble) && e->valuedouble >= 1 &&
             e->valuedouble <= 65535;
        if (ok) v[i] = (uint32_t)e->valuedouble;
    }
    if (!ok) snprintf(x->err, x->errlen, "%s/model.json: %s: '%s' must be %d integers in [1, 65535]", x->dir, ctx, key, n);
    return ok ? 0 : -1;
}

/* The array a member names, read from DIR with its expected type and shape; NULL data when the member
 * is absent and optional. */
static int get_array(importer *x, const cJSON *o, const char *key, int required, const char *descr, const uint64_t *shape,
                     int ndim, void **data, const char *ctx)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    *data = NULL;
    if (!j && !required) return 0;
    if (!cJSON_IsString(j) || !*j->valuestring || strchr(j->valuestring, '/')) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: '%s' must name a .npy file in %s", x->dir, ctx, key, x->dir);
        return -1;
    }
    char path[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", x->dir, j->valuestring) >= sizeof path) {
        snprintf(x->err, x->errlen, "%.300s: path too long", x->dir);
        return -1;
    }
    return fx_npy_read(path, descr, shape, ndim, data, x->err, x->errlen);
}

/* A tensor reference of a version-2 layer: -1 the image, else an earlier layer's index; stored as in the
 * model file (0 the image, L+1 layer L). */
static int get_ref(importer *x, const cJSON *o, const char *key, uint32_t li, uint32_t *v, const char *ctx)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || j->valuedouble < -1 || j->valuedouble >= li) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: '%s' must be -1 (the image) or an earlier layer's index", x->dir, ctx, key);
        return -1;
    }
    *v = (uint32_t)(j->valuedouble + 1);
    return 0;
}

/* The version-2 keys of a layer (docs/export.md): stride, pad, input, residual, avg_mult, avg_shift. */
static int read_graph(importer *x, const cJSON *o, uint32_t li, fx_layer *l, const char *ctx)
{
    if (get_u32(x, o, "stride", 1, 4, &l->stride, ctx) || get_u32(x, o, "pad", 0, 63, &l->pad, ctx) ||
        get_ref(x, o, "input", li, &l->src, ctx) || get_u32(x, o, "avg_mult", 0, 65535, &l->avg_mult, ctx) ||
        get_u32(x, o, "avg_shift", 0, 39, &l->avg_shift, ctx))
        return -1;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "residual");
    if (!r) return 0;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(r, "kind");
    const char *kind = cJSON_IsString(k) ? k->valuestring : "";
    l->res_kind = !strcmp(kind, "identity") ? FX_RES_IDENTITY : !strcmp(kind, "option_a") ? FX_RES_OPTION_A : 0;
    if (!l->res_kind) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: residual 'kind' must be \"identity\" or \"option_a\"", x->dir, ctx);
        return -1;
    }
    return get_ref(x, r, "source", li, &l->res_src, ctx);
}

static int read_layer(importer *x, const cJSON *o, uint32_t li, const fx_hwcfg *cfg, int v2, fx_layer *l, int8_t **weights)
{
    char ctx[32];
    snprintf(ctx, sizeof ctx, "layer %u", li);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "";
    if (strcmp(t, "fc") && strcmp(t, "conv")) {
        snprintf(x->err, x->errlen, "%s/model.json: %s: 'type' must be \"fc\" or \"conv\"", x->dir, ctx);
        return -1;
    }
    l->type = !strcmp(t, "conv") ? FX_LAYER_CONV : FX_LAYER_FC;
    uint32_t in[3], k[2];
    int enc, strad, relu;
    if (get_u32(x, o, "M", 1, 65535, &l->M, ctx) || get_u32(x, o, "K", 1, cfg->k_max, &l->K, ctx) ||
        get_dims(x, o, "in", in, 3, ctx) || get_dims(x, o, "kernel", k, 2, ctx) ||
        get_u32(x, o, "pool", 0, v2 ? 3 : 2, &l->pool, ctx) || get_u32(x, o, "shift", 0, 63, &l->shift, ctx) ||
        get_u32(x, o, "q", 1, cfg->q_max, &l->q, ctx) || get_u32(x, o, "n_in", 1, FX_NOUT_MAX, &l->n_in, ctx) ||
        get_bool(x, o, "encrypted", &enc, ctx) || get_bool(x, o, "straddle", &strad, ctx) ||
        get_bool(x, o, "relu_u8", &relu, ctx) || (v2 && read_graph(x, o, li, l, ctx)))
        return -1;
    l->in_c = in[0], l->in_h = in[1], l->in_w = in[2], l->kh = k[0], l->kw = k[1];
    l->flags = (enc ? FX_F_ENCRYPTED : 0) | (strad ? FX_F_STRADDLE : 0) | (relu ? FX_F_RELU_U8 : 0);
    l->n_slices = fx_layer_nslices(l, cfg->n_out);
    /* shapes are checked by fx_model_validate later; the arrays' shapes follow from these fields */
    void *alpha = NULL, *bias = NULL, *slices = NULL, *w = NULL, *beta = NULL;
    if (get_array(x, o, "alpha", 1, "<i2", (const uint64_t[]){l->M, l->q}, 2, &alpha, ctx)) return -1;
    if (get_array(x, o, "bias", 1, "<i4", (const uint64_t[]){l->M}, 1, &bias, ctx)) return free(alpha), -1;
    if (get_array(x, o, "slices", 1, "<u4", (const uint64_t[]){l->q, l->n_slices}, 2, &slices, ctx) ||
        (l->res_kind && get_array(x, o, "beta", 1, "<i2", (const uint64_t[]){l->M}, 1, &beta, ctx)) ||
        get_array(x, o, "weights", 0, "|i1", (const uint64_t[]){l->q, l->M, l->K}, 3, &w, ctx) ||
        fx_layer_alloc(l, cfg->n_out)) {
        if (!x->err[0]) snprintf(x->err, x->errlen, "out of memory");
        free(alpha), free(bias), free(slices), free(w), free(beta);
        return -1;
    }
    memcpy(l->alpha, alpha, (size_t)l->M * l->q * sizeof *l->alpha);
    memcpy(l->bias, bias, (size_t)l->M * sizeof *l->bias);
    memcpy(l->slices, slices, (size_t)l->q * l->n_slices * sizeof *l->slices);
    if (beta) memcpy(l->beta, beta, (size_t)l->M * sizeof *l->beta);
    free(alpha), free(bias), free(slices), free(beta);
    *weights = w;
    return 0;
}

static int read_header(importer *x, const cJSON *doc, const fx_hwcfg *cfg, fx_model *m)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(doc, "format"), *h = cJSON_GetObjectItemCaseSensitive(doc, "config_hash");
    uint32_t version, in[3];
    if (!cJSON_IsString(f) || strcmp(f->valuestring, "flexor-export")) {
        snprintf(x->err, x->errlen, "%s/model.json: 'format' must be \"flexor-export\"", x->dir);
        return -1;
    }
    if (get_u32(x, doc, "version", 1, 2, &version, "header") || get_dims(x, doc, "input", in, 3, "header") ||
        get_u32(x, doc, "n_classes", 1, 65536, &m->n_classes, "header"))
        return -1;
    const uint32_t hash = fx_hwcfg_hash(cfg);
    char want[16];
    snprintf(want, sizeof want, "0x%08x", hash);
    if (!cJSON_IsString(h) || strcmp(h->valuestring, want)) {
        snprintf(x->err, x->errlen, "%s/model.json: config_hash %s, but configuration '%s' has %s (its M-xor, N_out, limits)",
                 x->dir, cJSON_IsString(h) ? h->valuestring : "missing", cfg->name, want);
        return -1;
    }
    m->version = version == 2 ? FX_FORMAT_V2 : FX_FORMAT_VERSION;
    m->cfg_hash = hash, m->in_c = in[0], m->in_h = in[1], m->in_w = in[2];
    m->n_out = cfg->n_out, m->n_tap = cfg->n_tap, m->seed = cfg->seed;
    return 0;
}

/* Given decrypted weights must equal what the slices decrypt to. */
static int check_weights(importer *x, const fx_model *m, const fx_hwcfg *cfg, int8_t *const *weights)
{
    fx_ref_net net;
    if (fx_ref_prepare(&net, m, cfg, x->err, x->errlen)) return -1;
    int rc = 0;
    for (uint32_t li = 0; !rc && li < m->n_layers; li++) {
        if (!weights[li]) continue;
        const fx_layer *l = &m->layers[li];
        int8_t *d = fx_ref_weight_signs(&net, li);
        const size_t n = (size_t)l->q * l->M * l->K;
        size_t i = 0;
        while (d && i < n && d[i] == weights[li][i]) i++;
        if (!d) snprintf(x->err, x->errlen, "out of memory"), rc = -1;
        else if (i < n) {
            snprintf(x->err, x->errlen, "%s: layer %u: weights [plane %zu, channel %zu, k %zu] = %d, but the slices decrypt to %d",
                     x->dir, li, i / ((size_t)l->M * l->K), i / l->K % l->M, i % l->K, weights[li][i], d[i]);
            rc = -1;
        }
        free(d);
    }
    fx_ref_free(&net);
    return rc;
}

static int import_model(importer *x, const cJSON *doc, const fx_hwcfg *cfg, fx_model *m)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers");
    const int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : 0;
    if (read_header(x, doc, cfg, m)) return -1;
    if (n < 1 || n > (int)FX_MAX_LAYERS) {
        snprintf(x->err, x->errlen, "%s/model.json: 'layers' must be an array of 1 to %d layers", x->dir, FX_MAX_LAYERS);
        return -1;
    }
    int8_t *weights[FX_MAX_LAYERS] = {0};
    int rc = 0;
    for (int li = 0; !rc && li < n; li++) {
        rc = read_layer(x, cJSON_GetArrayItem(layers, li), (uint32_t)li, cfg, fx_model_is_v2(m), &m->layers[li], &weights[li]);
        m->n_layers = (uint32_t)li + !rc;
    }
    if (!rc && fx_model_validate(m, cfg, x->err, x->errlen)) rc = -1;
    if (!rc) rc = check_weights(x, m, cfg, weights);
    for (int li = 0; li < n; li++) free(weights[li]);
    return rc;
}

int fx_cmd_import(int argc, char **argv)
{
    fx_hwcfg loaded;
    const fx_hwcfg *cfg;
    const int st = fx_cli_config_only("import", argc, argv, usage, 2, "DIR and OUT.fxm", &loaded, &cfg);
    if (st >= 0) return st;
    const char *dir = argv[optind], *out = argv[optind + 1];
    char err[1024] = "", path[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/model.json", dir) >= sizeof path)
        return fx_opt_fail("import", "DIR is too long");
    char *txt = fx_read_file(path, 16u << 20, NULL);
    if (!txt) {
        fprintf(stderr, "flexor import: %s: %s\n", path, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        return 2;
    }
    cJSON *doc = cJSON_Parse(txt);
    free(txt);
    if (!doc) {
        fprintf(stderr, "flexor import: %s: not valid JSON\n", path);
        return 2;
    }
    fx_model m;
    memset(&m, 0, sizeof m);
    importer x = {dir, err, sizeof err};
    int rc = import_model(&x, doc, cfg, &m) || fx_model_write(out, &m, err, sizeof err) ? 2 : 0;
    if (rc) fprintf(stderr, "flexor import: %s\n", err);
    else printf("imported %s: %u layers, config '%s' (0x%08x) -> %s\n", dir, m.n_layers, cfg->name, m.cfg_hash, out);
    cJSON_Delete(doc);
    fx_model_free(&m);
    return rc;
}
