/* SPDX-License-Identifier: Apache-2.0 */
/* flexor export MODEL DIR: everything a framework needs to rebuild the network exactly, as NumPy files
 * and one JSON index (docs/export.md). The decrypted weights come from the reference's own decryption,
 * so a framework computes with the very bits the RTL uses. */
#include "cliconfig.h"
#include "commands.h"
#include "layerjson.h"
#include "flexor/decrypt.h"
#include "flexor/fsutil.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/npy.h"
#include "flexor/opt.h"
#include "flexor/outfmt.h"
#include "flexor/ref.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_FORMAT_VERSION 1    /* a version-1 model: a chain, CHW */
#define EXPORT_FORMAT_VERSION_2 2  /* a version-2 model: the graph, HWC (docs/export.md) */

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor export MODEL DIR [--config CFG]\n"
               "  Writes MODEL as NumPy .npy files plus DIR/model.json (docs/export.md): per layer the decrypted\n"
               "  +-1 weight planes, alpha, bias, the stored slices; the M-xor matrices; shapes, shifts and flags.\n"
               "  --config CFG  hardware configuration (NAME of rtl/config/NAME.cfg, or a path) instead of the built-in one\n");
}

typedef struct {
    const char *dir;
    char *err;
    size_t errlen;
} exporter;

/* DIR/NAME.npy, and NAME.npy into the JSON object under key. */
static int put(exporter *x, cJSON *o, const char *key, const char *name, const char *descr, const uint64_t *shape,
               int ndim, const void *data)
{
    char path[4200], file[64];
    snprintf(file, sizeof file, "%s.npy", name);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", x->dir, file) >= sizeof path) {
        snprintf(x->err, x->errlen, "%.300s: path too long", x->dir);
        return -1;
    }
    if (fx_npy_write(path, descr, shape, ndim, data, x->err, x->errlen)) return -1;
    cJSON_AddStringToObject(o, key, file);
    return 0;
}

static int export_layer(exporter *x, const fx_ref_net *net, uint32_t li, cJSON *o)
{
    const fx_layer *l = &net->model->layers[li];
    cJSON_AddNumberToObject(o, "n_slices", l->n_slices);
    char name[32];
    int8_t *w = fx_ref_weight_signs(net, li);
    if (!w) { snprintf(x->err, x->errlen, "out of memory"); return -1; }
    snprintf(name, sizeof name, "layer%u_weights", li);
    int rc = put(x, o, "weights", name, "|i1", (const uint64_t[]){l->q, l->M, l->K}, 3, w);
    free(w);
    snprintf(name, sizeof name, "layer%u_alpha", li);
    rc = rc ? rc : put(x, o, "alpha", name, "<i2", (const uint64_t[]){l->M, l->q}, 2, l->alpha);
    snprintf(name, sizeof name, "layer%u_bias", li);
    rc = rc ? rc : put(x, o, "bias", name, "<i4", (const uint64_t[]){l->M}, 1, l->bias);
    snprintf(name, sizeof name, "layer%u_slices", li);
    rc = rc ? rc : put(x, o, "slices", name, "<u4", (const uint64_t[]){l->q, l->n_slices}, 2, l->slices);
    snprintf(name, sizeof name, "layer%u_beta", li);
    if (l->res_kind) rc = rc ? rc : put(x, o, "beta", name, "<i2", (const uint64_t[]){l->M}, 1, l->beta);
    return rc;
}

/* One (N_out, N_in) 0/1 matrix per N_in the model's encrypted layers use. */
static int export_mxor(exporter *x, const fx_model *m, const fx_hwcfg *cfg, cJSON *doc)
{
    cJSON *o = cJSON_AddObjectToObject(doc, "mxor");
    for (uint32_t li = 0; li < m->n_layers; li++) {
        const fx_layer *l = &m->layers[li];
        char key[16], name[32];
        snprintf(key, sizeof key, "%u", l->n_in);
        if (!(l->flags & FX_F_ENCRYPTED) || cJSON_GetObjectItemCaseSensitive(o, key)) continue;
        fx_mxor mx;
        if (fx_layer_mxor(cfg, l->flags, l->n_in, &mx)) {
            snprintf(x->err, x->errlen, "layer %u: no M-xor for N_in %u", li, l->n_in);
            return -1;
        }
        uint8_t bits[FX_NOUT_MAX * 32];
        for (uint32_t r = 0; r < mx.n_out; r++)
            for (uint32_t j = 0; j < mx.n_in; j++) bits[r * mx.n_in + j] = (mx.row[r] >> j) & 1;
        snprintf(name, sizeof name, "mxor_%u", l->n_in);
        if (put(x, o, key, name, "|u1", (const uint64_t[]){mx.n_out, mx.n_in}, 2, bits)) return -1;
    }
    return 0;
}

static int export_model(exporter *x, const fx_ref_net *net, const fx_hwcfg *cfg, const char *src)
{
    const fx_model *m = net->model;
    cJSON *doc = cJSON_CreateObject();
    char h[16];
    snprintf(h, sizeof h, "0x%08x", m->cfg_hash);
    cJSON_AddStringToObject(doc, "format", "flexor-export");
    const int v2 = fx_model_is_v2(m);
    cJSON_AddNumberToObject(doc, "version", v2 ? EXPORT_FORMAT_VERSION_2 : EXPORT_FORMAT_VERSION);
    cJSON_AddStringToObject(doc, "contract", v2 ? "2.0" : "1.0"); /* the semantics this model's file has */
    if (v2) cJSON_AddStringToObject(doc, "layout", "hwc");
    cJSON_AddStringToObject(doc, "source", src);
    cJSON_AddStringToObject(doc, "config", cfg->name);
    cJSON_AddStringToObject(doc, "config_hash", h);
    cJSON_AddItemToObject(doc, "input", fx_json_u32_array((const uint32_t[]){m->in_c, m->in_h, m->in_w}, 3));
    cJSON_AddNumberToObject(doc, "n_classes", m->n_classes);
    cJSON_AddNumberToObject(doc, "n_out", m->n_out);
    cJSON_AddNumberToObject(doc, "n_tap", m->n_tap);
    snprintf(h, sizeof h, "%llx", (unsigned long long)m->seed);
    cJSON_AddStringToObject(doc, "mxor_seed", h);
    cJSON *layers = cJSON_AddArrayToObject(doc, "layers");
    int rc = 0;
    for (uint32_t li = 0; !rc && li < m->n_layers; li++) {
        cJSON *o = fx_layer_json(&m->layers[li]);
        if (v2) fx_layer_json_graph(o, &m->layers[li]);
        cJSON_AddItemToArray(layers, o);
        rc = export_layer(x, net, li, o);
    }
    rc = rc ? rc : export_mxor(x, m, cfg, doc);
    char path[4200];
    if (!rc && (size_t)snprintf(path, sizeof path, "%s/model.json", x->dir) >= sizeof path) {
        snprintf(x->err, x->errlen, "%.300s: path too long", x->dir);
        rc = -1;
    }
    /* the index last: a folder with model.json is a complete export */
    rc = rc ? rc : fx_write_json(path, doc, x->err, x->errlen);
    cJSON_Delete(doc);
    return rc;
}

int fx_cmd_export(int argc, char **argv)
{
    fx_hwcfg loaded;
    const fx_hwcfg *cfg;
    const int st = fx_cli_config_only("export", argc, argv, usage, 2, "MODEL and DIR", &loaded, &cfg);
    if (st >= 0) return st;
    const char *path = argv[optind], *dir = argv[optind + 1];
    char err[1024];
    fx_model m;
    if (fx_model_read(path, cfg, &m, err, sizeof err)) { fprintf(stderr, "flexor export: %s\n", err); return 2; }
    fx_ref_net net;
    int rc = 2;
    if (fx_ref_prepare(&net, &m, cfg, err, sizeof err)) {
        fprintf(stderr, "flexor export: %s: %s\n", path, err);
        fx_model_free(&m);
        return 2;
    }
    if (fx_mkdir_p(dir)) fprintf(stderr, "flexor export: %s: cannot create: %s\n", dir, strerror(errno));
    else {
        exporter x = {dir, err, sizeof err};
        rc = export_model(&x, &net, cfg, path) ? 2 : 0;
        if (rc) fprintf(stderr, "flexor export: %s\n", err);
        else printf("exported %s: %u layers to %s/model.json\n", path, m.n_layers, dir);
    }
    fx_ref_free(&net);
    fx_model_free(&m);
    return rc;
}
