/* SPDX-License-Identifier: Apache-2.0 */
/* flexor cosim: a model through the Verilated RTL and the command-level C model with the same driver
 * calls, every layer output and internal tap compared bit for bit, final logits against the integer
 * reference; the first divergence stops the run with a rerun command that dumps a waveform. */
#define _POSIX_C_SOURCE 200809L
#include "cosim_model.h"
#include "flexor/clock.h"
#include "flexor/progress.h"
#include "flexor/opt.h"
#include "flexor/driver.h"
#include "flexor/fsutil.h"
#include "flexor/outfmt.h"
#include "flexor/idx.h"
#include "flexor/layerdump.h"
#include "flexor/ref.h"
#include "rtl_backend.h"
#include "tapbook.h"
#include "wavesave.h"
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int32_t *v;
    uint32_t N, M;
    size_t cap;
    int have;
} layer_out;

typedef struct {
    layer_out ref[FX_MAX_LAYERS], model[FX_MAX_LAYERS];
    fx_divergence div; /* first output-level divergence */
    fx_rtl *rtl;
    fx_layer_dump *dump; /* --layer-outputs of this image, else NULL */
} outs_t;

typedef struct {
    const char *model, *data, *wave, *csv, *json, *predictions, *layer_dir, *layer_list;
    uint64_t limit, seed, wave_from, wave_to, wave_mark, inject, watchdog;
    double stall;
    int chain, taps, random_images, quiet;
} opts_t;

static void store(layer_out *o, const int32_t *out, uint32_t N, uint32_t M)
{
    size_t n = (size_t)N * M;
    if (n > o->cap) {
        int32_t *v = realloc(o->v, n * sizeof *v);
        if (!v) {
            fprintf(stderr, "flexor cosim: out of memory\n");
            exit(2);
        }
        o->v = v, o->cap = n;
    }
    memcpy(o->v, out, n * sizeof *out);
    o->N = N, o->M = M, o->have = 1;
}

static void out_diverge(outs_t *s, const char *what, uint32_t layer, const layer_out *exp, const int32_t *out,
                        uint32_t N, uint32_t M, uint64_t cycle)
{
    if (s->div.set) return;
    if (exp->N != N || exp->M != M) {
        s->div = (fx_divergence){.set = 1, .layer = (int)layer, .chunk = UINT32_MAX, .plane = UINT32_MAX,
                                 .cycle = cycle, .expected = (int64_t)exp->N * exp->M, .actual = (int64_t)N * M};
        snprintf(s->div.what, sizeof s->div.what, "%s shape (N*M)", what);
        return;
    }
    for (size_t i = 0; i < (size_t)N * M; i++)
        if (exp->v[i] != out[i]) {
            s->div = (fx_divergence){.set = 1, .layer = (int)layer, .n = (uint32_t)(i / M), .m = (uint32_t)(i % M),
                                     .plane = UINT32_MAX, .chunk = UINT32_MAX, .cycle = cycle,
                                     .expected = exp->v[i], .actual = out[i]};
            snprintf(s->div.what, sizeof s->div.what, "%s", what);
            return;
        }
}

static void cb_ref(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    store(&((outs_t *)u)->ref[layer], out, N, M);
}
static void cb_model(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    outs_t *s = u;
    store(&s->model[layer], out, N, M);
    if (s->ref[layer].have) out_diverge(s, "layer output (C model vs reference)", layer, &s->ref[layer], out, N, M,
                                        UINT64_MAX);
}
static void cb_rtl(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    outs_t *s = u;
    if (!s->model[layer].have) {
        if (!s->div.set) {
            s->div = (fx_divergence){.set = 1, .layer = (int)layer, .chunk = UINT32_MAX, .plane = UINT32_MAX,
                                     .cycle = fx_rtl_cycle(s->rtl)};
            snprintf(s->div.what, sizeof s->div.what, "layer output the C model did not produce");
        }
        return;
    }
    out_diverge(s, "layer output", layer, &s->model[layer], out, N, M, fx_rtl_cycle(s->rtl));
    if (s->dump) fx_layer_dump_layer(s->dump, layer, out, N, M);
}

static uint64_t rtl_cycle(void *u) { return fx_rtl_cycle(u); }

static void usage(FILE *f)
{
    fprintf(f,
            "usage: flexor cosim MODEL [options]\n"
            "  MODEL                 a .fxm file, or random:ARCH[:SEED[:straddle]] (ARCH mlp or lenet)\n"
            "  --data DIR            Fashion-MNIST directory (default " FX_DEFAULT_DATA_DIR ")\n"
            "  --random-images       seeded random images instead of a dataset\n"
            "  --images N            test images to run (default 100; 0 = all); --limit N is an alias\n"
            "  --seed S              seed of the stall pattern and of the RTL's initial X values (default 1)\n"
            "  --stall P             probability of a stall cycle on each stream port (default 0)\n"
            "  --chain               keep consecutive FC layers on chip (activation buffers)\n"
            "  --no-taps             compare layer outputs only (faster)\n"
            "  --wave FILE --wave-from C --wave-to C   FST waveform of RTL cycles [C, C], and FILE.gtkw for GTKWave\n"
            "  --wave-mark C         the GTKWave view's marker at cycle C (the rerun command sets the divergence's)\n"
            "  --csv FILE, --json FILE                 summary files\n"
            "  --predictions FILE    one CSV row per bit-exact image: index,label,predicted,logit_0..\n"
            "  --layer-outputs DIR   the RTL's integer output of every layer of the --layer-images as .npy (docs/cli.md)\n"
            "  --layer-images LIST   comma list of image indices for --layer-outputs (default 0)\n"
            "  --quiet               no progress bar\n"
            "  --watchdog C          cycles without a handshake or tap that count as a deadlock (100000)\n"
            "  --inject-fault K      corrupt the RTL's K-th lane psum tap (tests the checker)\n"
            "exit status: 0 all bit-exact, 1 a divergence, 2 bad input\n");
}

static void print_rerun(const opts_t *o, uint64_t images, uint64_t cycle)
{
    uint64_t from = cycle == UINT64_MAX ? 0 : (cycle > 2000 ? cycle - 2000 : 0), to = cycle == UINT64_MAX ? 0 : cycle + 100;
    fprintf(stderr, "  rerun with a waveform: flexor cosim %s", o->model);
    if (o->random_images) fprintf(stderr, " --random-images");
    else if (o->data) fprintf(stderr, " --data %s", o->data);
    fprintf(stderr, " --images %" PRIu64 " --seed %" PRIu64 " --stall %g%s%s", images, o->seed, o->stall,
            o->chain ? " --chain" : "", o->taps ? "" : " --no-taps");
    if (o->inject) fprintf(stderr, " --inject-fault %" PRIu64, o->inject);
    if (o->watchdog != 100000) fprintf(stderr, " --watchdog %" PRIu64, o->watchdog);
    if (cycle != UINT64_MAX)
        fprintf(stderr, " --wave cosim_fail.fst --wave-from %" PRIu64 " --wave-to %" PRIu64 " --wave-mark %" PRIu64, from,
                to, cycle);
    fprintf(stderr, "\n");
}

static void print_div(const fx_divergence *d, uint64_t image, uint32_t hash, const opts_t *o)
{
    char where[160];
    int k = snprintf(where, sizeof where, "n=%u m=%u", d->n, d->m);
    if (d->plane != UINT32_MAX) k += snprintf(where + k, sizeof where - (size_t)k, " plane=%u", d->plane);
    if (d->chunk != UINT32_MAX) snprintf(where + k, sizeof where - (size_t)k, " chunk=%u", d->chunk);
    char cyc[40] = "cycle unknown";
    if (d->cycle != UINT64_MAX) snprintf(cyc, sizeof cyc, "cycle %" PRIu64, d->cycle);
    fprintf(stderr,
            "cosim: MISMATCH image %" PRIu64 ", layer %d (RUN %u), %s at %s, %s: expected %" PRId64
            " (0x%" PRIx64 "), RTL %" PRId64 " (0x%" PRIx64 ")\n",
            image, d->layer, d->run, d->what, where, cyc, d->expected, (uint64_t)d->expected, d->actual,
            (uint64_t)d->actual);
    fprintf(stderr, "  config hash 0x%08X, seed %" PRIu64 ", stall %g\n", hash, o->seed, o->stall);
    print_rerun(o, image + 1, d->cycle);
}

/* The run's summary, as written to --csv and --json. mismatches counts diverged images (the run stops at
 * the first) and counter mismatches; status is the exit status the run reached when the file was written. */
typedef struct {
    const char *model;
    uint64_t images, mismatches;
    double acc_rtl, acc_ref, cycles_per_inf, busy_per_inf, util, rtl_cps, all_cps, wall, cpu;
    uint32_t hash;
} cosim_summary;

static int write_csv(const opts_t *o, const cosim_summary *s, int status, char *err, size_t errlen)
{
    fx_out out;
    FILE *f = fx_out_open(&out, o->csv, err, errlen);
    if (!f) return -1;
    fprintf(f, "model,images,mismatches,status,acc_rtl,acc_ref,cycles_per_inf,busy_per_inf,mac_util,"
               "rtl_cycles_per_cpu_s,lockstep_cycles_per_cpu_s,wall_s,cpu_s,seed,stall,chain\n");
    fx_csv_field(f, s->model);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%d,%.4f,%.4f,%.1f,%.1f,%.4f,%.0f,%.0f,%.3f,%.3f,%" PRIu64 ",%g,%d\n", s->images,
            s->mismatches, status, s->acc_rtl, s->acc_ref, s->cycles_per_inf, s->busy_per_inf, s->util, s->rtl_cps,
            s->all_cps, s->wall, s->cpu, o->seed, o->stall, o->chain);
    return fx_out_commit(&out, err, errlen);
}

static int write_json(const opts_t *o, const cosim_summary *s, int status, char *err, size_t errlen)
{
    char hash[16];
    snprintf(hash, sizeof hash, "0x%08X", s->hash);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", s->model);
    cJSON_AddNumberToObject(j, "images", (double)s->images);
    cJSON_AddNumberToObject(j, "mismatches", (double)s->mismatches);
    cJSON_AddNumberToObject(j, "status", status);
    cJSON_AddNumberToObject(j, "acc_rtl", s->acc_rtl);
    cJSON_AddNumberToObject(j, "acc_ref", s->acc_ref);
    cJSON_AddNumberToObject(j, "cycles_per_inference", s->cycles_per_inf);
    cJSON_AddNumberToObject(j, "busy_per_inference", s->busy_per_inf);
    cJSON_AddNumberToObject(j, "mac_utilisation", s->util);
    cJSON_AddNumberToObject(j, "rtl_cycles_per_cpu_s", s->rtl_cps);
    cJSON_AddNumberToObject(j, "lockstep_cycles_per_cpu_s", s->all_cps);
    cJSON_AddNumberToObject(j, "wall_s", s->wall);
    cJSON_AddNumberToObject(j, "cpu_s", s->cpu);
    char seed[24]; /* a 64-bit seed is exact as raw digits, not as a double */
    snprintf(seed, sizeof seed, "%" PRIu64, o->seed);
    cJSON_AddRawToObject(j, "seed", seed);
    cJSON_AddNumberToObject(j, "stall", o->stall);
    cJSON_AddNumberToObject(j, "chain", o->chain);
    cJSON_AddStringToObject(j, "config_hash", hash);
    int r = fx_write_json(o->json, j, err, errlen);
    cJSON_Delete(j);
    return r;
}

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {{"data", 1, 0, 'd'},      {"images", 1, 0, 'n'},   {"limit", 1, 0, 'n'},    {"seed", 1, 0, 's'},
                                       {"stall", 1, 0, 'p'},     {"wave", 1, 0, 'w'},     {"wave-from", 1, 0, 'f'},
                                       {"wave-to", 1, 0, 't'},   {"chain", 0, 0, 'c'},    {"no-taps", 0, 0, 'T'},
                                       {"csv", 1, 0, 'C'},       {"json", 1, 0, 'J'},     {"quiet", 0, 0, 'q'},
                                       {"random-images", 0, 0, 'R'}, {"inject-fault", 1, 0, 'I'},
                                       {"watchdog", 1, 0, 'W'},  {"predictions", 1, 0, 'P'},
                                       {"layer-outputs", 1, 0, 'L'}, {"layer-images", 1, 0, 'M'},
                                       {"wave-mark", 1, 0, 'K'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    *o = (opts_t){.limit = 100, .seed = 1, .taps = 1, .wave_to = UINT64_MAX, .watchdog = 100000, .layer_list = "0",
                  .wave_mark = UINT64_MAX};
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'n': if (fx_parse_u64(optarg, 0, UINT32_MAX, &o->limit)) return fx_opt_bad_value("cosim", "images", optarg, "an image count 0..4294967295 (0 = all)"); break;
        case 's': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->seed)) return fx_opt_bad_value("cosim", "seed", optarg, "a non-negative integer"); break;
        case 'p': if (fx_parse_double(optarg, 0, nextafter(1.0, 0.0), &o->stall)) return fx_opt_bad_value("cosim", "stall", optarg, "a probability in [0, 1)"); break;
        case 'w': o->wave = optarg; break;
        case 'f': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->wave_from)) return fx_opt_bad_value("cosim", "wave-from", optarg, "a cycle number"); break;
        case 't': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->wave_to)) return fx_opt_bad_value("cosim", "wave-to", optarg, "a cycle number"); break;
        case 'K': if (fx_parse_u64(optarg, 0, UINT64_MAX - 1, &o->wave_mark)) return fx_opt_bad_value("cosim", "wave-mark", optarg, "a cycle number"); break;
        case 'c': o->chain = 1; break;
        case 'T': o->taps = 0; break;
        case 'C': o->csv = optarg; break;
        case 'J': o->json = optarg; break;
        case 'P': o->predictions = optarg; break;
        case 'L': o->layer_dir = optarg; break;
        case 'M': o->layer_list = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'R': o->random_images = 1; break;
        case 'I': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->inject)) return fx_opt_bad_value("cosim", "inject-fault", optarg, "a tap index"); break;
        case 'W': if (fx_parse_u64(optarg, 1, UINT64_MAX, &o->watchdog)) return fx_opt_bad_value("cosim", "watchdog", optarg, "a positive cycle count"); break;
        case 'h': usage(stdout); exit(0);
        default: return fx_opt_error("cosim", c, argv);
        }
    }
    if (optind != argc - 1) return fx_opt_fail("cosim", "expected one MODEL argument");
    o->model = argv[optind];
    return 0;
}

int fx_cmd_cosim(int argc, char **argv)
{
    opts_t o;
    if (parse(argc, argv, &o)) return 2;
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_rtl_info info;
    fx_rtl_get_info(&info);
    char err[512];
    fx_model m;
    int rc = fx_cosim_load_model(o.model, cfg, info.hash, &m, err, sizeof err);
    if (rc) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        return rc;
    }
    fx_images im;
    if (fx_cosim_load_images(o.random_images ? NULL : (o.data ? o.data : FX_DEFAULT_DATA_DIR), &m, (uint32_t)o.limit,
                             o.seed, &im, err, sizeof err)) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        fx_model_free(&m);
        return 2;
    }
    uint32_t dump_idx[64];
    const int n_dump = o.layer_dir ? fx_layer_dump_list(o.layer_list, dump_idx, 64) : 0;
    for (int k = 0; k < n_dump; k++)
        if (dump_idx[k] >= im.n) {
            fprintf(stderr, "flexor cosim: --layer-images: image %u is not among the %u images\n", dump_idx[k], im.n);
            fx_cosim_free_images(&im);
            fx_model_free(&m);
            return 2;
        }
    if (n_dump < 0) {
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return fx_opt_bad_value("cosim", "layer-images", o.layer_list, "a comma list of at most 64 image indices");
    }
    fx_plan plan;
    fx_ref_net net;
    if (fx_driver_plan(cfg, &m, &plan, err, sizeof err) || fx_ref_prepare(&net, &m, cfg, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", o.model, err);
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }

    fx_out pred_out;
    FILE *pred_f = NULL;
    if (o.predictions && !(pred_f = fx_out_open(&pred_out, o.predictions, err, sizeof err))) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        fx_ref_free(&net);
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }
    if (pred_f) fx_pred_csv_header(pred_f, m.n_classes);

    fx_rtl_opts ro = {.xseed = o.seed, .stall = o.stall, .stall_seed = o.seed, .watchdog = o.watchdog,
                      .inject_tap = o.inject};
    fx_backend *rtl_b = fx_rtl_backend_new(cfg, &ro), *mod_b = fx_accel_model_new(cfg);
    fx_rtl *rtl = fx_rtl_backend_rtl(rtl_b);
    if (o.wave && fx_rtl_wave(rtl, o.wave, o.wave_from, o.wave_to))
        fprintf(stderr, "cosim: this build has no FST support; --wave ignored\n");
    fx_tapbook tb_m; /* the C model's taps are recorded, the RTL's checked against the record */
    fx_tapbook_init(&tb_m, cfg->lanes);
    fx_backend *mod = mod_b, *dut = rtl_b;
    if (o.taps) {
        mod = fx_tap_spy_new(mod_b, &tb_m, cfg);
        dut = fx_tap_spy_new(rtl_b, &tb_m, cfg);
        tb_m.plan = &plan, tb_m.n_layers = m.n_layers;
        tb_m.cycle = rtl_cycle, tb_m.cycle_user = rtl;
    }
    outs_t *outs = calloc(1, sizeof *outs);
    if (!outs) abort();
    outs->rtl = rtl;

    double t0 = fx_wall_s(), cpu0 = fx_cpu_s();
    int status = 0;
    uint64_t img = 0, ok_rtl = 0, ok_ref = 0, compared = 0, mismatches = 0;
    const uint32_t clear = (uint32_t)FX_OP_CLEAR_COUNTERS << 24;
    if (fx_driver_load(mod, cfg, &m, &plan, err, sizeof err) || fx_driver_load(dut, cfg, &m, &plan, err, sizeof err) ||
        mod->write(mod, &clear, 1) || dut->write(dut, &clear, 1)) {
        fprintf(stderr, "cosim: loading the model failed: %s %s\n", err, fx_rtl_backend_msg(rtl_b));
        fprintf(stderr, "  config hash 0x%08X, seed %" PRIu64 "\n", info.hash, o.seed);
        print_rerun(&o, 1, fx_rtl_cycle(rtl));
        status = 1;
        goto out;
    }
    uint64_t cyc0 = fx_rtl_cycle(rtl);
    double rtl_s0 = fx_rtl_backend_seconds(rtl_b), rtl_c0 = fx_rtl_backend_cpu_seconds(rtl_b);
    fx_progress pr;
    fx_progress_start(&pr, "images", im.n, o.quiet ? FX_PROGRESS_OFF : FX_PROGRESS_ON);
    const uint32_t nc = m.n_classes;
    int32_t *lg_ref = calloc(3 * (size_t)nc, sizeof *lg_ref), *lg_mod = lg_ref + nc, *lg_rtl = lg_mod + nc;
    if (!lg_ref) abort();
    for (img = 0; img < im.n; img++) {
        const uint8_t *x = im.images + (size_t)img * im.size;
        for (uint32_t l = 0; l < m.n_layers; l++) outs->ref[l].have = outs->model[l].have = 0;
        int c_ref = fx_ref_infer(&net, x, lg_ref, cb_ref, outs);
        fx_tapbook_rewind(&tb_m, FX_TB_RECORD);
        int c_mod = fx_driver_infer(mod, cfg, &m, &plan, x, lg_mod, o.chain, cb_model, outs);
        if (tb_m.first.set && !outs->div.set) outs->div = tb_m.first;
        fx_tapbook_rewind(&tb_m, FX_TB_CHECK);
        fx_layer_dump dump;
        outs->dump = NULL;
        for (int k = 0; k < n_dump; k++)
            if (dump_idx[k] == img) {
                if (fx_layer_dump_begin(&dump, o.layer_dir, img, &m, x, err, sizeof err)) {
                    fprintf(stderr, "flexor cosim: %s\n", err);
                    fx_progress_end(&pr);
                    free(lg_ref);
                    status = 2;
                    goto out;
                }
                outs->dump = &dump;
            }
        int c_rtl = outs->div.set ? -1 : fx_driver_infer(dut, cfg, &m, &plan, x, lg_rtl, o.chain, cb_rtl, outs);
        if (outs->dump && c_rtl >= 0 && fx_layer_dump_end(outs->dump, lg_rtl)) {
            fprintf(stderr, "flexor cosim: %s\n", err);
            fx_progress_end(&pr);
            free(lg_ref);
            status = 2;
            goto out;
        }
        if (o.taps && !outs->div.set && c_rtl >= 0) fx_tapbook_finish(&tb_m);
        compared = tb_m.compared;
        fx_divergence *d = NULL;
        /* The earliest evidence first: a tap diverges before the layer output it feeds. */
        if (tb_m.first.set) d = &tb_m.first;
        else if (outs->div.set) d = &outs->div;
        if (!d && (c_mod < 0 || c_rtl < 0)) {
            fprintf(stderr, "cosim: image %" PRIu64 ": %s failed: %s (RTL err %u, C model err %u)\n", img,
                    c_mod < 0 ? "the C model" : "the RTL", c_rtl < 0 ? fx_rtl_backend_msg(rtl_b) : "",
                    rtl_b->error(rtl_b), mod_b->error(mod_b));
            fprintf(stderr, "  config hash 0x%08X, seed %" PRIu64 "\n", info.hash, o.seed);
            print_rerun(&o, img + 1, fx_rtl_cycle(rtl));
            status = 1;
            break;
        }
        if (!d) {
            for (uint32_t k = 0; k < nc && !d; k++)
                if (lg_rtl[k] != lg_ref[k]) {
                    outs->div = (fx_divergence){.set = 1, .layer = (int)m.n_layers - 1, .m = k, .plane = UINT32_MAX,
                                                .chunk = UINT32_MAX, .cycle = fx_rtl_cycle(rtl),
                                                .expected = lg_ref[k], .actual = lg_rtl[k]};
                    snprintf(outs->div.what, sizeof outs->div.what, "logit (RTL vs reference)");
                    d = &outs->div;
                }
            if (!d && c_rtl != c_ref) abort(); /* equal logits give equal classes */
        }
        if (d) {
            mismatches++;
            fx_progress_end(&pr);
            print_div(d, img, info.hash, &o);
            status = 1;
            break;
        }
        if (im.labels) ok_rtl += c_rtl == im.labels[img], ok_ref += c_ref == im.labels[img];
        if (pred_f) fx_pred_csv_row(pred_f, img, im.labels ? im.labels[img] : -1, c_rtl, lg_rtl, nc);
        char extra[64];
        double rs = fx_rtl_backend_seconds(rtl_b) - rtl_s0;
        snprintf(extra, sizeof extra, "%.2f Mcycles/s", rs > 0 ? (double)(fx_rtl_cycle(rtl) - cyc0) / rs / 1e6 : 0);
        fx_progress_update(&pr, img + 1, extra);
    }
    if (!status) fx_progress_end(&pr);
    free(lg_ref);
    double wall = fx_wall_s() - t0, rtl_s = fx_rtl_backend_seconds(rtl_b) - rtl_s0, cpu = fx_cpu_s() - cpu0,
           rtl_c = fx_rtl_backend_cpu_seconds(rtl_b) - rtl_c0;
    uint64_t cycles = fx_rtl_cycle(rtl) - cyc0;
    fx_counters cr, cm;
    rtl_b->counters(rtl_b, &cr);
    mod_b->counters(mod_b, &cm);
    if (!status && cr.slices != cm.slices) {
        fprintf(stderr, "cosim: MISMATCH counter cnt_slices: C model %" PRIu64 ", RTL %" PRIu64 "\n", cm.slices,
                cr.slices);
        mismatches++;
        status = 1;
    }
    {
        /* A summary even after a divergence at image 0: scripts read the JSON for the status. */
        double n = img ? (double)img : 1, util = cr.busy ? (double)cr.slices / ((double)cfg->lanes * (double)cr.busy) : 0;
        double rtl_cps = rtl_c > 0 ? (double)cycles / rtl_c : 0, all_cps = cpu > 0 ? (double)cycles / cpu : 0;
        printf("cosim %s: %" PRIu64 " images, %s, config %s hash 0x%08X, seed %" PRIu64 ", stall %g%s\n", o.model,
               img, status ? "DIVERGED" : "0 mismatches", info.cfg_name, info.hash, o.seed, o.stall,
               o.chain ? ", FC chain on chip" : "");
        printf("  %-36s %s\n", "quantity", "value");
        if (im.labels) {
            printf("  %-36s %.2f %%\n", "accuracy, RTL", 100.0 * (double)ok_rtl / n);
            printf("  %-36s %.2f %%\n", "accuracy, reference", 100.0 * (double)ok_ref / n);
        }
        printf("  %-36s %.0f\n", "cycles / inference (incl. I/O)", (double)cycles / n);
        printf("  %-36s %.0f\n", "RUN cycles / inference (cnt_busy)", (double)cr.busy / n);
        printf("  %-36s %.0f\n", "stall cycles / inference (cnt_stall)", (double)cr.stall / n);
        printf("  %-36s %.1f %%\n", "MAC utilisation in RUNs", 100.0 * util);
        printf("  %-36s %.0f\n", "MACs / inference", (double)cr.slices * cfg->n_out / n);
        printf("  %-36s %" PRIu64 "\n", "taps compared", compared);
        printf("  %-36s %.2f M (%.2f M per wall second)\n", "RTL cycles / CPU-second, RTL only", rtl_cps / 1e6,
               rtl_s > 0 ? (double)cycles / rtl_s / 1e6 : 0);
        printf("  %-36s %.2f M (%.2f M per wall second)\n", "cycles / CPU-second, lockstep", all_cps / 1e6,
               wall > 0 ? (double)cycles / wall / 1e6 : 0);
        printf("  %-36s %.2f s (CPU %.2f s)\n", "time", wall, cpu);
        printf("  %-36s %.0f s wall, %.0f s CPU\n", "projected for 10000 images", wall / n * 1e4, cpu / n * 1e4);
        double acc_rtl = im.labels ? (double)ok_rtl / n : -1, acc_ref = im.labels ? (double)ok_ref / n : -1;
        const cosim_summary sum = {o.model, img, mismatches, acc_rtl, acc_ref, (double)cycles / n, (double)cr.busy / n,
                                   util, rtl_cps, all_cps, wall, cpu, info.hash};
        char err[1200];
        /* The files record the status the run reached; a failed write then makes the exit status 2. */
        if (o.csv && write_csv(&o, &sum, status, err, sizeof err)) {
            fprintf(stderr, "flexor cosim: %s\n", err);
            status = status ? status : 2;
        }
        if (o.json && write_json(&o, &sum, status, err, sizeof err)) {
            fprintf(stderr, "flexor cosim: %s\n", err);
            status = status ? status : 2;
        }
        if (pred_f && fx_out_commit(&pred_out, err, sizeof err)) {
            fprintf(stderr, "flexor cosim: %s\n", err);
            status = status ? status : 2;
        }
        pred_f = NULL;
    }
out:
    if (pred_f) fx_out_abort(&pred_out);
    if (o.taps) {
        mod->destroy(mod);
        dut->destroy(dut);
    }
    fx_tapbook_free(&tb_m);
    rtl_b->destroy(rtl_b); /* closes the FST dump */
    mod_b->destroy(mod_b);
    if (o.wave && !access(o.wave, F_OK)) {
        char werr[600];
        if (fx_wave_savefile(o.wave, o.wave_mark, werr, sizeof werr)) {
            fprintf(stderr, "flexor cosim: %s\n", werr);
            status = status ? status : 2;
        }
    }
    for (uint32_t l = 0; l < FX_MAX_LAYERS; l++) free(outs->ref[l].v), free(outs->model[l].v);
    free(outs);
    fx_ref_free(&net);
    fx_cosim_free_images(&im);
    fx_model_free(&m);
    return status;
}
