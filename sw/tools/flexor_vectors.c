/* SPDX-License-Identifier: Apache-2.0 */
/* flexor-vectors: test vectors for the RTL from the host driver and the command-level C model: everything
 * that crosses the ports for a model and random images. Options and file formats: docs/vectors.md. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/rng.h"
#include "flexor/driver.h"
#include "flexor/fsutil.h"
#include "flexor/model_random.h"
#include "flexor/opt.h"
#include "flexor/recorder.h"
#include "flexor/outfmt.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The taps of a run, 6 / 4 words a record (tap_chunk.hex, tap_acc.hex). */
typedef struct {
    fx_words tc, ta;
} taprec;

static void keep(fx_words *v, const uint32_t *f, size_t k)
{
    if (fx_words_push(v, f, k)) { fprintf(stderr, "flexor-vectors: out of memory\n"); exit(2); }
}

static void tap_chunk(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    const uint32_t f[6] = {col, m, plane, chunk, dec, (uint32_t)psum};
    keep(&((taprec *)u)->tc, f, 6);
}

static void tap_acc(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    const uint32_t f[4] = {col, m, plane, (uint32_t)acc};
    keep(&((taprec *)u)->ta, f, 4);
}

/* ---- files, written atomically ------------------------------------------------------------------ */

static const char *g_dir;

static FILE *open_tmp(const char *name, fx_out *o) { return fx_out_open_or_exit(o, "flexor-vectors", g_dir, name); }
static void close_tmp(fx_out *o) { fx_out_commit_or_exit(o, "flexor-vectors"); }

/* fields words per line */
static void write_hex(const char *name, const fx_words *v, size_t fields)
{
    fx_out tmp;
    FILE *f = open_tmp(name, &tmp);
    for (size_t i = 0; i < v->n; i++) fprintf(f, "%08x%c", v->w[i], (i + 1) % fields ? ' ' : '\n');
    close_tmp(&tmp);
}

/* ---- --error K: one crafted failing command, then a valid RUN -------------------------------------- */

/* After the normal traffic: the command that raises error `code` (docs/accelerator.md "Errors"), then the
 * last layer's input loaded into buffer 0 and its RUN, whose results must still come out (later commands
 * execute; the failing command produces nothing). Raw words: the driver refuses to run after an error. */
static void error_tail(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan,
                       const uint8_t *last_in, uint32_t code)
{
    const uint32_t L = m->n_layers - 1, aw = fx_hwcfg_widths(cfg).a_words, M = m->layers[L].M;
    uint32_t run[9], bad[9], w;
    fx_driver_run_words(cfg, m, plan, L, 1, 1, 0, 1, 0, 0, run);
    memcpy(bad, run, sizeof bad);
    switch (code) {
    case 1: w = 0x7Fu << 24; b->write(b, &w, 1); break;
    case 2: bad[4] &= ~0xFu; b->write(b, bad, 9); break;                      /* q = 0 */
    case 3: bad[4] = (bad[4] & ~(0x3Fu << 4 | 1u << 10)) | ((cfg->n_out - 1) & 0x3F) << 4; /* plain, N_in != N_OUT */
        b->write(b, bad, 9); break;
    case 4: bad[7] = cfg->amem_depth; b->write(b, bad, 9); break;           /* source beyond the buffer */
    case 5: bad[4] |= 1u << 22; b->write(b, bad, 9); break;                 /* a reserved flag bit */
    default: {                                                             /* 6: buffer 2 does not exist */
        uint32_t hdr[3] = {(uint32_t)FX_OP_LOAD_A << 24 | 2, 0, 1};
        b->write(b, hdr, 3);
        for (uint32_t i = 0; i < aw; i++) b->write(b, run, 1); /* data that looks like a command: dropped */
    }
    }
    const fx_layer *l = &m->layers[L];
    uint32_t CH = (l->K + cfg->n_out - 1) / cfg->n_out;
    uint8_t *cols = calloc((size_t)CH * cfg->n_out, 1);
    uint32_t *a = calloc(3 + (size_t)CH * aw, sizeof *a), *out = malloc(M * sizeof *out);
    fx_im2col(l, cfg->n_out, last_in, cols);
    a[0] = (uint32_t)FX_OP_LOAD_A << 24;
    a[2] = CH;
    for (uint32_t k = 0; k < CH * cfg->n_out; k++) a[3 + k / cfg->n_out * aw + k % cfg->n_out / 4] |= (uint32_t)cols[k] << (8 * (k % cfg->n_out % 4));
    b->write(b, a, 3 + (size_t)CH * aw);
    b->write(b, run, 9);
    if (b->read(b, out, M)) { fprintf(stderr, "flexor-vectors: the RUN after the error produced nothing\n"); exit(2); }
    free(cols); free(a); free(out);
}

static void usage(void)
{
    printf("usage: flexor-vectors -o DIR [-c CFG] [-a random|mlp|lenet | -m MODEL.fxm] [-s SEED] [-n IMAGES]\n"
           "                      [--chain 0|1] [--straddle] [--error K]\n"
           "  Writes into DIR the in stream, the expected out stream and taps of the driver running a model\n"
           "  (default: a random one drawn from SEED) on IMAGES random images through the command-level C model:\n"
           "  cmd.hex out.hex tap_chunk.hex tap_acc.hex vectors.vh meta.json model.fxm images.hex (docs/vectors.md).\n"
           "  -c CFG       the .cfg the RTL under test was built with (default: the build's)\n"
           "  -s SEED      seed of the model and images (default 1); -n IMAGES 1..100000 (default 1)\n"
           "  --chain 0|1  keep consecutive FC layers on chip (default 1); --straddle: straddle layout\n"
           "  --error K    append a command raising error code K (1..6)\n");
}

static int bad(const char *what, const char *val, const char *expected)
{
    fprintf(stderr, "flexor-vectors: bad value '%s' for %s: expected %s (flexor-vectors --help)\n", val, what, expected);
    return 2;
}

int main(int argc, char **argv)
{
    const char *cfg_path = NULL, *arch = "random", *model_path = NULL;
    uint64_t seed = 1;
    unsigned long images = 1;
    int chain = 1, straddle = 0;
    long error_code = 0;
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},   {"config", required_argument, 0, 'c'},
        {"arch", required_argument, 0, 'a'},  {"model", required_argument, 0, 'm'},
        {"seed", required_argument, 0, 's'},  {"images", required_argument, 0, 'n'},
        {"chain", required_argument, 0, 'C'}, {"straddle", no_argument, 0, 'S'},
        {"error", required_argument, 0, 'E'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int o;
    uint64_t v;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":o:c:a:m:s:n:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o': g_dir = optarg; break;
        case 'c': cfg_path = optarg; break;
        case 'a': arch = optarg; break;
        case 'm': model_path = optarg; break;
        case 's': if (fx_parse_u64(optarg, 0, UINT64_MAX, &seed)) return bad("--seed", optarg, "a non-negative integer"); break;
        case 'n': if (fx_parse_u64(optarg, 1, 100000, &v)) return bad("--images", optarg, "1..100000"); images = (unsigned long)v; break;
        case 'C': if (fx_parse_u64(optarg, 0, 1, &v)) return bad("--chain", optarg, "0 or 1"); chain = (int)v; break;
        case 'S': straddle = 1; break;
        case 'E': if (fx_parse_u64(optarg, 1, 6, &v)) return bad("--error", optarg, "a code 1..6"); error_code = (long)v; break;
        case 'h': usage(); return 0;
        default: fprintf(stderr, "flexor-vectors: bad option '%s' (flexor-vectors --help)\n", argv[optind - 1]); return 2;
        }
    }
    if (!g_dir || optind != argc) {
        fprintf(stderr, "flexor-vectors: expected -o DIR and no other arguments (flexor-vectors --help)\n");
        return 2;
    }
    char err[512];
    fx_hwcfg cfg;
    if (cfg_path) {
        if (fx_hwcfg_load(cfg_path, &cfg, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
    } else {
        cfg = *fx_hwcfg_builtin();
    }
    fx_model m;
    if (model_path) {
        if (fx_model_read(model_path, &cfg, &m, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
    } else if (!strcmp(arch, "random")) {
        if (fx_accel_random_model(&m, &cfg, seed)) { fprintf(stderr, "flexor-vectors: no random model fits the configuration\n"); return 2; }
        if (straddle) { fprintf(stderr, "flexor-vectors: --straddle needs --arch mlp|lenet (random models mix both layouts)\n"); return 2; }
    } else if (fx_model_random(&m, &cfg, arch, straddle ? FX_F_STRADDLE : 0, seed)) {
        fprintf(stderr, "flexor-vectors: --arch %s: unknown or does not fit the configuration\n", arch);
        return 2;
    }
    fx_plan plan;
    if (fx_model_is_v2(&m)) { /* the vectors and their replay follow RUN traffic (layer by layer) only */
        fprintf(stderr, "flexor-vectors: %s: version-2 models (RUNX) have no test vectors yet\n", model_path);
        return 2;
    }
    if (fx_driver_plan(&cfg, &m, &plan, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
    if (mkdir(g_dir, 0777) && errno != EEXIST) { fprintf(stderr, "flexor-vectors: %s: %s\n", g_dir, strerror(errno)); return 2; }

    /* the driver's traffic on the C model, every word and tap recorded */
    fx_backend *model = fx_accel_model_new(&cfg);
    if (!model) { fprintf(stderr, "flexor-vectors: cannot build the C model for this configuration\n"); return 2; }
    fx_recorder rec;
    fx_recorder_init(&rec, model);
    fx_backend *b = &rec.wrap.be;
    taprec tr = {0};
    fx_taps taps = {.chunk = tap_chunk, .acc = tap_acc, .user = &tr};
    b->set_taps(b, &taps);
    if (fx_driver_load(b, &cfg, &m, &plan, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }

    const size_t in_sz = (size_t)m.in_c * m.in_h * m.in_w;
    uint8_t *img = malloc(in_sz * images);
    int *cls = malloc(images * sizeof *cls);
    int32_t *logits = malloc((size_t)m.n_classes * sizeof *logits);
    uint64_t rng = seed ^ 0x1D6A9E5ull;
    for (size_t i = 0; i < in_sz * images; i++) img[i] = (uint8_t)(fx_splitmix64(&rng) >> 56);
    for (unsigned long k = 0; k < images; k++) {
        cls[k] = fx_driver_infer(b, &cfg, &m, &plan, img + k * in_sz, logits, chain, NULL, NULL);
        if (cls[k] < 0) { fprintf(stderr, "flexor-vectors: inference failed (error %u)\n", b->error(b)); return 2; }
    }
    if (error_code) {
        /* the last layer's input for the appendix: rerun the network unchained up to it on the reference path */
        fx_ref_net net;
        if (fx_ref_prepare(&net, &m, &cfg, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
        uint8_t *act = malloc(net.max_act + 64), *cols = malloc(net.max_act + 64);
        int32_t *out = malloc((net.max_act + 64) * sizeof *out);
        memcpy(act, img, in_sz);
        for (uint32_t li = 0; li + 1 < m.n_layers; li++) {
            uint32_t N = fx_im2col(&m.layers[li], cfg.n_out, act, cols);
            fx_ref_gemm(&net, li, cols, N, out, NULL);
            fx_layer_output_chw(&m.layers[li], out, act);
        }
        error_tail(b, &cfg, &m, &plan, act, (uint32_t)error_code);
        free(act); free(cols); free(out);
        fx_ref_free(&net);
    }
    fx_counters cnt;
    b->counters(b, &cnt);
    uint32_t ecode = b->error(b);

    write_hex("cmd.hex", &rec.cmd, 1);
    {
        fx_out tmp;
        FILE *f = open_tmp("out.hex", &tmp);
        for (size_t i = 0; i < rec.out.n; i++) fprintf(f, "%u%08x\n", rec.last.w[i], rec.out.w[i]);
        close_tmp(&tmp);
        f = open_tmp("images.hex", &tmp);
        for (size_t i = 0; i < in_sz * images; i++) fprintf(f, "%02x\n", img[i]);
        close_tmp(&tmp);
    }
    write_hex("tap_chunk.hex", &tr.tc, 6);
    write_hex("tap_acc.hex", &tr.ta, 4);
    {
        fx_out tmp;
        FILE *f = open_tmp("vectors.vh", &tmp);
        fprintf(f, "// generated by flexor-vectors (cfg %s, seed %llu, %lu image(s), chain %d)\n", cfg.name,
                (unsigned long long)seed, images, chain);
        fprintf(f, "localparam integer VEC_CMD_WORDS = %zu;\nlocalparam integer VEC_OUT_WORDS = %zu;\n", rec.cmd.n, rec.out.n);
        fprintf(f, "localparam integer VEC_TAP_CHUNKS = %zu;\nlocalparam integer VEC_TAP_ACCS = %zu;\n", tr.tc.n / 6, tr.ta.n / 4);
        fprintf(f, "localparam integer VEC_RUNS = %u;\nlocalparam integer VEC_ERR_CODE = %u;\n", rec.reads, ecode);
        fprintf(f, "localparam [63:0] VEC_BUSY = 64'd%llu;\nlocalparam [63:0] VEC_SLICES = 64'd%llu;\n",
                (unsigned long long)cnt.busy, (unsigned long long)cnt.slices);
        fprintf(f, "// classes:");
        for (unsigned long k = 0; k < images; k++) fprintf(f, " %d", cls[k]);
        fprintf(f, "\n");
        close_tmp(&tmp);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "config", cfg.name);
        char sd[24]; /* a 64-bit seed is exact as raw digits, not as a double */
        snprintf(sd, sizeof sd, "%llu", (unsigned long long)seed);
        cJSON_AddRawToObject(j, "seed", sd);
        const char *k[] = {"images", "chain", "layers", "cmd_words", "out_words", "tap_chunks", "tap_accs",
                           "runs_streamed", "err_code", "busy", "slices"};
        const double v[] = {(double)images, chain, m.n_layers, (double)rec.cmd.n, (double)rec.out.n,
                            (double)(tr.tc.n / 6), (double)(tr.ta.n / 4), rec.reads, ecode, (double)cnt.busy,
                            (double)cnt.slices};
        for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) cJSON_AddNumberToObject(j, k[t], v[t]);
        cJSON *cl = cJSON_AddArrayToObject(j, "classes");
        for (unsigned long t = 0; t < images; t++) cJSON_AddItemToArray(cl, cJSON_CreateNumber(cls[t]));
        char path[4096], jerr[4400];
        snprintf(path, sizeof path, "%s/meta.json", g_dir);
        int bad = fx_write_json(path, j, jerr, sizeof jerr);
        cJSON_Delete(j);
        if (bad) { fprintf(stderr, "flexor-vectors: %s\n", jerr); return 2; }
    }
    {
        char path[4096];
        snprintf(path, sizeof path, "%s/model.fxm", g_dir);
        if (fx_model_write(path, &m, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
    }
    printf("flexor-vectors: %s: %zu command words, %zu result words, %zu chunk taps, %zu acc taps, err %u\n", g_dir,
           rec.cmd.n, rec.out.n, tr.tc.n / 6, tr.ta.n / 4, ecode);
    model->destroy(model);
    fx_model_free(&m);
    free(img); free(cls); free(logits);
    fx_recorder_free(&rec);
    fx_words_free(&tr.tc);
    fx_words_free(&tr.ta);
    return 0;
}
