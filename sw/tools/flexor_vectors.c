/* SPDX-License-Identifier: Apache-2.0 */
/* flexor-vectors: test vectors for the RTL from the host driver and the command-level C model.
 *
 * Usage: flexor-vectors -o DIR [-c CFG] [-a random|mlp|lenet | -m MODEL.fxm] [-s SEED] [-n IMAGES]
 *                       [--chain 0|1] [--straddle] [--error K]
 *
 * Runs the driver on the C model (docs/accelerator.md) for a model (random by default) and IMAGES random
 * images, recording everything that crosses the ports. The configuration is the build's (generated from
 * rtl/config/default.cfg) unless -c names another .cfg: use the one the RTL under test was built with.
 * "-a random" (default) is a small model drawn from SEED; a few seeds together cover every RUN feature
 * (conv with several columns, pooling, FC runs chained on chip, q = 1..q_max, straddle/aligned,
 * encrypted/plain, ragged K and M); mlp/lenet are the full-size architectures. Files written into DIR (atomically):
 *
 *   cmd.hex        the in stream: one 32-bit word per line, 8 hex digits (ID, LOAD_W/LOAD_P of the
 *                  model, then per image LOAD_A and RUN ...). `reg [31:0] cmd [0:VEC_CMD_WORDS-1]`.
 *   out.hex        the expected out stream: one word per line, 9 hex digits: bit 32 = out_last (the final
 *                  word of a RUN or of the ID reply), bits 31:0 = out_data. `reg [32:0] exp [0:VEC_OUT_WORDS-1]`.
 *   tap_chunk.hex  chunk taps, in order, one record per line, per active lane (ascending m) of each tap
 *                  cycle: 6 hex fields "col m plane chunk dec psum" (psum as 32-bit two's complement).
 *                  $readmemh into `reg [31:0] tc [0:6*VEC_TAP_CHUNKS-1]`: record r is tc[6r .. 6r+5].
 *                  The RTL's lane is m % LANES, its group m / LANES.
 *   tap_acc.hex    plane-accumulator taps: 4 fields "col m plane acc" per line, same conventions.
 *   vectors.vh     Verilog localparams: VEC_CMD_WORDS, VEC_OUT_WORDS, VEC_TAP_CHUNKS, VEC_TAP_ACCS,
 *                  VEC_RUNS (streamed RUNs and ID replies = words with out_last), VEC_ERR_CODE (expected err_code_o at
 *                  the end, 0 = none), VEC_SLICES (expected cnt_slices_o), VEC_BUSY (the documented bound
 *                  Σ N·G·q·S of the RUNs: cnt_busy_o is this plus the RTL's fill/drain overhead), and
 *                  a comment with each image's class.
 *   meta.json      the same numbers plus configuration, model and seed, for scripts.
 *   model.fxm      the model (format of docs/contract.md §6), to replay in csim.
 *   images.hex     the input images, one byte per line (2 hex digits), image after image.
 *
 * --error K (1..6) appends, after the normal traffic, one crafted command that raises error code K, then
 * a LOAD_A and a valid RUN of the last layer whose results are in out.hex (later commands still execute;
 * the failing command produces nothing): VEC_ERR_CODE is then K. (K = 6 sends a LOAD_A to buffer 2 whose
 * data words look like RUN commands: they must be dropped.)
 * Exit status: 0 ok, 2 bad input (one-line message). */
#define _POSIX_C_SOURCE 200809L
#include "flexor/rng.h"
#include "flexor/driver.h"
#include "flexor/fsutil.h"
#include "flexor/model_random.h"
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
    fprintf(stderr, "usage: flexor-vectors -o DIR [-c CFG] [-a random|mlp|lenet | -m MODEL.fxm] [-s SEED] "
                    "[-n IMAGES] [--chain 0|1] [--straddle] [--error K]\n");
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
    char *end;
    while ((o = getopt_long(argc, argv, "o:c:a:m:s:n:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o': g_dir = optarg; break;
        case 'c': cfg_path = optarg; break;
        case 'a': arch = optarg; break;
        case 'm': model_path = optarg; break;
        case 's': seed = strtoull(optarg, &end, 0); if (*end) { fprintf(stderr, "flexor-vectors: bad seed '%s'\n", optarg); return 2; } break;
        case 'n': images = strtoul(optarg, &end, 0); if (*end || !images || images > 100000) { fprintf(stderr, "flexor-vectors: bad image count '%s'\n", optarg); return 2; } break;
        case 'C': chain = !strcmp(optarg, "1"); if (!chain && strcmp(optarg, "0")) { fprintf(stderr, "flexor-vectors: --chain takes 0 or 1\n"); return 2; } break;
        case 'S': straddle = 1; break;
        case 'E': error_code = strtol(optarg, &end, 10); if (*end || error_code < 1 || error_code > 6) { fprintf(stderr, "flexor-vectors: --error takes a code 1..6\n"); return 2; } break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (!g_dir || optind != argc) { usage(); return 2; }
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
    if (fx_driver_plan(&cfg, &m, &plan, err, sizeof err)) { fprintf(stderr, "flexor-vectors: %s\n", err); return 2; }
    if (mkdir(g_dir, 0777) && errno != EEXIST) { fprintf(stderr, "flexor-vectors: %s: %s\n", g_dir, strerror(errno)); return 2; }

    /* the driver's traffic on the C model, every word and tap recorded */
    fx_backend *model = fx_accel_model_new(&cfg);
    if (!model) { fprintf(stderr, "flexor-vectors: cannot build the C model for this configuration\n"); return 2; }
    fx_recorder rec;
    fx_recorder_init(&rec, model);
    fx_backend *b = &rec.wrap.be;
    taprec tr = {0};
    fx_taps taps = {tap_chunk, tap_acc, &tr};
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
