/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor study` (docs/study.md, issue 15): the measured answers to the questions the FleXOR paper left
 * open. The trainings are a job list (joblist.h: DIR/jobs.mk for make -jN, DIR/jobs.txt for any other
 * scheduler) of `flexor train ... --resume --json` runs; the collector turns their results into mean ±
 * std tables, and the analyses that need no long training (study_static.c) are written beside them. */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "joblist.h"
#include "results.h"
#include "study.h"
#include "flexor/fsutil.h"
#include "flexor/hwcfg.h"
#include "flexor/idx.h"
#include "flexor/infostat.h"
#include "flexor/mxor.h"
#include "flexor/opt.h"
#include "flexor/outfmt.h"
#include "flexor/selfpath.h"
#include "flexor/spawn.h"
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "study"
#define MAX_SEEDS 16
#define COSIM_IMAGES 20 /* test images per model through the RTL (table 3c): cycles, and bit-exactness */

/* One point of a table. args is the point's `flexor train` options in one canonical spelling, so points
 * of several tables with the same network and options share one job (its name comes from them). */
typedef struct {
    int table;         /* 1..4 */
    const char *net;   /* preset */
    const char *label; /* the row's name */
    const char *args;
    double x;          /* nominal middle bits per weight (table 1's plot) */
    int series;        /* table 1's plot: 0..2 FleXOR q = 1..3, 3 q-plane binary codes, 4 float */
    int quick;         /* one of the handful of points of --quick */
    int longv;         /* ResNet-20: only with --long */
    /* table 7: the M-xor the point trains with (N_out, N_tap, seed: 0 = the configuration's, else that
     * number); mx_out 0: the built-in configuration */
    int mx_out, mx_tap, mx_seed;
} point;

/* LeNet-5 with conv2 narrowed (table 6): binary conv2 and fc1 of 26 (52) channels store about as many bits as
 * FleXOR 0.4 (0.8) LeNet-5's middle layers (26·800 + 512·26·16 weights, before padding; the table's
 * `middle stored bits` column gives the stored figures) */
#define SMALL26 "conv32k5,relu,mp2,conv26k5,relu,mp2,fc512,relu,fc10"
#define SMALL52 "conv32k5,relu,mp2,conv52k5,relu,mp2,fc512,relu,fc10"

#define Q7_ARGS "--bits 0.8 --q 1"
#define MX(o, t, sd, quick) {7, "lenet", "", Q7_ARGS, 0.8, 0, quick, 0, o, t, sd}

static const point points[] = {
    /* 1. q > 1 and ratios above 1 bit against plain q-plane binary codes (LeNet-5) */
    {1, "lenet", "float", "--bits fp", 32, 4, 0, 0, 0, 0, 0},
    {1, "lenet", "binary codes q=1", "--bits binary", 1, 3, 1, 0, 0, 0, 0},
    {1, "lenet", "binary codes q=2", "--bits q2", 2, 3, 1, 0, 0, 0, 0},
    {1, "lenet", "binary codes q=3", "--bits q3", 3, 3, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=1 N_in 8", "--bits 0.4 --q 1", 0.4, 0, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=1 N_in 12", "--bits 0.6 --q 1", 0.6, 0, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=1 N_in 16", "--bits 0.8 --q 1", 0.8, 0, 1, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=1 N_in 20", "--bits 1.0 --q 1", 1.0, 0, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=2 N_in 8", "--bits 0.8 --q 2", 0.8, 1, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=2 N_in 12", "--bits 1.2 --q 2", 1.2, 1, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=2 N_in 16", "--bits 1.6 --q 2", 1.6, 1, 1, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=2 N_in 20", "--bits 2.0 --q 2", 2.0, 1, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=3 N_in 8", "--bits 1.2 --q 3", 1.2, 2, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=3 N_in 12", "--bits 1.8 --q 3", 1.8, 2, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=3 N_in 16", "--bits 2.4 --q 3", 2.4, 2, 0, 0, 0, 0, 0},
    {1, "lenet", "FleXOR q=3 N_in 20", "--bits 3.0 --q 3", 3.0, 2, 0, 0, 0, 0, 0},
    {1, "resnet20", "float", "--bits fp", 32, 4, 0, 1, 0, 0, 0},
    {1, "resnet20", "binary codes q=1", "--bits binary", 1, 3, 0, 1, 0, 0, 0},
    {1, "resnet20", "binary codes q=2", "--bits q2", 2, 3, 0, 1, 0, 0, 0},
    {1, "resnet20", "FleXOR q=1 N_in 8", "--bits 0.4 --q 1", 0.4, 0, 0, 1, 0, 0, 0},
    {1, "resnet20", "FleXOR q=1 N_in 16", "--bits 0.8 --q 1", 0.8, 0, 0, 1, 0, 0, 0},
    {1, "resnet20", "FleXOR q=1 N_in 20", "--bits 1.0 --q 1", 1.0, 0, 0, 1, 0, 0, 0},
    {1, "resnet20", "FleXOR q=2 N_in 16", "--bits 1.6 --q 2", 1.6, 1, 0, 1, 0, 0, 0},
    /* 2. per-layer ratios: one layer at 0.4, the others at 1.0 (edges q4 as the default); mixes */
    {2, "lenet", "all FleXOR layers 1.0 (conv1, fc2 q4)", "--bits q4,1.0,1.0,q4", 0, 0, 1, 0, 0, 0, 0},
    {2, "lenet", "conv1 0.4, conv2/fc1 1.0, fc2 q4", "--bits 0.4,1.0,1.0,q4", 0, 0, 0, 0, 0, 0, 0},
    {2, "lenet", "conv2 0.4, fc1 1.0", "--bits q4,0.4,1.0,q4", 0, 0, 1, 0, 0, 0, 0},
    {2, "lenet", "fc1 0.4, conv2 1.0", "--bits q4,1.0,0.4,q4", 0, 0, 1, 0, 0, 0, 0},
    {2, "lenet", "fc2 0.4, conv2/fc1 1.0, conv1 q4", "--bits q4,1.0,1.0,0.4", 0, 0, 0, 0, 0, 0, 0},
    {2, "lenet", "conv2 and fc1 0.4", "--bits q4,0.4,0.4,q4", 0, 0, 0, 0, 0, 0, 0},
    {2, "lenet", "conv2 and fc1 0.6 (uniform)", "--bits q4,0.6,0.6,q4", 0, 0, 0, 0, 0, 0, 0},
    {2, "lenet", "mix: conv2 1.0, fc1 0.6", "--bits q4,1.0,0.6,q4", 0, 0, 0, 0, 0, 0, 0},
    {2, "lenet", "mix: conv2 0.4, fc1 0.6", "--bits q4,0.4,0.6,q4", 0, 0, 0, 0, 0, 0, 0},
    {2, "resnet20", "uniform 0.6", "--bits 0.6 --q 1", 0, 0, 0, 1, 0, 0, 0},
    {2, "resnet20", "uniform 0.4", "--bits 0.4 --q 1", 0, 0, 0, 1, 0, 0, 0},
    {2, "resnet20_mix", "the paper's per-stage mix (N_in 20/16/8)", "--bits 0.8 --q 1", 0, 0, 0, 1, 0, 0, 0},
    /* 3. slices aligned with output channels vs straddling them */
    {3, "lenet", "1.0 aligned", "--bits 1.0 --q 1", 1.0, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "1.0 straddle", "--bits 1.0 --q 1 --layout straddle", 1.0, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "0.8 aligned", "--bits 0.8 --q 1", 0.8, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "0.8 straddle", "--bits 0.8 --q 1 --layout straddle", 0.8, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "0.6 aligned", "--bits 0.6 --q 1", 0.6, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "0.6 straddle", "--bits 0.6 --q 1 --layout straddle", 0.6, 0, 0, 0, 0, 0, 0},
    {3, "lenet", "0.4 aligned", "--bits 0.4 --q 1", 0.4, 0, 1, 0, 0, 0, 0},
    {3, "lenet", "0.4 straddle", "--bits 0.4 --q 1 --layout straddle", 0.4, 0, 1, 0, 0, 0, 0},
    {3, "resnet20", "0.8 aligned", "--bits 0.8 --q 1", 0.8, 0, 0, 1, 0, 0, 0},
    {3, "resnet20", "0.8 straddle", "--bits 0.8 --q 1 --layout straddle", 0.8, 0, 0, 1, 0, 0, 0},
    /* 4. activations: what the trainer has (uint8 = 8 bits, float); 4/2/1 bits are not supported yet */
    {4, "lenet", "FleXOR 0.8, uint8 activations", "--bits 0.8 --q 1", 0.8, 0, 1, 0, 0, 0, 0},
    {4, "lenet", "FleXOR 0.8, float activations", "--bits 0.8 --q 1 --act float", 0.8, 0, 1, 0, 0, 0, 0},
    {4, "lenet", "FleXOR 0.4, uint8 activations", "--bits 0.4 --q 1", 0.4, 0, 0, 0, 0, 0, 0},
    {4, "lenet", "FleXOR 0.4, float activations", "--bits 0.4 --q 1 --act float", 0.4, 0, 0, 0, 0, 0, 0},
    {4, "lenet", "binary, uint8 activations", "--bits binary", 1, 0, 0, 0, 0, 0, 0},
    {4, "lenet", "binary, float activations", "--bits binary --act float", 1, 0, 0, 0, 0, 0, 0},
    /* 6 (part): is the network just over-parameterised? A smaller plain-binary LeNet-5 (conv2 narrowed) whose
     * middle layers store about as many bits as FleXOR's (the `middle stored bits` column) */
    {6, "lenet", "LeNet-5, FleXOR 0.4", "--bits 0.4 --q 1", 0.4, 0, 1, 0, 0, 0, 0},
    {6, SMALL26, "LeNet-5 with conv2 of 26 channels, binary", "--bits binary", 1, 3, 1, 0, 0, 0, 0},
    {6, "lenet", "LeNet-5, FleXOR 0.8", "--bits 0.8 --q 1", 0.8, 0, 1, 0, 0, 0, 0},
    {6, SMALL52, "LeNet-5 with conv2 of 52 channels, binary", "--bits binary", 1, 3, 0, 0, 0, 0, 0},
    {6, "lenet", "LeNet-5, binary", "--bits binary", 1, 3, 1, 0, 0, 0, 0},
    /* 7. design choices of M-xor at 0.8 bit (N_in = 0.8 N_out): N_out x N_tap with the configuration's seed,
     * and M-xor seeds 1 and 2 at N_out 20 for each N_tap (a config file per point, DIR/configs/) */
    MX(10, 1, 0, 0), MX(10, 2, 0, 1), MX(10, 3, 0, 0),
    MX(20, 1, 0, 0), MX(20, 2, 0, 1), MX(20, 3, 0, 1),
    MX(30, 1, 0, 0), MX(30, 2, 0, 0), MX(30, 3, 0, 0),
    MX(20, 1, 1, 0), MX(20, 1, 2, 0), MX(20, 2, 1, 1), MX(20, 2, 2, 0), MX(20, 3, 1, 0), MX(20, 3, 2, 0),
};
#define NPOINTS (int)(sizeof points / sizeof points[0])

static const char *const table_title[7] = {
    "", "1. q > 1 and ratios above 1 bit vs plain q-plane binary codes", "2. Per-layer ratios: sensitivity and mixes",
    "3a. Slices aligned with output channels vs straddling them: accuracy", "4. Activation bits", "",
    "6c. A smaller binary network at the same stored bits"};
static const char *const table_stem[7] = {"", "t1_bits", "t2_layers", "t3_layout", "t4_act", "", "t6_small"};

/* Jobs of Q5 and Q6b: a plain-binary and a FleXOR 0.8 LeNet-5 of the first seed (in --quick too). */
#define Q5_NET "lenet"
#define Q5_BINARY "--bits binary"
#define Q6_FLEXOR "--bits 0.8 --q 1"

typedef struct {
    int quick, longv, jobs, collect, jobs_only;
    const char *out, *data, *synth;
    char seedlist[600];
    uint64_t seeds[MAX_SEEDS];
    int nseeds;
} opts;

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor study [options]\n"
"The measured answers to the FleXOR paper's open questions (docs/study.md): trains every point of the\n"
"study's tables 1-4, 6c and 7 (q > 1, per-layer ratios, aligned vs straddle slices, activation bits, a\n"
"smaller binary net at the same stored bits, M-xor's N_out / N_tap / seed via DIR/configs/*.cfg) on LeNet-5\n"
"(ResNet-20 rows with --long) over several seeds, collects float and integer accuracy as mean +- std into\n"
"DIR/t*.csv + .md and DIR/study.md, and writes the analyses that need no long training (Q3 padding, Q5\n"
"entropy coding, Q6 M-xor rank and bit agreement, Q8 SRAM vs decryptor area). Each job is\n"
"`flexor train ... --out DIR/models/ID_sS.fxm --json DIR/runs/ID_sS.json --resume`, listed in DIR/jobs.mk\n"
"(make -jN; a job is done when its .json exists) and DIR/jobs.txt; rerunning resumes.\n\n"
"  --quick               a few minutes on 2 cores: a handful of points, 1 epoch on 2000 training images,\n"
"                        1000 test images, seed 0 (default --out results/study/quick); NOT meaningful\n"
"                        for accuracy, it checks the machinery\n"
"  --long                also the ResNet-20 rows (8 epochs each: hours)\n"
"  --seeds LIST          comma list of seeds, at most 16 (default 0,1,2; --quick: 0)\n"
"  --out DIR             default results/study\n"
"  --data DIR            Fashion-MNIST directory (default " FX_DEFAULT_DATA_DIR ")\n"
"  --synth DIR           where `flexor synth --sweep` wrote sweep.csv and default.json (default\n"
"                        synth/results), for Q8's areas\n"
"  -j N                  parallel jobs (default 1; every job trains on one worker, --threads 1, so -j 2\n"
"                        uses both cores of a 2-core machine)\n"
"  --jobs-only           only write the job files\n"
"  --collect             only collect finished jobs and write the tables and analyses\n"
"  -h, --help            this text\n");
}

/* The configuration a table-7 point trains with: the built-in one with the point's N_out, N_tap and M-xor
 * seed, and N_in = 0.8 N_out only (every listed N_in must have an M-xor). 0: the built-in configuration
 * itself (no --config; the job is table 1's); 1: *c holds the point's; -1: no valid configuration (the
 * generator finds no M-xor: no job), its reason in why. */
static int mx_config(const point *p, fx_hwcfg *c, char *why, unsigned whylen)
{
    const fx_hwcfg *b = fx_hwcfg_builtin();
    if (!p->mx_out || ((uint32_t)p->mx_out == b->n_out && (uint32_t)p->mx_tap == b->n_tap && !p->mx_seed)) return 0;
    *c = *b;
    c->n_out = (uint32_t)p->mx_out;
    c->n_tap = (uint32_t)p->mx_tap;
    if (p->mx_seed) c->seed = (uint64_t)p->mx_seed;
    c->n_in_count = 1;
    c->n_in[0] = (uint32_t)(p->mx_out * 4 / 5);
    snprintf(c->name, sizeof c->name, "study_nout%d_ntap%d%s%.0d", p->mx_out, p->mx_tap, p->mx_seed ? "_mseed" : "", p->mx_seed);
    return fx_hwcfg_check(c, why, whylen) ? -1 : 1;
}

/* The job id of a point: the network and its options as one file-name word ("lenet_bits0.8_q1"; a spec's
 * commas become '-'), then a table-7 point's M-xor ("_nout10_ntap2", "_mseed1"), which also names its
 * configuration file DIR/configs/nout10_ntap2.cfg. */
static void mx_suffix(const point *p, char *b, size_t n)
{
    fx_hwcfg c;
    char why[256];
    b[0] = 0;
    if (mx_config(p, &c, why, sizeof why)) snprintf(b, n, "nout%d_ntap%d%s%.0d", p->mx_out, p->mx_tap, p->mx_seed ? "_mseed" : "", p->mx_seed);
}

static void job_id(const point *p, char *id, size_t n)
{
    size_t k = 0;
    for (const char *s = p->net; *s && k + 2 < n; s++) id[k++] = *s == ',' ? '-' : *s; /* a spec's commas */
    for (const char *s = p->args; *s && k + 2 < n; s++) {
        if (s[0] == '-' && s[1] == '-') { id[k++] = '_'; s++; continue; }
        if (*s == ' ') continue;
        id[k++] = *s == ',' ? '-' : *s;
    }
    id[k] = 0;
    char sfx[64];
    mx_suffix(p, sfx, sizeof sfx);
    if (sfx[0] && k + strlen(sfx) + 2 < n) snprintf(id + k, n - k, "_%s", sfx);
}

static int included(const opts *o, const point *p) { return (!o->quick || p->quick) && (o->longv || !p->longv); }

/* The first included point of the same job (-1: this one is the first). */
static int earlier_twin(const opts *o, int i)
{
    char a[256], b[256];
    job_id(&points[i], a, sizeof a);
    for (int k = 0; k < i; k++) {
        if (!included(o, &points[k])) continue;
        job_id(&points[k], b, sizeof b);
        if (!strcmp(a, b)) return k;
    }
    return -1;
}

static int epochs_of(const opts *o, const point *p)
{
    if (o->quick) return 1;
    return strncmp(p->net, "resnet20", 8) ? 6 : 8; /* LeNet-5 as flexor sweep; ResNet-20 as results/sweep/resnet20 */
}

/* Formats into a fixed buffer of write_jobs, or leaves it through too_long (a cut path would be wrong). */
#define FIT(buf, ...) do { if (fx_fmt(buf, sizeof buf, __VA_ARGS__)) goto too_long; } while (0)

static int write_jobs(const opts *o)
{
    const char *exe = fx_self_exe();
    char err[1300], line[4000], cmd[8192], target[1200], id[256], quick[128] = "", cfgopt[1200], sfx[64], text[1024];
    fx_joblist j = {0}; /* too_long may come before it is opened */
    if (o->quick) snprintf(quick, sizeof quick, " --train-images 2000 --images 1000");
    if (fx_joblist_open(&j, o->out, CMD, "tables", err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); return -1; }
    FIT(line, "mkdir -p %s/models %s/runs %s/hw %s/configs", o->out, o->out, o->out, o->out);
    fx_joblist_note(&j, 0, line);
    for (int i = 0; i < NPOINTS; i++) {
        const point *p = &points[i];
        if (!included(o, p) || earlier_twin(o, i) >= 0) continue;
        job_id(p, id, sizeof id);
        fx_hwcfg c;
        const int mx = mx_config(p, &c, err, sizeof err);
        if (mx < 0) continue; /* no M-xor exists: table 7 says so */
        cfgopt[0] = 0;
        if (mx) { /* the point's configuration file, written now: the jobs read it */
            mx_suffix(p, sfx, sizeof sfx);
            FIT(target, "%s/configs/%s.cfg", o->out, sfx);
            FIT(cfgopt, " --config %s", target);
            if (fx_hwcfg_format(&c, "flexor study table 7: the built-in configuration with this N_out, N_tap, M-xor seed and N_in", text,
                                sizeof text) ||
                fx_write_file(target, text, strlen(text), err, sizeof err)) {
                fx_joblist_abort(&j);
                fprintf(stderr, "flexor study: %s: cannot write the configuration\n", target);
                return -1;
            }
        }
        for (int s = 0; s < o->nseeds; s++) {
            FIT(target, "%s/runs/%s_s%" PRIu64 ".json", o->out, id, o->seeds[s]);
            FIT(cmd,
                "%s train --net %s %s%s --epochs %d --seed %" PRIu64 " --threads 1 --data %s%s --out %s/models/%s_s%" PRIu64
                ".fxm --csv %s/runs/%s_s%" PRIu64 ".csv --json %s --resume --quiet",
                exe, p->net, p->args, cfgopt, epochs_of(o, p), o->seeds[s], o->data, quick, o->out, id, o->seeds[s], o->out, id,
                o->seeds[s], target);
            fx_joblist_add(&j, 1, target, 1, NULL, cmd);
        }
    }
#ifdef FX_HAVE_CSIM
    /* table 3c: the cycles of each layout on the RTL, the first seed's model of each LeNet-5 point (the
     * accelerator runs contract v1 only: not ResNet-20) */
    for (int i = 0; i < NPOINTS; i++) {
        const point *p = &points[i];
        if (p->table != 3 || strcmp(p->net, "lenet") || !included(o, p)) continue;
        char dep[1200];
        job_id(p, id, sizeof id);
        FIT(dep, "%s/runs/%s_s%" PRIu64 ".json", o->out, id, o->seeds[0]);
        FIT(target, "%s/hw/%s_s%" PRIu64 ".cosim.json", o->out, id, o->seeds[0]);
        FIT(cmd, "%s cosim %s/models/%s_s%" PRIu64 ".fxm --data %s --images %d --jobs 1 --json %s --quiet", exe, o->out, id,
            o->seeds[0], o->data, COSIM_IMAGES, target);
        fx_joblist_add(&j, 2, target, 1, dep, cmd);
    }
#endif
    FIT(cmd, "%s study --collect --out %s --seeds %s --synth %s%s%s", exe, o->out, o->seedlist, o->synth,
        o->quick ? " --quick" : "", o->longv ? " --long" : "");
    if (fx_joblist_finish(&j, "tables", 3, cmd, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); return -1; }
    return 0;
too_long:
    fx_joblist_abort(&j);
    fprintf(stderr, "flexor study: a path or job command is too long (--out, --data or --synth)\n");
    return -1;
}

/* ---- collecting ---- */

typedef struct { double v[MAX_SEEDS]; int n; } sample;

static void add(sample *s, double v) { if (!isnan(v)) s->v[s->n++] = v; }

/* "mean ± sd" (sample standard deviation, n − 1; "±0" printed as "(n=1)" for one value); "-" for none. */
static void stat_text(const sample *s, char *b, size_t n, double *mean, double *sd)
{
    *mean = *sd = NAN;
    if (!s->n) { snprintf(b, n, "-"); return; }
    double m = 0, q = 0;
    for (int i = 0; i < s->n; i++) m += s->v[i];
    m /= s->n;
    for (int i = 0; i < s->n; i++) q += (s->v[i] - m) * (s->v[i] - m);
    *mean = m;
    *sd = s->n > 1 ? sqrt(q / (s->n - 1)) : NAN;
    if (s->n > 1) snprintf(b, n, "%.2f ± %.2f", m, *sd);
    else snprintf(b, n, "%.2f", m);
}

static void csv_num(FILE *f, double v, const char *fmt)
{
    fputc(',', f);
    if (!isnan(v)) fprintf(f, fmt, v);
}

typedef struct { double fmean, imean; } point_result;

/* The figures of one job over the seeds: the runs whose result file says status 0 (a failed check is
 * left out). */
typedef struct { sample fa, ia, mb, ab, by; } point_samples;

static void collect_samples(const opts *o, const char *id, point_samples *ps)
{
    char path[1400];
    memset(ps, 0, sizeof *ps);
    for (int s = 0; s < o->nseeds; s++) {
        double v, st = NAN;
        if (fx_fmt(path, sizeof path, "%s/runs/%s_s%" PRIu64 ".json", o->out, id, o->seeds[s])) continue;
        if (json_number(path, "status", &st) || st != 0) continue; /* not run, or a failed check */
        if (!json_number(path, "float_acc", &v)) add(&ps->fa, v);
        if (!json_number(path, "int_acc", &v)) add(&ps->ia, v);
        if (!json_number(path, "middle_bits", &v)) add(&ps->mb, v);
        if (!json_number(path, "avg_bits", &v)) add(&ps->ab, v);
        if (!json_number(path, "model_bytes", &v)) add(&ps->by, v);
    }
}

/* One accuracy table: its rows over the seeds; res[i] gets point i's means (the plot's data). */
static int accuracy_table(const opts *o, int table, FILE *report, point_result *res)
{
    static const char head[] =
        "| network | point | options | n | float acc % | integer acc % | middle bits/weight | avg bits/weight | model bytes | middle stored bits | job |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|";
    char intro[900];
    snprintf(intro, sizeof intro,
             "Mean ± sample standard deviation over the seeds with a result (n); one value when n = 1. float: the trained "
             "network in float (with its activation quantizers); integer: the exported model on the sw reference "
             "(`fx_ref_infer`; '-' where the point has no integer model: float weights or activations). Two rows whose "
             "means differ by less than their standard deviations are within seed noise.%s",
             o->quick ? " **Quick run: 1 epoch on 2000 images, 1000 test images, one seed — not meaningful for accuracy.**" : "");
    study_out *t = study_open(o->out, table_stem[table], table_title[table], intro, head,
                              "net,point,options,n_float,float_mean,float_std,n_int,int_mean,int_std,middle_bits,avg_bits,model_bytes,middle_stored_bits,job");
    if (!t) return -1;
    for (int i = 0; i < NPOINTS; i++) {
        const point *p = &points[i];
        res[i].fmean = res[i].imean = NAN;
        if (p->table != table || !included(o, p)) continue;
        char id[256], path[1400];
        job_id(p, id, sizeof id);
        point_samples ps;
        collect_samples(o, id, &ps);
        const sample fa = ps.fa, ia = ps.ia, mb = ps.mb, ab = ps.ab, by = ps.by;
        char ft[48], it[48], mt[48], at[48], bt[48];
        double fm, fs, im, is, mm, ms, am, as, bm, bs;
        stat_text(&fa, ft, sizeof ft, &fm, &fs);
        stat_text(&ia, it, sizeof it, &im, &is);
        stat_text(&mb, mt, sizeof mt, &mm, &ms);
        stat_text(&ab, at, sizeof at, &am, &as);
        stat_text(&by, bt, sizeof bt, &bm, &bs);
        if (!isnan(mm)) snprintf(mt, sizeof mt, "%.3f", mm); /* the same for every seed */
        if (!isnan(am)) snprintf(at, sizeof at, "%.3f", am);
        if (!isnan(bm)) snprintf(bt, sizeof bt, "%.0f", bm);
        res[i].fmean = fm;
        res[i].imean = im;
        long long sb = -1; /* from the first seed's model (the same for every seed) */
        for (int s = 0; s < o->nseeds && sb < 0; s++)
            if (!fx_fmt(path, sizeof path, "%s/models/%s_s%" PRIu64 ".fxm", o->out, id, o->seeds[s])) sb = study_middle_bits(path);
        char sbt[32] = "-";
        if (sb >= 0) snprintf(sbt, sizeof sbt, "%lld", sb);
        fprintf(study_md(t), "| %s%s | %s | `%s` | %d | %s | %s | %s | %s | %s | %s | %s |\n", p->net, p->longv ? " (long)" : "",
                p->label, p->args, fa.n > ia.n ? fa.n : ia.n, ft, it, mt, at, bt, sbt, id);
        FILE *c = study_csv(t);
        fx_csv_field(c, p->net);
        fputc(',', c);
        fx_csv_field(c, p->label);
        fputc(',', c);
        fx_csv_field(c, p->args);
        fprintf(c, ",%d", fa.n);
        csv_num(c, fm, "%.3f");
        csv_num(c, fs, "%.3f");
        fprintf(c, ",%d", ia.n);
        csv_num(c, im, "%.3f");
        csv_num(c, is, "%.3f");
        csv_num(c, mm, "%.4f");
        csv_num(c, am, "%.4f");
        csv_num(c, bm, "%.0f");
        csv_num(c, sb >= 0 ? (double)sb : NAN, "%.0f");
        fprintf(c, ",%s\n", id);
    }
    if (table == 4)
        fprintf(study_md(t), "| lenet | 4-, 2- and 1-bit activations | — | 0 | not supported | not supported | | | | |\n\n"
                             "The trainer quantizes activations to uint8 (`--act uint8`) or leaves them float (`--act float`); "
                             "4-, 2- and 1-bit activations are not implemented yet, so those rows have no figures. (On the "
                             "accelerator they would be a subset of the uint8 values and run bit-exactly on today's RTL.)\n");
    if (table == 1) fprintf(study_md(t), "\n![accuracy vs bits per weight](t1_bits.svg)\n");
    if (table == 6)
        fprintf(study_md(t), "\nThe narrowed networks are `%s` and `%s` (specs, docs/net.md). A smaller float network "
                             "at these budgets (32 bits per weight) is not in the study.\n", SMALL26, SMALL52);
    return study_close(t, report);
}

/* Table 7: accuracy of LeNet-5 at 0.8 bit per M-xor (N_out, N_tap, seed), beside the M-xor's GF(2) rank. */
static int mxor_table(const opts *o, FILE *report)
{
    const fx_hwcfg *b = fx_hwcfg_builtin();
    char intro[1400];
    snprintf(intro, sizeof intro,
             "LeNet-5, FleXOR q = 1 at 0.8 bit per weight in conv2 and fc1 (N_in = 0.8 N_out; `%s`, conv1 and fc2 q4), "
             "trained with an M⊕ of the given N_out, N_tap and seed: each point's configuration is the built-in one "
             "(seed 0x%llx) with these values and N_in = 0.8 N_out only, written to `configs/ID.cfg` and passed as "
             "`--config` (the row N_out %u, N_tap %u with the configuration's seed is table 1's job). rank: the GF(2) "
             "rank of the M⊕ at that N_in (table Q6a); a point whose M⊕ the generator cannot build has no job. Mean ± "
             "sample standard deviation over the seeds, as tables 1–6.%s",
             Q7_ARGS, (unsigned long long)b->seed, b->n_out, b->n_tap,
             o->quick ? " **Quick run: 1 epoch on 2000 images, 1000 test images, one seed — not meaningful for accuracy.**" : "");
    study_out *t = study_open(o->out, "t7_mxor", "7. Design choices of M⊕: N_out, N_tap, seed (accuracy at 0.8 bit)", intro,
                              "| N_out | N_tap | M⊕ seed | N_in | rank | N_in − rank | n | float acc % | integer acc % | middle bits/weight | job |\n"
                              "|---|---|---|---|---|---|---|---|---|---|---|",
                              "n_out,n_tap,mxor_seed,n_in,rank,deficit,n_float,float_mean,float_std,n_int,int_mean,int_std,middle_bits,job");
    if (!t) return -1;
    for (int i = 0; i < NPOINTS; i++) {
        const point *p = &points[i];
        if (p->table != 7 || !included(o, p)) continue;
        fx_hwcfg c;
        char why[256], id[256], seed[32], rank[64] = "no M⊕ exists", deficit[16] = "-", ft[48] = "-", it[48] = "-", mt[48] = "-";
        const int mx = mx_config(p, &c, why, sizeof why);
        const uint32_t n_in = (uint32_t)(p->mx_out * 4 / 5);
        const uint64_t sd = p->mx_seed ? (uint64_t)p->mx_seed : b->seed;
        double fm = NAN, fs = NAN, im = NAN, is = NAN, mm = NAN, ms = NAN;
        int nf = 0, ni = 0, have_rank = 0;
        snprintf(seed, sizeof seed, p->mx_seed ? "%llu" : "0x%llx", (unsigned long long)sd);
        fx_mxor m;
        if (!fx_mxor_generate(sd, n_in, (uint32_t)p->mx_out, (uint32_t)p->mx_tap, &m)) {
            const uint32_t r = fx_gf2_rank(m.row, (uint32_t)p->mx_out);
            snprintf(rank, sizeof rank, "%u", r);
            snprintf(deficit, sizeof deficit, "%u", n_in - r);
            have_rank = 1;
        }
        if (mx >= 0) {
            point_samples ps;
            job_id(p, id, sizeof id);
            collect_samples(o, id, &ps);
            stat_text(&ps.fa, ft, sizeof ft, &fm, &fs);
            stat_text(&ps.ia, it, sizeof it, &im, &is);
            stat_text(&ps.mb, mt, sizeof mt, &mm, &ms);
            if (!isnan(mm)) snprintf(mt, sizeof mt, "%.3f", mm);
            nf = ps.fa.n;
            ni = ps.ia.n;
        } else {
            snprintf(id, sizeof id, "-");
        }
        fprintf(study_md(t), "| %d | %d | %s | %u | %s | %s | %d | %s | %s | %s | %s |\n", p->mx_out, p->mx_tap, seed, n_in, rank,
                deficit, nf > ni ? nf : ni, ft, it, mt, id);
        FILE *f = study_csv(t);
        fprintf(f, "%d,%d,%s,%u,%s,%s,%d", p->mx_out, p->mx_tap, seed, n_in, have_rank ? rank : "", have_rank ? deficit : "", nf);
        csv_num(f, fm, "%.3f");
        csv_num(f, fs, "%.3f");
        fprintf(f, ",%d", ni);
        csv_num(f, im, "%.3f");
        csv_num(f, is, "%.3f");
        csv_num(f, mm, "%.4f");
        fprintf(f, ",%s\n", mx >= 0 ? id : "");
    }
    return study_close(t, report);
}

/* Table 1's plot: integer accuracy (float where there is none) against nominal middle bits per weight. */
static void plot_t1(const opts *o, const point_result *res)
{
    static const char *const names[] = {"FleXOR q=1", "FleXOR q=2", "FleXOR q=3", "q-plane binary codes"};
    static const char *const nets[] = {"lenet", "resnet20"};
    static char g[1 << 13];
    char err[1300], path[1400];
    size_t b = 0;
    int clauses = 0;
    b += (size_t)snprintf(g + b, sizeof g - b,
                          "set terminal svg size 760,540 dynamic enhanced font 'sans,12'\nset output 't1_bits.svg'\n"
                          "set title 'Study table 1: test accuracy vs bits per weight%s'\n"
                          "set xlabel 'bits per weight of the middle layers (q N_{in}/N_{out}; binary codes: q)'\n"
                          "set ylabel 'test accuracy %% (mean over seeds)'\nset key below\nset grid\nset offsets 0.1, 0.1, 1, 1\nplot ",
                          o->quick ? " (QUICK run: not meaningful)" : "");
    for (int ni = 0; ni < 2; ni++)
        for (int s = 0; s <= 4; s++) {
            char d[2048];
            size_t a = 0;
            double fp = NAN;
            for (int i = 0; i < NPOINTS; i++) {
                const point *p = &points[i];
                if (p->table != 1 || p->series != s || strcmp(p->net, nets[ni]) || !included(o, p)) continue;
                const double y = !isnan(res[i].imean) ? res[i].imean : res[i].fmean;
                if (isnan(y)) continue;
                if (s == 4) fp = y;
                else a += (size_t)snprintf(d + a, sizeof d - a, "%g %.3f\n", p->x, y);
            }
            const char *title = ni ? "ResNet-20" : "LeNet-5";
            if (s == 4) {
                if (!isnan(fp))
                    b += (size_t)snprintf(g + b, sizeof g - b, "%s%.3f with lines dt 2 title '%s float'", clauses++ ? ", " : "", fp, title);
                continue;
            }
            if (!a) continue;
            if (fx_fmt(path, sizeof path, "%s/t1_%s_%d.dat", o->out, nets[ni], s) || fx_write_file(path, d, a, err, sizeof err)) {
                fprintf(stderr, "flexor study: %s: cannot write the plot data\n", path);
                return;
            }
            b += (size_t)snprintf(g + b, sizeof g - b, "%s't1_%s_%d.dat' with linespoints lw 2 pt %d title '%s %s'",
                                  clauses++ ? ", " : "", nets[ni], s, 5 + 2 * s + 6 * ni, title, names[s]);
        }
    if (!clauses) return;
    b += (size_t)snprintf(g + b, sizeof g - b, "\n");
    if (fx_fmt(path, sizeof path, "%s/t1_bits.gp", o->out) || fx_write_file(path, g, b, err, sizeof err)) {
        fprintf(stderr, "flexor study: %s: cannot write the plot script\n", path);
        return;
    }
    const char *argv[] = {"gnuplot", "t1_bits.gp", NULL};
    fx_spawn_opts so = {.cwd = o->out, .err = FX_SPAWN_NULL};
    if (fx_spawn(argv, &so, NULL, 0) != 0) fprintf(stderr, "flexor study: gnuplot failed (is gnuplot installed?); script in %s\n", path);
}

/* Table 3c: cycles per inference of each layout on the RTL (flexor cosim's summaries of the first seed). */
static int cycles_table(const opts *o, FILE *report)
{
    char intro[900];
    snprintf(intro, sizeof intro,
             "The first seed's model of each point of table 3a through the RTL (`flexor cosim --images %d`, Verilator, "
             "the default configuration): cycles per inference (mean over the images), MAC utilisation, and whether "
             "every logit equals the sw reference's (mismatches). Straddle slices begin anywhere in a slice, so the "
             "engine reads one slice more per output channel and realigns them.%s",
             COSIM_IMAGES, o->quick ? " Quick run: 1-epoch models (the RTL accuracy means nothing)." : "");
    study_out *t = study_open(o->out, "t3_cycles", "3c. Aligned vs straddle on the RTL: cycles", intro,
                              "| network | point | images | mismatches | RTL acc % | cycles/inference | MAC utilisation % | job |\n"
                              "|---|---|---|---|---|---|---|---|",
                              "net,point,images,mismatches,rtl_acc,cycles_per_inference,mac_utilisation,job");
    if (!t) return -1;
    for (int i = 0; i < NPOINTS; i++) {
        const point *p = &points[i];
        if (p->table != 3 || strcmp(p->net, "lenet") || !included(o, p)) continue;
        char id[256], path[1400], c[5][32];
        job_id(p, id, sizeof id);
        double v[5] = {NAN, NAN, NAN, NAN, NAN}, st = NAN;
        static const char *const key[5] = {"images", "mismatches", "acc_rtl", "cycles_per_inference", "mac_utilisation"};
        static const double scale[5] = {1, 1, 100, 1, 100};
        static const char *const fmt[5] = {"%.0f", "%.0f", "%.2f", "%.1f", "%.1f"};
        if (!fx_fmt(path, sizeof path, "%s/hw/%s_s%" PRIu64 ".cosim.json", o->out, id, o->seeds[0]) &&
            json_number(path, "status", &st) == 0 && st == 0)
            for (int k = 0; k < 5; k++) json_number(path, key[k], &v[k]);
        for (int k = 0; k < 5; k++) {
            if (isnan(v[k])) snprintf(c[k], sizeof c[k], "-");
            else snprintf(c[k], sizeof c[k], fmt[k], v[k] * scale[k]);
        }
        fprintf(study_md(t), "| %s | %s | %s | %s | %s | %s | %s | %s |\n", p->net, p->label, c[0], c[1], c[2], c[3], c[4], id);
        fx_csv_field(study_csv(t), p->net);
        fprintf(study_csv(t), ",%s,%s,%s,%s,%s,%s,%s\n", p->label, c[0], c[1], c[2], c[3], c[4], id);
    }
#ifndef FX_HAVE_CSIM
    fprintf(study_md(t), "\n(this flexor was built without the co-simulator: no cycles)\n");
#endif
    return study_close(t, report);
}

static int collect(const opts *o)
{
    char path[1400], err[1300], bin[1400], flx[1400], id[256];
    if (fx_fmt(path, sizeof path, "%s/study.md", o->out)) return fx_opt_fail(CMD, "--out: path too long");
    fx_out orep;
    FILE *rep = fx_out_open(&orep, path, err, sizeof err);
    if (!rep) { fprintf(stderr, "flexor study: %s\n", err); return 2; }
    fprintf(rep, "# Study: the paper's open questions, measured (`flexor study%s%s`)\n\n", o->quick ? " --quick" : "",
            o->longv ? " --long" : "");
    if (o->quick)
        fprintf(rep, "**This is the QUICK run: a handful of points, 1 epoch on 2000 training images, 1000 test images, "
                     "one seed. Its accuracies are NOT meaningful; it shows that the machinery works. The exact "
                     "analyses (Q3b, Q6a, Q8) are the same as in the full run.**\n\n");
    fprintf(rep, "Seeds: %s. Epochs: %s. Written by `flexor study --collect` from `runs/*.json` (one per job, "
                 "`jobs.txt`); docs/study.md explains every table.\n\n",
            o->seedlist, o->quick ? "1" : "6 (LeNet-5), 8 (ResNet-20)");
    static point_result res[NPOINTS], r[NPOINTS];
    int bad = 0;
    for (int t = 1; t <= 6; t++) {
        if (!table_stem[t][0]) continue;
        bad |= accuracy_table(o, t, rep, r);
        if (t == 3) bad |= cycles_table(o, rep);
        for (int i = 0; i < NPOINTS; i++)
            if (points[i].table == t) res[i] = r[i];
    }
    plot_t1(o, res);
    bad |= mxor_table(o, rep);
    const point bp = {0, Q5_NET, "", Q5_BINARY, 0, 0, 0, 0, 0, 0, 0}, fp = {0, Q5_NET, "", Q6_FLEXOR, 0, 0, 0, 0, 0, 0, 0};
    job_id(&bp, id, sizeof id);
    if (fx_fmt(bin, sizeof bin, "%s/models/%s_s%" PRIu64 ".fxm", o->out, id, o->seeds[0])) bin[0] = 0;
    job_id(&fp, id, sizeof id);
    if (fx_fmt(flx, sizeof flx, "%s/models/%s_s%" PRIu64 ".fxm", o->out, id, o->seeds[0])) flx[0] = 0;
    bad |= study_q3_padding(o->out, rep);
    bad |= study_q5_entropy(o->out, bin, rep);
    bad |= study_q6_mxor(o->out, rep);
    bad |= study_q6_agreement(o->out, bin, flx, rep);
    bad |= study_q8_cost(o->out, o->synth, rep);
    if (fx_out_commit(&orep, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); return 2; }
    if (bad) return 2;
    printf("flexor study: %s\n", path);
    return 0;
}

static int parse_seeds(opts *o)
{
    char items[MAX_SEEDS][32];
    o->nseeds = fx_split_list(o->seedlist, items[0], sizeof items[0], MAX_SEEDS);
    if (o->nseeds < 0) return fx_opt_bad_value(CMD, "seeds", o->seedlist, "a comma list of at most 16 seeds");
    for (int k = 0; k < o->nseeds; k++) {
        if (fx_parse_u64(items[k], 0, UINT64_MAX, &o->seeds[k])) return fx_opt_bad_value(CMD, "seeds", items[k], "non-negative integers");
        for (int i = 0; i < k; i++)
            if (o->seeds[i] == o->seeds[k]) return fx_opt_bad_value(CMD, "seeds", o->seedlist, "distinct seeds");
    }
    return 0;
}

int fx_cmd_study(int argc, char **argv)
{
    opts o = {.jobs = 1, .data = FX_DEFAULT_DATA_DIR, .synth = "synth/results"};
    const char *seeds = NULL;
    static const struct option lo[] = {{"quick", 0, 0, 'q'}, {"long", 0, 0, 'L'},     {"seeds", 1, 0, 's'},
                                       {"out", 1, 0, 'o'},   {"data", 1, 0, 'd'},     {"synth", 1, 0, 'S'},
                                       {"jobs-only", 0, 0, 'n'}, {"collect", 0, 0, 'c'}, {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":j:h", lo, NULL)) != -1) {
        switch (c) {
        case 'q': o.quick = 1; break;
        case 'L': o.longv = 1; break;
        case 's': seeds = optarg; break;
        case 'o': o.out = optarg; break;
        case 'd': o.data = optarg; break;
        case 'S': o.synth = optarg; break;
        case 'n': o.jobs_only = 1; break;
        case 'c': o.collect = 1; break;
        case 'j': if (fx_parse_int(optarg, 1, 64, &o.jobs)) return fx_opt_bad_value(CMD, "jobs", optarg, "1..64"); break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error(CMD, c, argv);
        }
    }
    if (optind != argc) return fx_opt_fail(CMD, "unexpected argument '%s'", argv[optind]);
    if (o.jobs_only && o.collect) return fx_opt_fail(CMD, "--jobs-only and --collect: give one of them");
    if (!o.out) o.out = o.quick ? "results/study/quick" : "results/study";
    if (!seeds) seeds = o.quick ? "0" : "0,1,2";
    if (strlen(seeds) >= sizeof o.seedlist) return fx_opt_bad_value(CMD, "seeds", seeds, "a shorter list");
    snprintf(o.seedlist, sizeof o.seedlist, "%s", seeds);
    if (parse_seeds(&o)) return 2;
    if (!fx_shell_safe(o.out, 900))
        return fx_opt_bad_value(CMD, "out", o.out, "a path of letters, digits and _./+-,=:@% (job lines are shell commands)");
    if (strpbrk(o.out, ":%=")) /* the out path is in make target names (the jobs' result files) */
        return fx_opt_bad_value(CMD, "out", o.out, "a path without ':', '%' or '=' (it names make targets)");
    if (!fx_shell_safe(o.data, 900))
        return fx_opt_bad_value(CMD, "data", o.data, "a path of letters, digits and _./+-,=:@% (job lines are shell commands)");
    if (!fx_shell_safe(o.synth, 900))
        return fx_opt_bad_value(CMD, "synth", o.synth, "a path of letters, digits and _./+-,=:@% (job lines are shell commands)");
    char sub[1100];
    if (fx_fmt(sub, sizeof sub, "%s/models", o.out) || fx_mkdir_p(sub) || fx_fmt(sub, sizeof sub, "%s/runs", o.out) || fx_mkdir_p(sub) ||
        fx_fmt(sub, sizeof sub, "%s/hw", o.out) || fx_mkdir_p(sub) || fx_fmt(sub, sizeof sub, "%s/configs", o.out) || fx_mkdir_p(sub)) {
        fprintf(stderr, "flexor study: %s: cannot create\n", sub);
        return 2;
    }
    if (o.collect) return collect(&o);
    if (write_jobs(&o)) return 2;
    fprintf(stderr, "flexor study: job list %s/jobs.txt, Makefile %s/jobs.mk\n", o.out, o.out);
    if (o.jobs_only) return 0;
    if (fx_joblist_run(CMD, o.out, o.jobs) == 0) return 0;
    collect(&o); /* what finished, in the tables anyway */
    return 1;
}
