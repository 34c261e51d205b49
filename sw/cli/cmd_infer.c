/* SPDX-License-Identifier: Apache-2.0 */
/* flexor infer MODEL: the integer reference over a dataset: accuracy, images/s, confusion matrix. */
#define _POSIX_C_SOURCE 200809L
#include "buildid.h"
#include "cliconfig.h"
#include "commands.h"
#include "flexor/clock.h"
#include "flexor/fsutil.h"
#include "flexor/idx.h"
#include "flexor/layerdump.h"
#include "flexor/outfmt.h"
#include "flexor/opt.h"
#include "flexor/progress.h"
#include "flexor/ref.h"
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor infer MODEL [options]\n"
               "  Runs the bit-exact integer reference over a dataset.\n"
               "  --data DIR     IDX dataset directory (default %s)\n"
               "  --split NAME   t10k (default) or train\n"
               "  --images N     first N images only (default all); --limit N is an alias\n"
               "  --threads T    worker threads (default 1)\n"
               "  --csv FILE     also write the summary as CSV\n"
               "  --predictions FILE  one CSV row per image: index,label,predicted,logit_0..logit_{C-1}\n"
               "  --layer-outputs DIR  every layer's integer output of the --layer-images as .npy files\n"
               "                 (DIR/image<I>/input.npy, layer<L>.npy, logits.npy; docs/cli.md)\n"
               "  --layer-images LIST  comma list of image indices for --layer-outputs (default 0)\n"
               "  --config CFG   hardware configuration (NAME of rtl/config/NAME.cfg, or a path) instead of the built-in one\n",
            FX_DEFAULT_DATA_DIR);
}

typedef struct {
    const fx_ref_net *net;
    const fx_dataset *d;
    uint32_t first, last;
    int *pred;
    int32_t *logits; /* NULL, or n_classes per image */
    uint32_t n_classes;
    atomic_uint *done;
    int failed;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    const size_t isz = (size_t)j->d->rows * j->d->cols;
    for (uint32_t i = j->first; i < j->last; i++) {
        int32_t *lg = j->logits ? j->logits + (size_t)i * j->n_classes : NULL;
        j->pred[i] = fx_ref_infer(j->net, j->d->images + i * isz, lg, NULL, NULL);
        if (j->pred[i] < 0) j->failed = 1;
        atomic_fetch_add(j->done, 1);
    }
    return NULL;
}

static int write_csv(const char *path, const char *model, const char *split, uint32_t n, uint32_t correct, double secs,
                     double cpu, uint32_t threads, char *err, size_t errlen)
{
    fx_out o;
    FILE *f = fx_out_open(&o, path, err, errlen);
    if (!f) return -1;
    fprintf(f, "model,split,images,correct,accuracy,seconds,images_per_s,threads,cpu_seconds,images_per_cpu_s\n");
    fx_csv_field(f, model);
    fputc(',', f);
    fx_csv_field(f, split);
    fprintf(f, ",%u,%u,%.6f,%.6f,%.2f,%u,%.6f,%.2f\n", n, correct, n ? (double)correct / n : 0, secs,
            secs > 0 ? n / secs : 0, threads, cpu, cpu > 0 ? n / cpu : 0);
    return fx_out_commit(&o, err, errlen);
}

/* --predictions: per image its label, the predicted class and the logits (docs/cli.md). */
static int write_predictions(const char *path, const fx_dataset *d, const int *pred, const int32_t *logits, uint32_t C,
                             char *err, size_t errlen)
{
    fx_out o;
    FILE *f = fx_out_open(&o, path, err, errlen);
    if (!f) return -1;
    fx_pred_csv_header(f, C);
    for (uint32_t i = 0; i < d->n; i++) fx_pred_csv_row(f, i, d->labels[i], pred[i], logits + (size_t)i * C, C);
    return fx_out_commit(&o, err, errlen);
}

/* --layer-outputs: one image through the reference, its arrays written as they are produced. */
static int dump_image(const fx_ref_net *net, const fx_model *m, const fx_dataset *d, uint32_t i, const char *dir,
                      char *err, size_t errlen)
{
    fx_layer_dump u;
    const uint8_t *img = d->images + (size_t)i * d->rows * d->cols;
    if (fx_layer_dump_begin(&u, dir, i, m, img, err, errlen)) return -1;
    int32_t *logits = malloc(((size_t)m->n_classes + 1) * sizeof *logits);
    int rc = logits && fx_ref_infer(net, img, logits, fx_layer_dump_layer, &u) >= 0 ? fx_layer_dump_end(&u, logits) : -1;
    if (!logits) snprintf(err, errlen, "out of memory");
    free(logits);
    return rc;
}

/* Bound on the logits kept for --predictions (images × classes × 4 bytes). */
#define FX_PREDICTIONS_MAX_BYTES (256u << 20)

/* Rows: true class, columns: predicted. Bounded: a model may have up to 65,536 classes (a matrix of
 * 2^32 cells), so past FX_CONFUSION_MAX classes only a one-line note is printed. */
enum { FX_CONFUSION_MAX = 64 };
static void print_confusion(const fx_dataset *d, const int *pred, uint32_t C)
{
    if (C > FX_CONFUSION_MAX) {
        printf("confusion matrix: not printed for %u classes (more than %d)\n", C, FX_CONFUSION_MAX);
        return;
    }
    uint32_t conf[FX_CONFUSION_MAX][FX_CONFUSION_MAX] = {{0}};
    for (uint32_t i = 0; i < d->n; i++)
        if (d->labels[i] < C && pred[i] >= 0 && (uint32_t)pred[i] < C) conf[d->labels[i]][pred[i]]++;
    printf("confusion matrix (rows: true class, columns: predicted)\n     ");
    for (uint32_t p = 0; p < C; p++) printf(" %5u", p);
    printf("\n");
    for (uint32_t t = 0; t < C; t++) {
        printf("%5u", t);
        for (uint32_t p = 0; p < C; p++) printf(" %5u", conf[t][p]);
        printf("\n");
    }
}

int fx_cmd_infer(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},  {"split", required_argument, 0, 's'},
                                         {"images", required_argument, 0, 'n'}, {"limit", required_argument, 0, 'n'}, {"threads", required_argument, 0, 't'},
                                         {"csv", required_argument, 0, 'o'},   {"config", required_argument, 0, 'c'},
                                         {"predictions", required_argument, 0, 'p'},
                                         {"layer-outputs", required_argument, 0, 'L'},
                                         {"layer-images", required_argument, 0, 'I'},
                                         {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char *data = FX_DEFAULT_DATA_DIR, *split = "t10k", *csv = NULL, *cfg_path = NULL, *pred_csv = NULL,
               *layer_dir = NULL, *layer_list = "0";
    uint32_t limit = 0, threads = 1;
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":d:s:n:t:o:c:p:L:I:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 's': split = optarg; break;
        case 'n': if (fx_parse_u32(optarg, 0, UINT32_MAX, &limit)) return fx_opt_bad_value("infer", "images", optarg, "an image count (0 = all)"); break;
        case 't': if (fx_parse_u32(optarg, 1, 256, &threads)) return fx_opt_bad_value("infer", "threads", optarg, "1..256"); break;
        case 'o': csv = optarg; break;
        case 'c': cfg_path = optarg; break;
        case 'p': pred_csv = optarg; break;
        case 'L': layer_dir = optarg; break;
        case 'I': layer_list = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error("infer", c, argv);
        }
    }
    if (optind + 1 != argc) return fx_opt_fail("infer", "expected one MODEL argument");
    uint32_t dump_idx[64];
    const int n_dump = fx_layer_dump_list(layer_list, dump_idx, 64);
    if (n_dump < 0) return fx_opt_bad_value("infer", "layer-images", layer_list, "a comma list of at most 64 image indices");
    const char *path = argv[optind];
    char err[512];
    fx_hwcfg loaded;
    const fx_hwcfg *cfg;
    if (fx_cli_hwcfg("infer", cfg_path, &loaded, &cfg)) return 2;
    /* an unwritable --csv is reported before the work, not after it */
    const char *outs[2] = {csv, pred_csv};
    for (int k = 0; k < 2; k++)
        if (outs[k] && fx_out_probe(outs[k], err, sizeof err)) { fprintf(stderr, "flexor infer: %s\n", err); return 2; }
    fx_model m;
    if (fx_model_read(path, cfg, &m, err, sizeof err)) { fprintf(stderr, "flexor infer: %s\n", err); return 2; }
    fx_dataset d;
    if (fx_dataset_load(data, split, limit, &d, err, sizeof err)) {
        fprintf(stderr, "flexor infer: %s\n", err);
        fx_model_free(&m);
        return 2;
    }
    int rc = 2;
    fx_ref_net net;
    int *pred = NULL;
    int32_t *logits = NULL;
    if (m.in_c != 1 || m.in_h != d.rows || m.in_w != d.cols) {
        fprintf(stderr, "flexor infer: %s: model input %ux%ux%u does not fit the dataset's 1x%ux%u images\n", path, m.in_c,
                m.in_h, m.in_w, d.rows, d.cols);
        goto out;
    }
    if (d.n_classes > m.n_classes) {
        fprintf(stderr, "flexor infer: %s: the dataset has labels up to %u but the model has %u classes\n", data,
                d.n_classes - 1, m.n_classes);
        goto out;
    }
    for (int k = 0; layer_dir && k < n_dump; k++)
        if (dump_idx[k] >= d.n) {
            fprintf(stderr, "flexor infer: --layer-images: image %u is not among the %u images\n", dump_idx[k], d.n);
            goto out;
        }
    if (fx_ref_prepare(&net, &m, cfg, err, sizeof err)) { fprintf(stderr, "flexor infer: %s: %s\n", path, err); goto out; }
    pred = calloc(d.n + 1, sizeof *pred);
    if (pred_csv && (uint64_t)d.n * m.n_classes * sizeof(int32_t) > FX_PREDICTIONS_MAX_BYTES) {
        fprintf(stderr, "flexor infer: --predictions: %u images x %u classes exceed %u MiB of logits; use --images\n", d.n,
                m.n_classes, FX_PREDICTIONS_MAX_BYTES >> 20);
        goto out_net;
    }
    if (pred_csv) logits = malloc(((size_t)d.n * m.n_classes + 1) * sizeof *logits);
    if (!pred || (pred_csv && !logits)) { fprintf(stderr, "flexor infer: out of memory\n"); goto out_net; }
    job jobs[256];
    pthread_t tid[256];
    atomic_uint done = 0;
    if (threads > d.n) threads = d.n ? d.n : 1;
    const double t0 = fx_wall_s(), c0 = fx_cpu_s();
    for (uint32_t t = 0; t < threads; t++) {
        jobs[t] = (job){&net, &d, (uint32_t)((uint64_t)d.n * t / threads), (uint32_t)((uint64_t)d.n * (t + 1) / threads),
                        pred, logits, m.n_classes, &done, 0};
        if (pthread_create(&tid[t], NULL, worker, &jobs[t])) worker(&jobs[t]), tid[t] = 0;
    }
    /* a bar on a terminal; the workers only count */
    fx_progress pr;
    fx_progress_start(&pr, "images", d.n, FX_PROGRESS_TTY_ONLY);
    while (pr.tty && atomic_load(&done) < d.n) {
        fx_progress_update(&pr, atomic_load(&done), NULL);
        nanosleep(&(struct timespec){0, 200000000}, NULL);
    }
    int failed = 0;
    for (uint32_t t = 0; t < threads; t++) {
        if (tid[t]) pthread_join(tid[t], NULL);
        failed |= jobs[t].failed;
    }
    const double secs = fx_wall_s() - t0, cpu = fx_cpu_s() - c0;
    fx_progress_update(&pr, d.n, NULL);
    fx_progress_end(&pr);
    if (failed) { fprintf(stderr, "flexor infer: out of memory during inference\n"); rc = 1; goto out_net; }
    const uint32_t C = m.n_classes;
    uint32_t correct = 0;
    for (uint32_t i = 0; i < d.n; i++) correct += pred[i] == d.labels[i];
    printf("model %s, %s split, %u images, %u threads\n", path, split, d.n, threads);
    printf("accuracy %.4f (%u / %u)\n", d.n ? (double)correct / d.n : 0.0, correct, d.n);
    /* CPU time too: on a shared machine wall-clock speed depends on the load */
    printf("speed %.1f images/s (%.3f s wall), %.1f images per CPU-second\n", secs > 0 ? d.n / secs : 0.0, secs,
           cpu > 0 ? d.n / cpu : 0.0);
    print_confusion(&d, pred, C);
    rc = 0;
    if (csv && write_csv(csv, path, split, d.n, correct, secs, cpu, threads, err, sizeof err)) {
        fprintf(stderr, "flexor infer: %s\n", err);
        rc = 2;
    }
    if (pred_csv && write_predictions(pred_csv, &d, pred, logits, C, err, sizeof err)) {
        fprintf(stderr, "flexor infer: %s\n", err);
        rc = 2;
    }
    for (int k = 0; layer_dir && !rc && k < n_dump; k++)
        if (dump_image(&net, &m, &d, dump_idx[k], layer_dir, err, sizeof err)) {
            fprintf(stderr, "flexor infer: %s\n", err);
            rc = 2;
        }
out_net:
    fx_ref_free(&net);
out:
    free(pred);
    free(logits);
    fx_dataset_free(&d);
    fx_model_free(&m);
    return rc;
}
