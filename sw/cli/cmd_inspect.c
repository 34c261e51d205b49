/* SPDX-License-Identifier: Apache-2.0 */
/* flexor inspect MODEL: the layers of a model file, bits per weight, sizes and the config hash. */
#include "buildid.h"
#include "cliconfig.h"
#include "commands.h"
#include "layerjson.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/driver.h"
#include "flexor/perfmodel.h"
#include "flexor/opt.h"
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor inspect MODEL [--json] [--config CFG] [--mxor] [--perf [--chain]]\n"
               "       flexor inspect --mxor [--json] [--config CFG]\n"
               "  Validates MODEL (every rule of docs/contract.md §6) and prints its layers.\n"
               "  --mxor        also print the configuration's M-xor matrices (one per N_in; without MODEL, only them)\n"
               "  --perf        also the performance model's cycles per layer on the accelerator (docs/perf.md; no RTL run)\n"
               "  --chain       with --perf: consecutive FC layers chained on chip, as flexor cosim --chain\n"
               "  --json        machine-readable output\n"
               "  --config CFG  validate against a configuration (NAME of rtl/config/NAME.cfg, or a path) instead of the built-in one\n");
}

static cJSON *layer_json(const fx_layer *l, int v2, uint32_t n_out, double bpw, double w, uint64_t payload)
{
    cJSON *o = fx_layer_json(l);
    if (v2) fx_layer_json_graph(o, l);
    cJSON_AddNumberToObject(o, "n_out", n_out);
    cJSON_AddNumberToObject(o, "bits_per_weight", bpw);
    cJSON_AddNumberToObject(o, "weights", w);
    cJSON_AddNumberToObject(o, "payload_bytes", (double)payload);
    return o;
}

/* Version 2 adds stride/padding (s2 p1), the input when it is not the previous layer (<L3, <img), the
 * residual (+L0 identity, +A:L2 option A) and global average pooling (avg). */
static void shape_str(const fx_layer *l, uint32_t i, int v2, char *s, size_t n)
{
    char g[64] = "";
    if (v2) {
        int at = 0;
        if (l->stride != 1 || l->pad) at += snprintf(g + at, sizeof g - at, " s%u p%u", l->stride, l->pad);
        if (l->src != i) at += l->src ? snprintf(g + at, sizeof g - at, " <L%u", l->src - 1) : snprintf(g + at, sizeof g - at, " <img");
        if (l->res_kind && l->res_src) snprintf(g + at, sizeof g - at, " +%sL%u", l->res_kind == FX_RES_OPTION_A ? "A:" : "", l->res_src - 1);
        else if (l->res_kind) snprintf(g + at, sizeof g - at, " +%simg", l->res_kind == FX_RES_OPTION_A ? "A:" : "");
    }
    const char *pool = l->pool == FX_POOL_MAX2 ? " pool2" : l->pool == FX_POOL_AVG ? " avg" : "";
    if (l->type == FX_LAYER_CONV)
        snprintf(s, n, "%ux%ux%u k%ux%u%s ->%u%s", l->in_c, l->in_h, l->in_w, l->kh, l->kw, g, l->M, pool);
    else
        snprintf(s, n, "%u->%u%s", l->K, l->M, g);
}

static void flags_str(uint32_t f, char *s, size_t n)
{
    snprintf(s, n, "%s%s%s", f & FX_F_ENCRYPTED ? "enc" : "plain", f & FX_F_STRADDLE ? ",straddle" : "",
             f & FX_F_RELU_U8 ? ",relu" : ",raw");
}

/* Row r of M-xor as N_in characters, column j = stored bit j (docs/contract.md §2: y_r = XOR_j row_r[j]·x_j). */
static void row_str(const fx_mxor *mx, uint32_t r, char *s)
{
    for (uint32_t j = 0; j < mx->n_in; j++) s[j] = (mx->row[r] >> j) & 1 ? '1' : '0';
    s[mx->n_in] = 0;
}

/* The matrices of every N_in of cfg, as text on stdout or as an array in doc. -1 when one cannot be generated. */
static int print_mxor(const fx_hwcfg *cfg, cJSON *doc)
{
    cJSON *arr = doc ? cJSON_AddArrayToObject(doc, "mxor") : NULL;
    for (uint32_t e = 0; e < cfg->n_in_count; e++) {
        fx_mxor mx;
        if (fx_mxor_generate(cfg->seed, cfg->n_in[e], cfg->n_out, cfg->n_tap, &mx)) {
            fprintf(stderr, "flexor inspect: no M-xor for N_in %u, N_out %u, N_tap %u\n", cfg->n_in[e], cfg->n_out, cfg->n_tap);
            return -1;
        }
        cJSON *rows = NULL;
        if (arr) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddNumberToObject(o, "n_in", mx.n_in);
            cJSON_AddNumberToObject(o, "n_out", mx.n_out);
            cJSON_AddNumberToObject(o, "n_tap", mx.n_tap);
            cJSON_AddItemToObject(o, "row_masks", fx_json_u32_array(mx.row, (int)mx.n_out));
            rows = cJSON_AddArrayToObject(o, "rows");
        }
        else
            printf("M-xor N_in %u -> N_out %u (N_tap %u, seed 0x%llx): row r = decrypted bit r, column j = stored bit j\n",
                   mx.n_in, mx.n_out, mx.n_tap, (unsigned long long)cfg->seed);
        for (uint32_t r = 0; r < mx.n_out; r++) {
            char s[FX_NOUT_MAX + 1];
            row_str(&mx, r, s);
            if (rows) cJSON_AddItemToArray(rows, cJSON_CreateString(s));
            else printf("  %2u %s\n", r, s);
        }
    }
    return 0;
}

/* --perf: the predicted cycles of every layer of an image that follows another image (docs/perf.md). */
static int print_perf(const fx_hwcfg *cfg, const fx_model *m, int chain, cJSON *doc)
{
    fx_perf_layer p[FX_MAX_LAYERS];
    if (fx_model_is_v2(m)) { /* the RUNX command's cycles are the RTL's to define first */
        fprintf(stderr, "flexor inspect: --perf: a version-2 model runs as RUNX commands, whose timing is not "
                        "modelled yet\n");
        return -1;
    }
    if (fx_perf_model(cfg, m, chain, 1, p)) {
        fprintf(stderr, "flexor inspect: --perf: the performance model cannot place this model\n");
        return -1;
    }
    cJSON *arr = doc ? cJSON_CreateArray() : NULL;
    uint64_t total = 0, busy = 0;
    double bound = 0;
    if (!doc)
        printf("performance model, config '%s' (%u lanes), cycles per inference, no stalls%s:\n"
               "%-3s %-16s %5s %6s %4s %8s %7s %5s %8s %8s %10s %6s %6s\n",
               cfg->name, cfg->lanes, chain ? ", FC layers chained" : "", "#", "K x M x N", "wait", "load", "args",
               "issue", "stall", "fixed", "RUN", "total", "MAC-bound", "util", "u.all");
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_perf_layer *l = &p[i];
        total += l->total, busy += l->run.busy, bound += l->mac_bound;
        if (arr) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "layer", i);
            cJSON_AddNumberToObject(o, "K", l->shape.K);
            cJSON_AddNumberToObject(o, "M", l->shape.M);
            cJSON_AddNumberToObject(o, "N", l->shape.N);
            cJSON_AddNumberToObject(o, "q", l->shape.q);
            cJSON_AddBoolToObject(o, "straddle", l->shape.straddle);
            cJSON_AddBoolToObject(o, "dst_stream", l->shape.dst_stream);
            cJSON_AddNumberToObject(o, "wait", (double)l->wait);
            cJSON_AddNumberToObject(o, "load", (double)l->load);
            cJSON_AddNumberToObject(o, "args", (double)l->args);
            cJSON_AddNumberToObject(o, "issue", (double)l->run.issue);
            cJSON_AddNumberToObject(o, "stall", (double)l->run.stall);
            cJSON_AddNumberToObject(o, "fixed", (double)l->run.fixed);
            cJSON_AddNumberToObject(o, "busy", (double)l->run.busy);
            cJSON_AddNumberToObject(o, "cycles", (double)l->total);
            cJSON_AddNumberToObject(o, "mac_bound_cycles", l->mac_bound);
            cJSON_AddNumberToObject(o, "mac_utilisation_run", l->mac_bound / (double)l->run.busy);
            cJSON_AddNumberToObject(o, "mac_utilisation", l->mac_bound / (double)l->total);
            cJSON_AddItemToArray(arr, o);
        } else {
            char shape[48];
            snprintf(shape, sizeof shape, "%ux%ux%u%s", l->shape.K, l->shape.M, l->shape.N, l->shape.straddle ? " s" : "");
            printf("%-3u %-16s %5llu %6llu %4llu %8llu %7llu %5llu %8llu %8llu %10.1f %5.1f%% %5.1f%%\n", i, shape,
                   (unsigned long long)l->wait, (unsigned long long)l->load, (unsigned long long)l->args,
                   (unsigned long long)l->run.issue, (unsigned long long)l->run.stall, (unsigned long long)l->run.fixed,
                   (unsigned long long)l->run.busy, (unsigned long long)l->total, l->mac_bound,
                   100.0 * l->mac_bound / (double)l->run.busy, 100.0 * l->mac_bound / (double)l->total);
        }
    }
    const uint64_t load = fx_perf_load_cycles(cfg, m);
    if (doc) {
        cJSON *o = cJSON_AddObjectToObject(doc, "perf");
        cJSON_AddBoolToObject(o, "chain", chain);
        cJSON_AddNumberToObject(o, "cycles_per_inference", (double)total);
        cJSON_AddNumberToObject(o, "busy_per_inference", (double)busy);
        cJSON_AddNumberToObject(o, "mac_bound_cycles", bound);
        cJSON_AddNumberToObject(o, "model_load_cycles", (double)load);
        cJSON_AddItemToObject(o, "layers", arr);
    } else {
        printf("total: %llu cycles per inference (%llu in RUNs), MAC bound %.1f: %.1f %% utilisation in RUNs, %.1f %% "
               "overall; model load %llu cycles\n",
               (unsigned long long)total, (unsigned long long)busy, bound, 100.0 * bound / (double)busy,
               100.0 * bound / (double)total, (unsigned long long)load);
    }
    return 0;
}

/* --mxor without a model: the configuration's matrices only. */
static int mxor_only(const fx_hwcfg *cfg, int json)
{
    cJSON *doc = json ? cJSON_CreateObject() : NULL;
    if (doc) {
        char h[16];
        snprintf(h, sizeof h, "0x%08x", fx_hwcfg_hash(cfg));
        cJSON_AddStringToObject(doc, "config", cfg->name);
        cJSON_AddStringToObject(doc, "config_hash", h);
        cJSON_AddNumberToObject(doc, "n_out", cfg->n_out);
    }
    int rc = print_mxor(cfg, doc);
    if (doc) {
        char *txt = rc ? NULL : cJSON_Print(doc);
        cJSON_Delete(doc);
        if (txt) puts(txt);
        free(txt);
    }
    return rc ? 2 : 0;
}

int fx_cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"config", required_argument, 0, 'c'},
                                         {"mxor", no_argument, 0, 'x'}, {"help", no_argument, 0, 'h'},
                                         {"perf", no_argument, 0, 'p'}, {"chain", no_argument, 0, 'C'},
                                         {0, 0, 0, 0}};
    int json = 0, mxor = 0, perf = 0, chain = 0, c;
    const char *cfg_path = NULL;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":jc:h", opts, NULL)) != -1) {
        if (c == 'j') json = 1;
        else if (c == 'c') cfg_path = optarg;
        else if (c == 'x') mxor = 1;
        else if (c == 'p') perf = 1;
        else if (c == 'C') chain = 1;
        else if (c == 'h') { usage(stdout); return 0; }
        else return fx_opt_error("inspect", c, argv);
    }
    if (optind + 1 != argc && !(mxor && optind == argc)) return fx_opt_fail("inspect", "expected one MODEL argument");
    if (chain && !perf) return fx_opt_fail("inspect", "--chain needs --perf");
    if (perf && optind == argc) return fx_opt_fail("inspect", "--perf needs a MODEL");
    char err[512];
    fx_hwcfg loaded;
    const fx_hwcfg *cfg;
    if (fx_cli_hwcfg("inspect", cfg_path, &loaded, &cfg)) return 2;
    if (optind == argc) return mxor_only(cfg, json);
    const char *path = argv[optind];
    fx_model m;
    if (fx_model_read(path, cfg, &m, err, sizeof err)) { fprintf(stderr, "flexor inspect: %s\n", err); return 2; }
    uint8_t *buf;
    size_t file_bytes = 0;
    if (!fx_model_serialize(&m, &buf, &file_bytes)) free(buf);
    const uint32_t builtin_hash = fx_hwcfg_hash(fx_hwcfg_builtin());
    const int match = m.cfg_hash == builtin_hash;
    double stored_bits = 0, weights = 0;
    cJSON *doc = NULL, *layers = NULL;
    if (json) {
        doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "file", path);
        layers = cJSON_AddArrayToObject(doc, "layers");
    }
    else printf("%-3s %-5s %-26s %2s %-7s %-19s %9s %9s %9s\n", "#", "type", "shape", "q", "Nin/Nout", "flags", "bits/w",
                "weights", "payload");
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        char shape[160], flags[48];
        shape_str(l, i, fx_model_is_v2(&m), shape, sizeof shape);
        flags_str(l->flags, flags, sizeof flags);
        const double bpw = fx_layer_bits_per_weight(l, m.n_out), w = (double)l->M * l->K;
        const uint64_t payload = fx_layer_payload_bytes(l, m.n_out);
        stored_bits += bpw * w;
        weights += w;
        const char *type = l->type == FX_LAYER_CONV ? "conv" : "fc";
        if (json)
            cJSON_AddItemToArray(layers, layer_json(l, fx_model_is_v2(&m), m.n_out, bpw, w, payload));
        else
            printf("%-3u %-5s %-26s %2u %3u/%-3u %-19s %9.4f %9.0f %9llu\n", i, type, shape, l->q, l->n_in, m.n_out, flags,
                   bpw, w, (unsigned long long)payload);
    }
    const double avg = weights > 0 ? stored_bits / weights : 0;
    if (json) {
        char h[16], bh[16];
        snprintf(h, sizeof h, "0x%08x", m.cfg_hash);
        snprintf(bh, sizeof bh, "0x%08x", builtin_hash);
        cJSON_AddItemToObject(doc, "input", fx_json_u32_array((const uint32_t[]){m.in_c, m.in_h, m.in_w}, 3));
        cJSON_AddNumberToObject(doc, "n_classes", m.n_classes);
        cJSON_AddNumberToObject(doc, "format_version", fx_model_is_v2(&m) ? 2 : 1);
        cJSON_AddNumberToObject(doc, "weights", weights);
        cJSON_AddNumberToObject(doc, "avg_bits_per_weight", avg);
        cJSON_AddNumberToObject(doc, "file_bytes", (double)file_bytes);
        cJSON_AddStringToObject(doc, "config_hash", h);
        cJSON_AddStringToObject(doc, "builtin_config_hash", bh);
        cJSON_AddBoolToObject(doc, "matches_builtin", match);
        if ((mxor && print_mxor(cfg, doc)) || (perf && print_perf(cfg, &m, chain, doc))) {
            cJSON_Delete(doc);
            fx_model_free(&m);
            return 2;
        }
        char *txt = cJSON_Print(doc);
        cJSON_Delete(doc);
        if (txt) puts(txt);
        free(txt);
    }
    else
        printf("total: %.0f weights, %.4f bits/weight on average, file %zu bytes, input %ux%ux%u, %u classes, format v%d\n"
               "config hash 0x%08x: %s the built-in configuration '%s' (0x%08x)\n",
               weights, avg, file_bytes, m.in_c, m.in_h, m.in_w, m.n_classes, fx_model_is_v2(&m) ? 2 : 1, m.cfg_hash, match ? "matches" : "differs from",
               fx_hwcfg_builtin()->name, builtin_hash);
    int rc = !json && ((mxor && print_mxor(cfg, NULL)) || (perf && print_perf(cfg, &m, chain, NULL))) ? 2 : 0;
    fx_model_free(&m);
    return rc;
}
