/* SPDX-License-Identifier: Apache-2.0 */
/* flexor cosim: a model through the Verilated RTL and the command-level C model with the same driver
 * calls, every layer output and internal tap compared bit for bit, final logits against the integer
 * reference; the first divergence stops the run with a rerun command that dumps a waveform. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L
#include "cosim_perf.h"
#include "cosim_run.h"
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
#include "wavesave.h"
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: flexor cosim MODEL [options]\n"
            "  MODEL                 a .fxm file, or random:ARCH[:SEED[:straddle]] (ARCH mlp or lenet),\n"
            "                        or random:chain[:SEED] (a format-2 chain run with RUNX)\n"
            "  --data DIR            Fashion-MNIST directory (default " FX_DEFAULT_DATA_DIR ")\n"
            "  --random-images       seeded random images instead of a dataset\n"
            "  --images N            test images to run (default 100; 0 = all); --limit N is an alias\n"
            "  --seed S              seed of the stall pattern and of the RTL's initial X values (default 1)\n"
            "  --stall P             probability of a stall cycle on each stream port (default 0)\n"
            "  --chain               keep consecutive FC layers on chip (activation buffers)\n"
            "  --no-taps             compare layer outputs only (faster)\n"
            "  --wave FILE --wave-from C --wave-to C   FST waveform of RTL cycles [C, C], and FILE.gtkw for GTKWave\n"
            "  --wave-mark C         the GTKWave view's marker at cycle C (the rerun command sets the divergence's)\n"
            "  --csv FILE, --json FILE                 summary files (the JSON with the per-layer table)\n"
            "  --perf-csv FILE       the per-layer table (performance model vs RTL cycles) as CSV\n"
            "  --perf-tol PCT        exit 1 when a layer's predicted cycles are off by more than PCT %% (needs --stall 0)\n"
            "  --predictions FILE    one CSV row per bit-exact image: index,label,predicted,logit_0..\n"
            "  --layer-outputs DIR   the RTL's integer output of every layer of the --layer-images as .npy (docs/cli.md)\n"
            "  --layer-images LIST   comma list of image indices for --layer-outputs (default 0)\n"
            "  --jobs N              worker processes, each with its own RTL model, over consecutive images (default: one\n"
            "                        per online CPU, at most 64; 1 with --wave); the results do not depend on N\n"
            "  --quiet               no progress bar\n"
            "  --watchdog C          cycles without a handshake or tap that count as a deadlock (100000)\n"
            "  --inject-fault K      corrupt the RTL's K-th lane psum tap of image --inject-image I (default 0; tests the checker)\n"
            "exit status: 0 all bit-exact, 1 a divergence, 2 bad input\n");
}

static void print_rerun(const cosim_opts *o, uint64_t images, uint64_t cycle)
{
    uint64_t from = cycle == UINT64_MAX ? 0 : (cycle > 2000 ? cycle - 2000 : 0), to = cycle == UINT64_MAX ? 0 : cycle + 100;
    fprintf(stderr, "  rerun with a waveform: flexor cosim %s", o->model);
    if (o->random_images) fprintf(stderr, " --random-images");
    else if (o->data) fprintf(stderr, " --data %s", o->data);
    fprintf(stderr, " --images %" PRIu64 " --seed %" PRIu64 " --stall %g%s%s", images, o->seed, o->stall,
            o->chain ? " --chain" : "", o->taps ? "" : " --no-taps");
    if (o->inject) fprintf(stderr, " --inject-fault %" PRIu64, o->inject);
    if (o->inject && o->inject_image) fprintf(stderr, " --inject-image %" PRIu64, o->inject_image);
    if (o->watchdog != 100000) fprintf(stderr, " --watchdog %" PRIu64, o->watchdog);
    if (cycle != UINT64_MAX)
        fprintf(stderr, " --wave cosim_fail.fst --wave-from %" PRIu64 " --wave-to %" PRIu64 " --wave-mark %" PRIu64, from,
                to, cycle);
    fprintf(stderr, "\n");
}

static void print_div(const fx_divergence *d, uint64_t image, uint32_t hash, const cosim_opts *o)
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
    const cosim_perf_row *rows; /* per-layer table (n_rows 0 after a failure) */
    uint32_t n_rows;
    uint64_t load_pred, load_meas;
} cosim_summary;

static int write_csv(const cosim_opts *o, const cosim_summary *s, int status, char *err, size_t errlen)
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

static int write_json(const cosim_opts *o, const cosim_summary *s, int status, char *err, size_t errlen)
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
    if (s->n_rows) {
        cJSON_AddNumberToObject(j, "load_cycles_predicted", (double)s->load_pred);
        cJSON_AddNumberToObject(j, "load_cycles_measured", (double)s->load_meas);
        cJSON_AddItemToObject(j, "layers", cosim_perf_json(s->rows, s->n_rows));
    }
    int r = fx_write_json(o->json, j, err, errlen);
    cJSON_Delete(j);
    return r;
}

static int parse(int argc, char **argv, cosim_opts *o)
{
    static const struct option lo[] = {{"data", 1, 0, 'd'},      {"images", 1, 0, 'n'},   {"limit", 1, 0, 'n'},    {"seed", 1, 0, 's'},
                                       {"stall", 1, 0, 'p'},     {"wave", 1, 0, 'w'},     {"wave-from", 1, 0, 'f'},
                                       {"wave-to", 1, 0, 't'},   {"chain", 0, 0, 'c'},    {"no-taps", 0, 0, 'T'},
                                       {"csv", 1, 0, 'C'},       {"json", 1, 0, 'J'},     {"quiet", 0, 0, 'q'},
                                       {"random-images", 0, 0, 'R'}, {"inject-fault", 1, 0, 'I'},
                                       {"watchdog", 1, 0, 'W'},  {"predictions", 1, 0, 'P'},
                                       {"layer-outputs", 1, 0, 'L'}, {"layer-images", 1, 0, 'M'},
                                       {"wave-mark", 1, 0, 'K'}, {"jobs", 1, 0, 'j'}, {"inject-image", 1, 0, 'G'},
                                       {"perf-csv", 1, 0, 'V'},  {"perf-tol", 1, 0, 'O'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    *o = (cosim_opts){.limit = 100, .seed = 1, .taps = 1, .wave_to = UINT64_MAX, .watchdog = 100000, .layer_list = "0",
                  .wave_mark = UINT64_MAX, .perf_tol = -1};
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
        case 'V': o->perf_csv = optarg; break;
        case 'O': if (fx_parse_double(optarg, 0, 100, &o->perf_tol)) return fx_opt_bad_value("cosim", "perf-tol", optarg, "a percentage 0..100"); break;
        case 'L': o->layer_dir = optarg; break;
        case 'M': o->layer_list = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'j': if (fx_parse_u64(optarg, 1, 64, &o->jobs)) return fx_opt_bad_value("cosim", "jobs", optarg, "a process count 1..64"); break;
        case 'G': if (fx_parse_u64(optarg, 0, UINT32_MAX, &o->inject_image)) return fx_opt_bad_value("cosim", "inject-image", optarg, "an image index"); break;
        case 'R': o->random_images = 1; break;
        case 'I': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->inject)) return fx_opt_bad_value("cosim", "inject-fault", optarg, "a tap index"); break;
        case 'W': if (fx_parse_u64(optarg, 1, UINT64_MAX, &o->watchdog)) return fx_opt_bad_value("cosim", "watchdog", optarg, "a positive cycle count"); break;
        case 'h': usage(stdout); exit(0);
        default: return fx_opt_error("cosim", c, argv);
        }
    }
    if (optind != argc - 1) return fx_opt_fail("cosim", "expected one MODEL argument");
    if (o->perf_tol >= 0 && o->stall > 0)
        return fx_opt_fail("cosim", "--perf-tol compares with the stall-free prediction: use --stall 0");
    if (o->jobs > 1 && o->wave) return fx_opt_fail("cosim", "--wave records one process's cycles: use --jobs 1");
    o->model = argv[optind];
    return 0;
}

/* The parts' ranges: consecutive blocks of images. */
static uint64_t part_lo(uint64_t n, uint64_t J, uint64_t j) { return n * j / J; }

/* A part that ended without saying why (killed by a signal, exit status): a failure at its next image. */
static void part_died(cosim_part *p, uint64_t lo, uint64_t hi, int st)
{
    if (__atomic_load_n(&p->kind, __ATOMIC_ACQUIRE) != COSIM_OK) return;
    snprintf(p->msg, sizeof p->msg, "cosim: the worker process of images %" PRIu64 "..%" PRIu64 " ended %s %d", lo, hi - 1,
             WIFSIGNALED(st) ? "by signal" : "with status", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    p->fail_img = lo + __atomic_load_n(&p->done, __ATOMIC_ACQUIRE), p->fail_rel = UINT64_MAX;
    p->kind = COSIM_FAILED;
}

/* J worker processes (fork: they share the loaded model, images and reference read-only, and write their
 * parts, records and logits to shared memory). Workers after the earliest failure are stopped: their
 * images come after it and cannot change the report. */
static void run_parallel(const cosim_ctx *c, uint64_t J, uint64_t n, cosim_part *parts, cosim_img *rec,
                         int32_t *logits, fx_progress *pr)
{
    pid_t pid[64];
    int alive[64] = {0}, killed[64] = {0};
    fflush(NULL);
    for (uint64_t j = 0; j < J; j++) {
        const uint64_t lo = part_lo(n, J, j), hi = part_lo(n, J, j + 1);
        pid[j] = fork();
        if (pid[j] == 0) {
            cosim_run_range(c, lo, hi, &parts[j], rec, logits, NULL);
            fflush(NULL);
            _exit(0);
        }
        if (pid[j] < 0) {
            snprintf(parts[j].msg, sizeof parts[j].msg, "cosim: cannot start a worker process: %s", strerror(errno));
            parts[j].fail_img = lo, parts[j].fail_rel = UINT64_MAX, parts[j].kind = COSIM_BAD;
        } else {
            alive[j] = 1;
        }
    }
    for (;;) {
        uint64_t left = 0;
        for (uint64_t j = 0; j < J; j++) left += alive[j];
        if (!left) break;
        int st;
        pid_t w = waitpid(-1, &st, WNOHANG);
        if (w < 0 && errno != EINTR) break;
        if (w > 0) {
            for (uint64_t j = 0; j < J; j++)
                if (alive[j] && pid[j] == w) {
                    alive[j] = 0;
                    if (!killed[j] && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
                        part_died(&parts[j], part_lo(n, J, j), part_lo(n, J, j + 1), st);
                }
            continue;
        }
        uint64_t done = 0, first = UINT64_MAX;
        for (uint64_t j = 0; j < J; j++) {
            done += __atomic_load_n(&parts[j].done, __ATOMIC_ACQUIRE);
            if (__atomic_load_n(&parts[j].kind, __ATOMIC_ACQUIRE) != COSIM_OK && parts[j].fail_img < first)
                first = parts[j].fail_img;
        }
        for (uint64_t j = 0; j < J; j++)
            if (alive[j] && !killed[j] && part_lo(n, J, j) > first) killed[j] = !kill(pid[j], SIGKILL);
        char extra[32];
        snprintf(extra, sizeof extra, "%" PRIu64 " processes", J);
        fx_progress_update(pr, done, extra);
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
}

/* The parts' segments added up. */
static void cosim_segs_sum(const cosim_part *parts, uint64_t J, uint32_t n_layers, cosim_seg *seg)
{
    memset(seg, 0, FX_MAX_LAYERS * sizeof *seg);
    for (uint64_t j = 0; j < J; j++)
        for (uint32_t l = 0; l < n_layers; l++) {
            const cosim_seg *p = &parts[j].seg[l];
            seg[l].cycles += p->cycles, seg[l].busy += p->busy, seg[l].stall += p->stall, seg[l].slices += p->slices;
        }
}

/* What failed first and the cycle a single-process run reports for it (the model load, then every earlier
 * image's cycles, then the part's cycles into the failing image). */
static void report_failure(const cosim_part *p, const cosim_img *rec, uint32_t hash, const cosim_opts *o)
{
    uint64_t cyc = p->load_cycles;
    for (uint64_t i = 0; i < p->fail_img; i++) cyc += rec[i].cycles;
    const uint64_t at = p->fail_rel == UINT64_MAX ? UINT64_MAX : p->kind == COSIM_LOAD_FAILED ? p->fail_rel : cyc + p->fail_rel;
    if (p->kind == COSIM_DIVERGED) {
        fx_divergence d = p->div;
        d.cycle = at;
        print_div(&d, p->fail_img, hash, o);
        return;
    }
    fprintf(stderr, "%s\n", p->msg);
    if (p->kind == COSIM_BAD) return;
    fprintf(stderr, "  config hash 0x%08X, seed %" PRIu64 "\n", hash, o->seed);
    print_rerun(o, p->kind == COSIM_LOAD_FAILED ? 1 : p->fail_img + 1, at);
}

static int load_inputs(const cosim_opts *o, const fx_hwcfg *cfg, uint32_t hash, fx_model *m, fx_images *im,
                       uint32_t *dump_idx, int *n_dump)
{
    char err[512];
    int rc = fx_cosim_load_model(o->model, cfg, hash, m, err, sizeof err);
    if (rc) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        return rc;
    }
    if (fx_cosim_load_images(o->random_images ? NULL : (o->data ? o->data : FX_DEFAULT_DATA_DIR), m, (uint32_t)o->limit,
                             o->seed, im, err, sizeof err)) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        fx_model_free(m);
        return 2;
    }
    *n_dump = o->layer_dir ? fx_layer_dump_list(o->layer_list, dump_idx, 64) : 0;
    for (int k = 0; k < *n_dump; k++)
        if (dump_idx[k] >= im->n) {
            fprintf(stderr, "flexor cosim: --layer-images: image %u is not among the %u images\n", dump_idx[k], im->n);
            rc = 2;
        }
    if (*n_dump < 0) rc = fx_opt_bad_value("cosim", "layer-images", o->layer_list, "a comma list of at most 64 image indices");
    if (rc) {
        fx_cosim_free_images(im);
        fx_model_free(m);
    }
    return rc;
}

int fx_cmd_cosim(int argc, char **argv)
{
    cosim_opts o;
    if (parse(argc, argv, &o)) return 2;
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_rtl_info info;
    fx_rtl_get_info(&info);
    char err[1200];
    fx_model m;
    fx_images im;
    uint32_t dump_idx[64];
    int n_dump, rc = load_inputs(&o, cfg, info.hash, &m, &im, dump_idx, &n_dump);
    if (rc) return rc;
    fx_plan plan;
    fx_ref_net net;
    if (fx_driver_plan(cfg, &m, &plan, err, sizeof err) || fx_ref_prepare(&net, &m, cfg, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", o.model, err);
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }
    fx_out pred_out;
    FILE *pred_f = NULL; /* opened first: a bad path fails before the run */
    if (o.predictions && !(pred_f = fx_out_open(&pred_out, o.predictions, err, sizeof err))) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        fx_ref_free(&net);
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }
    if (pred_f) fx_pred_csv_header(pred_f, m.n_classes);
    const uint64_t n = im.n, nc = m.n_classes;
    uint64_t J = o.jobs;
    if (!J) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        J = o.wave ? 1 : cpus < 1 ? 1 : cpus > 64 ? 64 : (uint64_t)cpus;
    }
    if (J > n) J = n ? n : 1;
    const size_t bytes = J * sizeof(cosim_part) + (n ? n : 1) * (sizeof(cosim_img) + nc * sizeof(int32_t));
    void *mem = J > 1 ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) : calloc(1, bytes);
    if (!mem || mem == MAP_FAILED) {
        fprintf(stderr, "flexor cosim: out of memory for %" PRIu64 " images\n", n);
        if (pred_f) fx_out_abort(&pred_out);
        fx_ref_free(&net);
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }
    cosim_part *parts = mem;
    cosim_img *rec = (cosim_img *)(parts + J);
    int32_t *logits = (int32_t *)(rec + (n ? n : 1));
    const cosim_ctx ctx = {&o, cfg, &m, &plan, &net, &im, dump_idx, n_dump, info.hash};

    const double t0 = fx_wall_s(), cpu0 = fx_cpu_s();
    fx_progress pr;
    fx_progress_start(&pr, "images", n, o.quiet ? FX_PROGRESS_OFF : FX_PROGRESS_ON);
    if (J == 1) cosim_run_range(&ctx, 0, n, &parts[0], rec, logits, &pr);
    else run_parallel(&ctx, J, n, parts, rec, logits, &pr);
    fx_progress_end(&pr);
    const double wall = fx_wall_s() - t0;

    /* the parts are consecutive: the first failing one holds the earliest failure */
    const cosim_part *failed = NULL;
    double cpu = fx_cpu_s() - cpu0, rtl_c = 0, rtl_s = 0;
    uint64_t slices_rtl = 0, slices_model = 0;
    for (uint64_t j = 0; j < J; j++) {
        if (!failed && parts[j].kind != COSIM_OK) failed = &parts[j];
        if (J > 1) cpu += parts[j].cpu;
        rtl_c += parts[j].rtl_cpu, rtl_s += parts[j].rtl_wall;
        slices_rtl += parts[j].slices_rtl, slices_model += parts[j].slices_model;
    }
    int status = failed ? (failed->kind == COSIM_BAD ? 2 : 1) : 0;
    uint64_t mismatches = failed && failed->kind == COSIM_DIVERGED;
    const uint64_t img = failed ? failed->fail_img : n;
    if (failed) report_failure(failed, rec, info.hash, &o);
    cosim_seg seg[FX_MAX_LAYERS];
    uint64_t ok_rtl = 0, ok_ref = 0, cycles = 0, busy = 0, stall = 0, slices = 0, compared = 0;
    for (uint64_t i = 0; i < img; i++) {
        ok_rtl += rec[i].c_rtl == rec[i].label, ok_ref += rec[i].c_ref == rec[i].label;
        cycles += rec[i].cycles, busy += rec[i].busy, stall += rec[i].stall, slices += rec[i].slices;
        compared += rec[i].taps;
    }
    if (!status && slices_rtl != slices_model) {
        fprintf(stderr, "cosim: MISMATCH counter cnt_slices: C model %" PRIu64 ", RTL %" PRIu64 "\n", slices_model,
                slices_rtl);
        mismatches++;
        status = 1;
    }
    /* A summary even after a divergence at image 0: scripts read the JSON for the status. */
    double nn = img ? (double)img : 1, util = busy ? (double)slices / ((double)cfg->lanes * (double)busy) : 0;
    double rtl_cps = rtl_c > 0 ? (double)cycles / rtl_c : 0, all_cps = cpu > 0 ? (double)cycles / cpu : 0;
    printf("cosim %s: %" PRIu64 " images, %s, config %s hash 0x%08X, seed %" PRIu64 ", stall %g%s\n", o.model, img,
           status ? "DIVERGED" : "0 mismatches", info.cfg_name, info.hash, o.seed, o.stall,
           o.chain ? ", FC chain on chip" : "");
    printf("  %-36s %s\n", "quantity", "value");
    if (im.labels) {
        printf("  %-36s %.2f %%\n", "accuracy, RTL", 100.0 * (double)ok_rtl / nn);
        printf("  %-36s %.2f %%\n", "accuracy, reference", 100.0 * (double)ok_ref / nn);
    }
    printf("  %-36s %.0f\n", "cycles / inference (incl. I/O)", (double)cycles / nn);
    printf("  %-36s %.0f\n", "RUN cycles / inference (cnt_busy)", (double)busy / nn);
    printf("  %-36s %.0f\n", "stall cycles / inference (cnt_stall)", (double)stall / nn);
    printf("  %-36s %.1f %%\n", "MAC utilisation in RUNs", 100.0 * util);
    printf("  %-36s %.0f\n", "MACs / inference", (double)slices * cfg->n_out / nn);
    printf("  %-36s %" PRIu64 "\n", "taps compared", compared);
    printf("  %-36s %.2f M (%.2f M per wall second)\n", "RTL cycles / CPU-second, RTL only", rtl_cps / 1e6,
           rtl_s > 0 ? (double)cycles / rtl_s / 1e6 : 0);
    printf("  %-36s %.2f M (%.2f M per wall second)\n", "cycles / CPU-second, lockstep", all_cps / 1e6,
           wall > 0 ? (double)cycles / wall / 1e6 : 0);
    printf("  %-36s %.2f s (CPU %.2f s, %" PRIu64 " process%s)\n", "time", wall, cpu, J, J > 1 ? "es" : "");
    printf("  %-36s %.0f s wall, %.0f s CPU\n", "projected for 10000 images", wall / nn * 1e4, cpu / nn * 1e4);
    double acc_rtl = im.labels ? (double)ok_rtl / nn : -1, acc_ref = im.labels ? (double)ok_ref / nn : -1;
    /* The per-layer table needs every image's segments: only after a run without failure. */
    cosim_segs_sum(parts, J, m.n_layers, seg);
    cosim_perf_row rows[FX_MAX_LAYERS];
    const uint32_t n_rows = failed ? 0 : cosim_perf_rows(cfg, &m, o.chain, img, seg, rows);
    const uint64_t load_pred = FX_RTL_BACKEND_RESET_CYCLES + fx_perf_load_cycles(cfg, &m) + 1; /* + CLEAR_COUNTERS */
    if (n_rows) {
        cosim_perf_print(stdout, rows, n_rows, o.stall > 0);
        printf("  model load (reset, ID, LOAD_W/P, CLEAR_COUNTERS): predicted %" PRIu64 ", measured %" PRIu64 " cycles\n",
               load_pred, parts[0].load_cycles);
        const double worst = cosim_perf_worst(rows, n_rows);
        if (o.perf_tol >= 0 && (worst > o.perf_tol || load_pred != parts[0].load_cycles)) {
            fprintf(stderr, "cosim: performance model off by %.2f %% on a layer (tolerance %g %%) or on the load\n", worst,
                    o.perf_tol);
            status = status ? status : 1;
        }
    } else if (fx_model_is_v2(&m) && !failed) {
        printf("  performance model: not compared (a version-2 chain whose last layer is pooled reports no "
               "per-layer segment)\n");
    }
    const cosim_summary sum = {o.model, img, mismatches, acc_rtl, acc_ref, (double)cycles / nn, (double)busy / nn,
                               util, rtl_cps, all_cps, wall, cpu, info.hash, rows, n_rows, load_pred,
                               parts[0].load_cycles};
    /* The files record the status the run reached; a failed write then makes the exit status 2. */
    if (o.csv && write_csv(&o, &sum, status, err, sizeof err)) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        status = status ? status : 2;
    }
    if (o.perf_csv && n_rows && cosim_perf_csv(o.perf_csv, rows, n_rows, err, sizeof err)) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        status = status ? status : 2;
    }
    if (o.json && write_json(&o, &sum, status, err, sizeof err)) {
        fprintf(stderr, "flexor cosim: %s\n", err);
        status = status ? status : 2;
    }
    if (pred_f) {
        for (uint64_t i = 0; i < img; i++) fx_pred_csv_row(pred_f, i, rec[i].label, rec[i].c_rtl, logits + i * nc, (uint32_t)nc);
        if (fx_out_commit(&pred_out, err, sizeof err)) {
            fprintf(stderr, "flexor cosim: %s\n", err);
            status = status ? status : 2;
        }
    }
    if (o.wave && !access(o.wave, F_OK)) {
        char werr[600];
        if (fx_wave_savefile(o.wave, o.wave_mark, werr, sizeof werr)) {
            fprintf(stderr, "flexor cosim: %s\n", werr);
            status = status ? status : 2;
        }
    }
    if (J > 1) munmap(mem, bytes);
    else free(mem);
    fx_ref_free(&net);
    fx_cosim_free_images(&im);
    fx_model_free(&m);
    return status;
}
