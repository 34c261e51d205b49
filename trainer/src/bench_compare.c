/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor bench --compare`: training images/s of the same models and recipe in flexor and in PyTorch
 * (trainer/bench/torch_bench.py, run with Debian's python3-torch), interleaved round by round so that both
 * see the same machine load, and the median of the rounds of each with their ratio. With --epochs both
 * train that many epochs on Fashion-MNIST with the same schedule, and the table adds the test accuracy
 * each reached, so that the speed ratio is read next to the accuracy it buys. */
#include "flexor/clock.h"
#include "flexor/selfpath.h"
#include "flexor/spawn.h"
#include "tr.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_ROUNDS = 15, MAX_ROWS = 8 };
typedef struct {
    char model[16], setting[8];
    double f[MAX_ROUNDS], t[MAX_ROUNDS];    /* train img/s */
    double fa[MAX_ROUNDS], ta[MAX_ROUNDS];  /* test accuracy % (--epochs) */
} row;

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof *s);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) { double x = s[j]; s[j] = s[j - 1]; s[j - 1] = x; }
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *script_path(void)
{
    static char p[4096];
    if (!p[0] && fx_data_dir(FX_TRAINER_SRC_DIR, "bench/torch_bench.py", p, sizeof p - 24) == 0) strcat(p, "/bench/torch_bench.py");
    return p[0] ? p : FX_TRAINER_SRC_DIR "/bench/torch_bench.py";
}

/* One PyTorch round: the script's "| model | setting | train | infer (or test accuracy) |" rows into rows[]. */
static int torch_round(const tr_compare_opts *c, int r, row *rows, int nr, char *ver, size_t verlen, char *err, size_t errlen)
{
    char st[16], bt[16], ep[16], tri[16], tei[16], out[16384], msg[512];
    snprintf(st, sizeof st, "%d", c->steps);
    snprintf(bt, sizeof bt, "%d", c->batch);
    snprintf(ep, sizeof ep, "%d", c->epochs);
    snprintf(tri, sizeof tri, "%u", c->train_images);
    snprintf(tei, sizeof tei, "%u", c->test_images);
    const char *argv[] = {c->python, script_path(), "--models", c->models, "--steps", st, "--batch", bt, "--threads", "2",
                          "--epochs", ep, "--data", c->data, "--train-images", tri, "--test-images", tei, NULL};
    fx_spawn_opts so = {.err = FX_SPAWN_NULL};
    int rc = fx_spawn_capture(argv, &so, 1, out, sizeof out, NULL, msg, sizeof msg);
    if (rc) {
        snprintf(err, errlen, "%s", rc == FX_SPAWN_NOT_STARTED ? msg : "trainer/bench/torch_bench.py failed");
        return -1;
    }
    int found = 0;
    for (char *save = NULL, *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char m[16], s[8];
        double tr, inf;
        if (!strncmp(ln, "torch ", 6) && ver[0] == 0) snprintf(ver, verlen, "%s", ln);
        if (sscanf(ln, "| %15s | %7s | %lf | %lf |", m, s, &tr, &inf) != 4) continue;
        for (int i = 0; i < nr; i++)
            if (!strcmp(rows[i].model, m) && !strcmp(rows[i].setting, s)) rows[i].t[r] = tr, rows[i].ta[r] = inf, found++;
    }
    if (found != nr) {
        snprintf(err, errlen, "trainer/bench/torch_bench.py printed %d of the %d rows expected", found, nr);
        return -1;
    }
    return 0;
}

/* One flexor training job of --epochs in the comparison setting: its img/s and float test accuracy. */
static int flexor_epochs(const tr_compare_opts *c, row *w, int r, char *err, size_t errlen)
{
    fx_train_opts o;
    fx_train_defaults(&o);
    snprintf(o.net, sizeof o.net, "%s", w->model);
    snprintf(o.bits, sizeof o.bits, "%s", w->setting);
    snprintf(o.data, sizeof o.data, "%s", c->data);
    fx_train_paper(&o);
    o.epochs = c->epochs;
    o.batch = c->batch;
    o.train_limit = c->train_images;
    o.test_limit = c->test_images;
    o.threads = 2;
    o.quiet = 1;
    o.no_export = 1; /* --paper's float edges have no integer model; nothing is written */
    fx_train_result res;
    if (fx_train_job(&o, &res) || res.float_acc < 0) {
        snprintf(err, errlen, "flexor training of %s %s failed", w->model, w->setting);
        return -1;
    }
    w->f[r] = res.train_img_s;
    w->fa[r] = res.float_acc;
    return 0;
}

/* One flexor round: the same models in the comparison setting (fx_train_paper), two workers. */
static int flexor_round(const tr_compare_opts *c, const fx_dataset *ds, int r, row *rows, int nr, char *err, size_t errlen)
{
    for (int i = 0; i < nr; i++) {
        if (c->epochs > 0) {
            if (flexor_epochs(c, &rows[i], r, err, errlen)) return -1;
            continue;
        }
        fx_train_opts o;
        fx_train_defaults(&o);
        snprintf(o.net, sizeof o.net, "%s", rows[i].model);
        snprintf(o.bits, sizeof o.bits, "%s", rows[i].setting);
        o.epochs = 1;
        fx_train_paper(&o);
        o.threads = 2;
        tr_net net;
        if (tr_net_build(&net, &o, fx_hwcfg_builtin(), (uint32_t)c->batch, err, errlen)) {
            tr_net_free(&net);
            return -1;
        }
        rows[i].f[r] = tr_bench_steps(&net, ds, (uint32_t)c->batch, c->steps);
        tr_net_free(&net);
    }
    return 0;
}

int tr_bench_compare(const tr_compare_opts *c, const fx_dataset *ds)
{
    row rows[MAX_ROWS];
    int nr = 0;
    char mb[64], *ms = NULL, err[600] = "", ver[128] = "";
    snprintf(mb, sizeof mb, "%s", c->models);
    for (char *m = strtok_r(mb, ",", &ms); m; m = strtok_r(NULL, ",", &ms)) {
        if (strcmp(m, "mlp") && strcmp(m, "lenet") && strcmp(m, "resnet20")) {
            fprintf(stderr, "flexor bench: --compare runs mlp, lenet and resnet20 (torch_bench.py's models), not '%s'\n", m);
            return 2;
        }
        for (int s = 0; s < 2 && nr < MAX_ROWS; s++) {
            memset(&rows[nr], 0, sizeof rows[nr]);
            snprintf(rows[nr].model, sizeof rows[nr].model, "%s", m);
            snprintf(rows[nr].setting, sizeof rows[nr].setting, "%s", s ? "0.8" : "fp");
            nr++;
        }
    }
    const char *probe[] = {c->python, "-c", "import torch", NULL};
    fx_spawn_opts quiet = {.out = FX_SPAWN_NULL, .err = FX_SPAWN_NULL};
    if (fx_spawn(probe, &quiet, NULL, 0)) {
        fprintf(stderr, "flexor bench: --compare needs PyTorch: %s cannot import torch (Debian: apt install python3-torch)\n",
                c->python);
        return 2;
    }
    /* PyTorch's best threading here: passive OpenMP workers, no OpenBLAS threads of its own (measured) */
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    printf("OpenBLAS %s, core %s; batch %d, %d timed steps, %d interleaved rounds\n", openblas_get_config(),
           openblas_get_corename(), c->batch, c->steps, c->rounds);
    fflush(stdout);
    for (int r = 0; r < c->rounds; r++) {
        if (flexor_round(c, ds, r, rows, nr, err, sizeof err) || torch_round(c, r, rows, nr, ver, sizeof ver, err, sizeof err)) {
            fprintf(stderr, "flexor bench: %s\n", err);
            return 1;
        }
        fprintf(stderr, "round %d/%d done\n", r + 1, c->rounds);
    }
    printf("%s\n\n", ver);
    const int acc = c->epochs > 0;
    printf("| model | setting | flexor train img/s | torch train img/s | ratio |%s flexor, every round | torch, every round |\n",
           acc ? " flexor test acc % | torch test acc % |" : "");
    printf("|---|---|---|---|---|---|---|%s\n", acc ? "---|---|" : "");
    for (int i = 0; i < nr; i++) {
        double f = median(rows[i].f, c->rounds), t = median(rows[i].t, c->rounds);
        printf("| %s | %s | %.0f | %.0f | %.2f |", rows[i].model, rows[i].setting, f, t, t > 0 ? f / t : 0);
        if (acc) printf(" %.2f | %.2f |", median(rows[i].fa, c->rounds), median(rows[i].ta, c->rounds));
        for (int k = 0; k < 2; k++) {
            putchar(' ');
            for (int r = 0; r < c->rounds; r++) printf("%s%.0f", r ? " " : "", k ? rows[i].t[r] : rows[i].f[r]);
            printf(" |");
        }
        putchar('\n');
    }
    printf("\nmedian of %d rounds; ratio = flexor / torch; both in the comparison setting (float first/last layers "
           "and activations, FleXOR 0.8 middle layers or all float), batch %d, Adam\n", c->rounds, c->batch);
    if (acc) {
        char trn[24] = "all", ten[24] = "all";
        if (c->train_images) snprintf(trn, sizeof trn, "the first %u", c->train_images);
        if (c->test_images) snprintf(ten, sizeof ten, "the first %u", c->test_images);
        printf("%d epoch(s) on %s training images, test accuracy on %s test images; the same schedule (lr warm-up "
               "then cosine, S_tanh 10 to 100 over two epochs); initialisations differ\n", c->epochs, trn, ten);
    }
    return 0;
}
