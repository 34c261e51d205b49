/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor sweep`: networks (presets or description files) at FP, binary and FleXOR 1.0/0.8/0.6/0.4 bits;
 * Markdown + CSV table and an accuracy-vs-bits plot. Each job is exactly `flexor train --net N --bits B
 * --epochs E ...`. */
#include "flexor/opt.h"
#include "flexor/fsutil.h"
#include "flexor/outfmt.h"
#include "flexor/spawn.h"
#include "tr.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* model: the network's name (preset, or file name without .net) in tables and file names; net: --net */
typedef struct { char model[64], net[256], bits[32]; int epochs; uint64_t seed; fx_train_result r; int rc; } job_t;

#define MAX_SEEDS 16

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor sweep [options]\n"
"Train every (network, setting, seed) and tabulate float accuracy, integer accuracy (sw reference), bits\n"
"per weight, model bytes and training time. Each job equals `flexor train --net N --bits B --epochs E\n"
"--seed S --out DIR/models/M_B.fxm --resume` (M: the network's name; M_B_sS.fxm when several seeds)\n"
"with the same extra options; re-running the sweep resumes.\n\n"
"  --nets LIST            comma list of presets (mlp, lenet, resnet20, resnet20_mix) or description files\n"
"                         (docs/net.md; not specs: they hold commas), at most 4, distinct names (default\n"
"                         mlp,lenet); --models LIST is an alias\n"
"  --settings LIST        comma list of --bits values (default fp,binary,1.0,0.8,0.6,0.4)\n"
"  --seeds LIST           comma list of seeds, at most 16 (default: --seed, else 0); with more than one,\n"
"                         a seed column and a mean +- std table per (network, setting)\n"
"  --epochs N             epochs of every network (overrides the two below)\n"
"  --epochs-mlp N         epochs of networks without a conv layer, such as mlp (default 15)\n"
"  --epochs-lenet N       epochs of networks with a conv layer, such as lenet or resnet20 (default 6)\n"
"  --out DIR              results directory (default results/sweep)\n"
"  --paper                comparison setting for every job (float first/last layers and activations)\n"
"  --train-images N, --images N, --seed N, --data DIR, --layout L, --grad G, --threads N, --bn,\n"
"  --optim O, --lr X, --momentum X, --wd X, --warmup E, --sched S, --steps LIST, --gamma X, --batch N,\n"
"  --config NAME|FILE, --format 1|2 (models and logs then named M_B_v2 with --format 2)\n"
"                         passed to every job (as flexor train reads them)\n"
"  --quiet                no per-epoch output\n"
"  -h, --help             this text\n");
}

static void acc_s(char *b, size_t n, double v) { if (v < 0) snprintf(b, n, "-"); else snprintf(b, n, "%.2f", v); }

/* Mean and sample standard deviation (n - 1; 0 for one value) of the accuracies >= 0 of the jobs of one
 * (network, setting); which: 0 float, 1 integer (sw reference). Returns how many there were. */
static int seed_stats(const job_t *jobs, int nj, const job_t *of, int which, double *mean, double *sd)
{
    double sum = 0, sq = 0;
    int n = 0;
    for (int i = 0; i < nj; i++) {
        const double v = which ? jobs[i].r.ref_acc : jobs[i].r.float_acc;
        if (strcmp(jobs[i].model, of->model) || strcmp(jobs[i].bits, of->bits) || v < 0) continue;
        sum += v;
        n++;
    }
    if (!n) return 0;
    *mean = sum / n;
    for (int i = 0; i < nj; i++) {
        const double v = which ? jobs[i].r.ref_acc : jobs[i].r.float_acc;
        if (strcmp(jobs[i].model, of->model) || strcmp(jobs[i].bits, of->bits) || v < 0) continue;
        sq += (v - *mean) * (v - *mean);
    }
    *sd = n > 1 ? sqrt(sq / (n - 1)) : 0;
    return n;
}

/* 1 when an earlier job has the same (network, setting): the first job of each pair stands for it. */
static int seen_pair(const job_t *jobs, int i)
{
    for (int k = 0; k < i; k++)
        if (!strcmp(jobs[k].model, jobs[i].model) && !strcmp(jobs[k].bits, jobs[i].bits)) return 1;
    return 0;
}

/* "mean ± std (n)" of one accuracy, "-" when no job has it. */
static void stat_s(char *b, size_t len, const job_t *jobs, int nj, const job_t *of, int which, int *n)
{
    double m = 0, sd = 0;
    *n = seed_stats(jobs, nj, of, which, &m, &sd);
    if (*n) snprintf(b, len, "%.2f ± %.2f", m, sd);
    else snprintf(b, len, "-");
}

/* The mean ± std table over seeds (several seeds only): Markdown appended to md, CSV to DIR/sweep_seeds.csv. */
static size_t seed_table(char *md, size_t cap, const char *dir, const job_t *jobs, int nj, int nseeds)
{
    static char csv[1 << 16];
    char path[700], err[512];
    size_t a = 0, c = 0;
    a += (size_t)snprintf(md + a, cap - a,
                          "\n## Mean ± standard deviation over %d seeds\n\n"
                          "Sample standard deviation (n − 1); n: the seeds with a result.\n\n"
                          "| model | setting | n | float acc %% | integer acc %% |\n|---|---|---|---|---|\n", nseeds);
    c += (size_t)snprintf(csv + c, sizeof csv - c, "model,setting,n_float,float_mean,float_std,n_int,int_mean,int_std\n");
    for (int i = 0; i < nj; i++) {
        if (seen_pair(jobs, i)) continue;
        char fs[48], is[48], qm[80], qb[80];
        int nf, ni;
        double fm = -1, fsd = -1, im = -1, isd = -1;
        stat_s(fs, sizeof fs, jobs, nj, &jobs[i], 0, &nf);
        stat_s(is, sizeof is, jobs, nj, &jobs[i], 1, &ni);
        if (nf) seed_stats(jobs, nj, &jobs[i], 0, &fm, &fsd);
        if (ni) seed_stats(jobs, nj, &jobs[i], 1, &im, &isd);
        a += (size_t)snprintf(md + a, cap - a, "| %s | %s | %d | %s | %s |\n", jobs[i].model, jobs[i].bits, nf > ni ? nf : ni, fs, is);
        c += (size_t)snprintf(csv + c, sizeof csv - c, "%s,%s,%d,%.3f,%.3f,%d,%.3f,%.3f\n", fx_csv_text(qm, sizeof qm, jobs[i].model),
                              fx_csv_text(qb, sizeof qb, jobs[i].bits), nf, fm, fsd, ni, im, isd);
    }
    snprintf(path, sizeof path, "%s/sweep_seeds.csv", dir);
    if (fx_write_file(path, csv, c, err, sizeof err)) fprintf(stderr, "flexor sweep: %s\n", err);
    return a;
}

static void write_tables(const char *dir, const job_t *jobs, int nj, const fx_train_opts *base, const uint64_t *seeds, int nseeds)
{
    char path[700], err[512], seedtxt[16 * 24] = "";
    static char md[1 << 17], csv[1 << 16];
    size_t a = 0, c = 0;
    const int multi = nseeds > 1;
    for (int k = 0, o = 0; k < nseeds; k++)
        o += snprintf(seedtxt + o, sizeof seedtxt - (size_t)o, "%s%" PRIu64, k ? ", " : "", seeds[k]);
    a += (size_t)snprintf(md + a, sizeof md - a,
                          "# Sweep: Fashion-MNIST test accuracy vs bits per weight\n\n"
                          "Setting: %s first/last layers, %s activations, layout %s, seed%s %s; integer accuracy is the "
                          "exported model run by the sw reference (fx_ref_infer).\n\n"
                          "| model | setting | %sepochs | float acc %% | integer acc %% | int - float | float acc, float act. %% | middle bits/weight | "
                          "avg bits/weight | model bytes | train s | train img/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|%s\n",
                          base->edge, base->act_quant ? "uint8" : "float", base->straddle ? "straddle" : "aligned",
                          multi ? "s" : "", seedtxt, multi ? "seed | " : "", multi ? "---|" : "");
    c += (size_t)snprintf(csv + c, sizeof csv - c,
                          "model,setting,%sepochs,float_acc,int_acc,trainer_int_acc,ref_mismatch,float_fact_acc,middle_bits,avg_bits,model_bytes,train_s,train_img_s\n",
                          multi ? "seed," : "");
    for (int i = 0; i < nj; i++) {
        const job_t *j = &jobs[i];
        char fa[16], ia[16], gap[16], mb[24], ff[16];
        acc_s(fa, sizeof fa, j->r.float_acc); acc_s(ia, sizeof ia, j->r.ref_acc); acc_s(ff, sizeof ff, j->r.float_fact_acc);
        if (j->r.ref_acc >= 0) snprintf(gap, sizeof gap, "%+.2f", j->r.ref_acc - j->r.float_acc); else snprintf(gap, sizeof gap, "-");
        if (j->r.model_bytes >= 0) snprintf(mb, sizeof mb, "%ld", j->r.model_bytes); else snprintf(mb, sizeof mb, "-");
        char sd[32] = "";
        if (multi) snprintf(sd, sizeof sd, "%" PRIu64 " | ", j->seed);
        a += (size_t)snprintf(md + a, sizeof md - a, "| %s | %s | %s%d | %s | %s | %s | %s | %.3f | %.3f | %s | %.0f | %.0f |\n",
                              j->model, j->bits, sd, j->r.epochs_done, fa, ia, gap, ff, j->r.bits_per_weight, j->r.avg_bits, mb,
                              j->r.train_seconds, j->r.train_img_s);
        char qm[64], qb[80];
        if (multi) snprintf(sd, sizeof sd, "%" PRIu64 ",", j->seed);
        c += (size_t)snprintf(csv + c, sizeof csv - c, "%s,%s,%s%d,%.3f,%.3f,%.3f,%ld,%.3f,%.4f,%.4f,%ld,%.1f,%.0f\n",
                              fx_csv_text(qm, sizeof qm, j->model), fx_csv_text(qb, sizeof qb, j->bits), sd, j->r.epochs_done, j->r.float_acc, j->r.ref_acc, j->r.int_acc, j->r.ref_mismatch, j->r.float_fact_acc,
                              j->r.bits_per_weight, j->r.avg_bits, j->r.model_bytes, j->r.train_seconds, j->r.train_img_s);
    }
    a += (size_t)snprintf(md + a, sizeof md - a,
                          "\nfloat acc: the trained network in float with its uint8 activation quantizers (what was trained); "
                          "integer acc: the exported .fxm run by fx_ref_infer; float act.: the same weights with float activations. "
                          "middle bits/weight: the FleXOR/binary layers as stored (q*N_in/N_out with the per-channel padding of "
                          "the aligned layout); avg: all weights of the network (float = 32). '-': not exportable (float "
                          "weights or activations).\n");
    if (multi) a += seed_table(md + a, sizeof md - a, dir, jobs, nj, nseeds);
    a += (size_t)snprintf(md + a, sizeof md - a, "\n![accuracy vs bits](accuracy_vs_bits.svg)%s\n",
                          multi ? " (the mean over seeds)" : "");
    snprintf(path, sizeof path, "%s/sweep.md", dir);
    if (fx_write_file(path, md, a, err, sizeof err)) fprintf(stderr, "flexor sweep: %s\n", err);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    if (fx_write_file(path, csv, c, err, sizeof err)) fprintf(stderr, "flexor sweep: %s\n", err);
}

/* One data file per series (gnuplot skips empty blocks, which would shift `index` numbering). The script
 * names its files relative to dir, where gnuplot runs: no path is ever quoted into it. */
static void plot(const char *dir, const job_t *jobs, int nj)
{
    /* one curve pair per network of the sweep, in --nets order; the presets keep their paper names */
    static const int pt[4][2] = {{7, 5}, {9, 13}, {11, 15}, {3, 1}};
    const char *models[4];
    int nm = 0;
    for (int i = 0; i < nj; i++) {
        int seen = 0;
        for (int k = 0; k < nm; k++) seen |= !strcmp(models[k], jobs[i].model);
        if (!seen && nm < 4) models[nm++] = jobs[i].model;
    }
    char gp[700], err[512], path[700];
    static char g[1 << 13];
    size_t b = 0;
    snprintf(gp, sizeof gp, "%s/accuracy_vs_bits.gp", dir);
    b += (size_t)snprintf(g + b, sizeof g - b,
                          "set terminal svg size 720,480 dynamic enhanced font 'sans,12'\nset output '%s'\n"
                          "set title 'Fashion-MNIST: test accuracy (integer model, sw reference) vs bits per weight'\n"
                          "set xlabel 'bits per weight of the middle layers (q N_{in}/N_{out})'\nset ylabel 'test accuracy (%%)'\n"
                          "set key outside right top\nset grid\nset xrange [0.3:1.1]\nplot ",
                          "accuracy_vs_bits.svg");
    int clauses = 0;
    for (int mi = 0; mi < nm; mi++) {
        const char *title = !strcmp(models[mi], "mlp") ? "MLP" : !strcmp(models[mi], "lenet") ? "LeNet-5" : models[mi];
        double fp = -1;
        for (int kind = 0; kind < 2; kind++) { /* 0: FleXOR, 1: binary */
            char d[512];
            size_t a = 0;
            for (int i = 0; i < nj; i++) {
                const job_t *j = &jobs[i];
                if (strcmp(j->model, models[mi]) || seen_pair(jobs, i)) continue;
                double acc = -1, sd;
                if (!seed_stats(jobs, nj, j, 1, &acc, &sd) && !seed_stats(jobs, nj, j, 0, &acc, &sd)) continue;
                if (!strcmp(j->bits, "fp")) { fp = acc; continue; }
                int is_bin = !strcmp(j->bits, "binary");
                if (is_bin != kind) continue;
                a += (size_t)snprintf(d + a, sizeof d - a, "%g %.3f\n", is_bin ? 1.0 : atof(j->bits), acc);
            }
            if (!a) continue;
            snprintf(path, sizeof path, "%s/accuracy_%s_%s.dat", dir, models[mi], kind ? "binary" : "flexor");
            if (fx_write_file(path, d, a, err, sizeof err)) { fprintf(stderr, "flexor sweep: %s\n", err); return; }
            b += (size_t)snprintf(g + b, sizeof g - b, "%s'accuracy_%s_%s.dat' with %s pt %d%s title '%s %s'",
                                  clauses++ ? ", " : "", models[mi], kind ? "binary" : "flexor",
                                  kind ? "points" : "linespoints lw 2", pt[mi][kind], kind ? " ps 1.5" : "", title,
                                  kind ? "binary" : "FleXOR");
        }
        if (fp >= 0)
            b += (size_t)snprintf(g + b, sizeof g - b, "%s%.3f with lines dt 2 title '%s float'", clauses++ ? ", " : "", fp, title);
    }
    if (!clauses) return;
    b += (size_t)snprintf(g + b, sizeof g - b, "\n");
    if (fx_write_file(gp, g, b, err, sizeof err)) { fprintf(stderr, "flexor sweep: %s\n", err); return; }
    const char *argv[] = {"gnuplot", "accuracy_vs_bits.gp", NULL};
    fx_spawn_opts o = {.cwd = dir, .err = FX_SPAWN_NULL};
    if (fx_spawn(argv, &o, NULL, 0) != 0) fprintf(stderr, "flexor sweep: gnuplot failed (is gnuplot installed?); script in %s\n", gp);
}

int fx_cmd_sweep(int argc, char **argv)
{
    static const struct option lo[] = {
        {"models", 1, 0, 'm'}, {"nets", 1, 0, 'm'}, {"settings", 1, 0, 's'}, {"epochs-mlp", 1, 0, 1}, {"epochs-lenet", 1, 0, 2},
        {"out", 1, 0, 'o'}, {"paper", 0, 0, 'P'}, {"train-images", 1, 0, 3}, {"limit", 1, 0, 3}, {"images", 1, 0, 4}, {"test-limit", 1, 0, 4}, {"seed", 1, 0, 5},
        {"data", 1, 0, 6}, {"layout", 1, 0, 7}, {"grad", 1, 0, 8}, {"threads", 1, 0, 9}, {"quiet", 0, 0, 'Q'}, {"help", 0, 0, 'h'}, {"hw", 0, 0, 10},
        {"optim", 1, 0, 11}, {"lr", 1, 0, 12}, {"momentum", 1, 0, 13}, {"wd", 1, 0, 14}, {"warmup", 1, 0, 15}, {"sched", 1, 0, 16},
        {"steps", 1, 0, 17}, {"gamma", 1, 0, 18}, {"batch", 1, 0, 19}, {"bn", 0, 0, 20}, {"seeds", 1, 0, 21}, {"epochs", 1, 0, 22},
        {"config", 1, 0, 23}, {"format", 1, 0, 24}, {0, 0, 0, 0}};
    /* options of `flexor train` passed to every job, by option code */
    static const char *const passed[] = {[3] = "--train-images", [4] = "--images", [5] = "--seed", [6] = "--data", [7] = "--layout",
                                         [8] = "--grad", [9] = "--threads", [11] = "--optim", [12] = "--lr", [13] = "--momentum",
                                         [14] = "--wd", [15] = "--warmup", [16] = "--sched", [17] = "--steps", [18] = "--gamma",
                                         [19] = "--batch", [20] = "--bn", [23] = "--config", [24] = "--format"};
    char models[1100] = "mlp,lenet", settings[128] = "fp,binary,1.0,0.8,0.6,0.4", dir[512] = "results/sweep", seedlist[600] = "";
    int ep_mlp = 15, ep_lenet = 6, ep_all = 0;
    fx_train_opts base;
    fx_train_defaults(&base);
    char *pass[48];
    int npass = 0;
    pass[npass++] = "train";
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'm': if (strlen(optarg) >= sizeof models) return fx_opt_bad_value("sweep", "nets", optarg, "a shorter list"); snprintf(models, sizeof models, "%s", optarg); break;
        case 's': if (strlen(optarg) >= sizeof settings) return fx_opt_bad_value("sweep", "settings", optarg, "a shorter list"); snprintf(settings, sizeof settings, "%s", optarg); break;
        case 1: if (fx_parse_int(optarg, 1, 10000, &ep_mlp)) return fx_opt_bad_value("sweep", "epochs-mlp", optarg, "1..10000"); break;
        case 2: if (fx_parse_int(optarg, 1, 10000, &ep_lenet)) return fx_opt_bad_value("sweep", "epochs-lenet", optarg, "1..10000"); break;
        case 'o': if (strlen(optarg) >= sizeof dir) return fx_opt_bad_value("sweep", "out", optarg, "a shorter path"); snprintf(dir, sizeof dir, "%s", optarg); break;
        case 'P': fx_train_paper(&base); break;
        case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 11: case 12: case 13: case 14: case 15: case 16: case 17:
        case 18: case 19: case 20: case 23: case 24: /* each at most twice in pass (a repeated option: the last wins, as in train) */
            if (npass + 2 >= (int)(sizeof pass / sizeof pass[0])) return fx_opt_fail("sweep", "too many options");
            pass[npass++] = (char *)passed[c];
            if (c != 20) pass[npass++] = optarg;
            break;
        case 21: if (strlen(optarg) >= sizeof seedlist) return fx_opt_bad_value("sweep", "seeds", optarg, "a shorter list"); snprintf(seedlist, sizeof seedlist, "%s", optarg); break;
        case 22: if (fx_parse_int(optarg, 1, 10000, &ep_all)) return fx_opt_bad_value("sweep", "epochs", optarg, "1..10000"); break;
        case 'Q': base.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case 10: return fx_opt_fail("sweep", "--hw selects the hardware sweep: flexor sweep-hw [options], or --hw as the first option");
        default: return fx_opt_error("sweep", c, argv);
        }
    }
    if (optind < argc) return fx_opt_fail("sweep", "unexpected argument '%s'", argv[optind]);
    if (strlen(dir) > 370) return fx_opt_bad_value("sweep", "out", dir, "a path of at most 370 characters");
    /* the passed-through options are parsed by the same parser as `flexor train` */
    if (fx_train_parse(npass, pass, &base) == 2) return 2;
    char ml[4][256], sl[16][32], sdl[MAX_SEEDS][32]; /* lists taken whole: an empty, unknown or surplus item is an error */
    int nm = fx_split_list(models, ml[0], sizeof ml[0], 4), ns = fx_split_list(settings, sl[0], sizeof sl[0], 16), nseeds = 1;
    if (nm < 0) return fx_opt_bad_value("sweep", "nets", models, "a comma list of at most 4 presets or .net files");
    if (ns < 0) return fx_opt_bad_value("sweep", "settings", settings, "a comma list of at most 16 settings");
    uint64_t seeds[MAX_SEEDS] = {base.seed};
    if (seedlist[0]) {
        for (int i = 0; i < npass; i++)
            if (!strcmp(pass[i], "--seed")) return fx_opt_fail("sweep", "--seed and --seeds: give one of them");
        nseeds = fx_split_list(seedlist, sdl[0], sizeof sdl[0], MAX_SEEDS);
        if (nseeds < 0) return fx_opt_bad_value("sweep", "seeds", seedlist, "a comma list of at most 16 seeds");
        for (int k = 0; k < nseeds; k++) {
            if (fx_parse_u64(sdl[k], 0, UINT64_MAX, &seeds[k])) return fx_opt_bad_value("sweep", "seeds", sdl[k], "non-negative integers");
            for (int i = 0; i < k; i++)
                if (seeds[i] == seeds[k]) return fx_opt_bad_value("sweep", "seeds", seedlist, "distinct seeds");
        }
    }
    job_t *jobs = calloc((size_t)(nm * ns * nseeds), sizeof *jobs);
    int nj = 0;
    fx_netdesc *nd = malloc(sizeof *nd);
    if (!nd || !jobs) { free(nd); free(jobs); return fx_opt_fail("sweep", "out of memory"); }
    for (int mi = 0; mi < nm; mi++) {
        char err[1024];
        if (base.format == 1 ? fx_train_net(ml[mi], nd, NULL, 0, err, sizeof err) : fx_train_net_float(ml[mi], nd, NULL, 0, err, sizeof err)) {
            free(nd);
            free(jobs);
            return fx_opt_fail("sweep", "%s%s", base.format == 1 ? "--format 1: " : "", err);
        }
        const int has_conv = fx_netdesc_has_conv(nd);
        /* the name becomes file names and gnuplot strings: plain characters only */
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-";
        if (strspn(nd->name, plain) != strlen(nd->name)) {
            free(nd);
            free(jobs);
            return fx_opt_bad_value("sweep", "nets", ml[mi], "networks whose names (file names without .net) are letters, digits and _.+-");
        }
        for (int i = 0; i < nj; i += ns * nseeds)
            if (!strcmp(jobs[i].model, nd->name)) {
                const int rc = fx_opt_fail("sweep", "--nets: two networks named '%s'", nd->name);
                free(nd); /* after the message that names it */
                free(jobs);
                return rc;
            }
        for (int si = 0; si < ns; si++)
            for (int k = 0; k < nseeds; k++) {
                snprintf(jobs[nj].model, sizeof jobs[nj].model, "%s", nd->name);
                snprintf(jobs[nj].net, sizeof jobs[nj].net, "%.255s", ml[mi]);
                snprintf(jobs[nj].bits, sizeof jobs[nj].bits, "%.31s", sl[si]);
                jobs[nj].epochs = ep_all ? ep_all : has_conv ? ep_lenet : ep_mlp;
                jobs[nj].seed = seeds[k];
                jobs[nj].r.float_acc = jobs[nj].r.ref_acc = jobs[nj].r.int_acc = -1;
                jobs[nj].r.model_bytes = -1;
                nj++;
            }
    }
    free(nd);
    char sub[700];
    snprintf(sub, sizeof sub, "%s/models", dir);
    if (fx_mkdir_p(sub)) { fprintf(stderr, "flexor sweep: %s: cannot create: %s\n", sub, strerror(errno)); free(jobs); return 2; }
    int worst = 0;
    for (int i = 0; i < nj; i++) {
        fx_train_opts o = base;
        snprintf(o.net, sizeof o.net, "%s", jobs[i].net);
        snprintf(o.bits, sizeof o.bits, "%s", jobs[i].bits);
        o.epochs = jobs[i].epochs;
        o.seed = jobs[i].seed;
        o.resume = 1;
        /* M_B, or M_B_sS with several seeds (a single seed keeps the names it always had); _v2 with
         * --format 2, whose models are others than the default's (another K order) */
        char stem[128];
        const char *fmt = base.format == 2 ? "_v2" : "";
        if (nseeds > 1) snprintf(stem, sizeof stem, "%s_%s_s%" PRIu64 "%s", jobs[i].model, jobs[i].bits, jobs[i].seed, fmt);
        else snprintf(stem, sizeof stem, "%s_%s%s", jobs[i].model, jobs[i].bits, fmt);
        snprintf(o.out, sizeof o.out, "%.370s/models/%s.fxm", dir, stem);
        snprintf(o.ckpt, sizeof o.ckpt, "%.370s/models/%s.ckpt", dir, stem);
        snprintf(o.csv, sizeof o.csv, "%.370s/%s.csv", dir, stem);
        fprintf(stderr, "== job %d/%d: flexor train --net %s --bits %s --epochs %d --seed %" PRIu64 "%s%s%s%s --out %s --resume\n", i + 1,
                nj, o.net, o.bits, o.epochs, o.seed, base.act_quant ? "" : " --paper", o.config[0] ? " --config " : "", o.config,
                base.format ? (base.format == 2 ? " --format 2" : " --format 1") : "", o.out);
        jobs[i].rc = fx_train_job(&o, &jobs[i].r);
        if (jobs[i].rc > worst) worst = jobs[i].rc;
        write_tables(dir, jobs, i + 1, &base, seeds, nseeds);
        plot(dir, jobs, i + 1);
    }
    free(jobs);
    char path[700];
    snprintf(path, sizeof path, "%s/sweep.md", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) fputs(line, stdout);
        fclose(f);
    }
    return worst;
}
