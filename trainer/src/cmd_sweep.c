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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* model: the network's name (preset, or file name without .net) in tables and file names; net: --net */
typedef struct { char model[64], net[256], bits[32]; int epochs; fx_train_result r; int rc; } job_t;

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor sweep [options]\n"
"Train every (network, setting) pair and tabulate float accuracy, integer accuracy (sw reference), bits\n"
"per weight, model bytes and training time. Each job equals `flexor train --net N --bits B --epochs E\n"
"--out DIR/models/M_B.fxm --resume` (M: the network's name) with the same extra options; re-running the\n"
"sweep resumes.\n\n"
"  --nets LIST            comma list of presets (mlp, lenet) or description files (docs/net.md; not specs:\n"
"                         they hold commas), at most 4, distinct names (default mlp,lenet); --models LIST\n"
"                         is an alias\n"
"  --settings LIST        comma list of --bits values (default fp,binary,1.0,0.8,0.6,0.4)\n"
"  --epochs-mlp N         epochs of networks without a conv layer, such as mlp (default 15)\n"
"  --epochs-lenet N       epochs of networks with a conv layer, such as lenet (default 6)\n"
"  --out DIR              results directory (default results/sweep)\n"
"  --paper                comparison setting for every job (float first/last layers and activations)\n"
"  --train-images N, --images N, --seed N, --data DIR, --layout L, --grad G, --threads N\n"
"                         passed to every job\n"
"  --quiet                no per-epoch output\n"
"  -h, --help             this text\n");
}

static void acc_s(char *b, size_t n, double v) { if (v < 0) snprintf(b, n, "-"); else snprintf(b, n, "%.2f", v); }

static void write_tables(const char *dir, const job_t *jobs, int nj, const fx_train_opts *base)
{
    char path[700], err[512];
    static char md[1 << 16], csv[1 << 16];
    size_t a = 0, c = 0;
    a += (size_t)snprintf(md + a, sizeof md - a,
                          "# Sweep: Fashion-MNIST test accuracy vs bits per weight\n\n"
                          "Setting: %s first/last layers, %s activations, layout %s, seed %llu; integer accuracy is the "
                          "exported model run by the sw reference (fx_ref_infer).\n\n"
                          "| model | setting | epochs | float acc %% | integer acc %% | int - float | float acc, float act. %% | middle bits/weight | "
                          "avg bits/weight | model bytes | train s | train img/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                          base->edge, base->act_quant ? "uint8" : "float", base->straddle ? "straddle" : "aligned",
                          (unsigned long long)base->seed);
    c += (size_t)snprintf(csv + c, sizeof csv - c,
                          "model,setting,epochs,float_acc,int_acc,trainer_int_acc,ref_mismatch,float_fact_acc,middle_bits,avg_bits,model_bytes,train_s,train_img_s\n");
    for (int i = 0; i < nj; i++) {
        const job_t *j = &jobs[i];
        char fa[16], ia[16], gap[16], mb[24], ff[16];
        acc_s(fa, sizeof fa, j->r.float_acc); acc_s(ia, sizeof ia, j->r.ref_acc); acc_s(ff, sizeof ff, j->r.float_fact_acc);
        if (j->r.ref_acc >= 0) snprintf(gap, sizeof gap, "%+.2f", j->r.ref_acc - j->r.float_acc); else snprintf(gap, sizeof gap, "-");
        if (j->r.model_bytes >= 0) snprintf(mb, sizeof mb, "%ld", j->r.model_bytes); else snprintf(mb, sizeof mb, "-");
        a += (size_t)snprintf(md + a, sizeof md - a, "| %s | %s | %d | %s | %s | %s | %s | %.3f | %.3f | %s | %.0f | %.0f |\n",
                              j->model, j->bits, j->r.epochs_done, fa, ia, gap, ff, j->r.bits_per_weight, j->r.avg_bits, mb,
                              j->r.train_seconds, j->r.train_img_s);
        char qm[64], qb[80];
        c += (size_t)snprintf(csv + c, sizeof csv - c, "%s,%s,%d,%.3f,%.3f,%.3f,%ld,%.3f,%.4f,%.4f,%ld,%.1f,%.0f\n",
                              fx_csv_text(qm, sizeof qm, j->model), fx_csv_text(qb, sizeof qb, j->bits), j->r.epochs_done, j->r.float_acc, j->r.ref_acc, j->r.int_acc, j->r.ref_mismatch, j->r.float_fact_acc,
                              j->r.bits_per_weight, j->r.avg_bits, j->r.model_bytes, j->r.train_seconds, j->r.train_img_s);
    }
    a += (size_t)snprintf(md + a, sizeof md - a,
                          "\nfloat acc: the trained network in float with its uint8 activation quantizers (what was trained); "
                          "integer acc: the exported .fxm run by fx_ref_infer; float act.: the same weights with float activations. "
                          "middle bits/weight: the FleXOR/binary layers as stored (q*N_in/N_out with the per-channel padding of "
                          "the aligned layout); avg: all weights of the network (float = 32). '-': not exportable (float "
                          "weights or activations).\n\n![accuracy vs bits](accuracy_vs_bits.svg)\n");
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
                if (strcmp(j->model, models[mi])) continue;
                double acc = j->r.ref_acc >= 0 ? j->r.ref_acc : j->r.float_acc;
                if (acc < 0) continue;
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
        {0, 0, 0, 0}};
    char models[1100] = "mlp,lenet", settings[128] = "fp,binary,1.0,0.8,0.6,0.4", dir[512] = "results/sweep";
    int ep_mlp = 15, ep_lenet = 6;
    fx_train_opts base;
    fx_train_defaults(&base);
    char *pass[16];
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
        case 3: case 4: case 5: case 6: case 7: case 8: case 9:
            if (npass + 2 < 16) {
                static const char *nm[] = {"--train-images", "--images", "--seed", "--data", "--layout", "--grad", "--threads"};
                pass[npass++] = (char *)nm[c - 3];
                pass[npass++] = optarg;
            }
            break;
        case 'Q': base.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case 10: return fx_opt_fail("sweep", "--hw selects the hardware sweep: flexor sweep-hw [options], or --hw as the first option");
        default: return fx_opt_error("sweep", c, argv);
        }
    }
    if (optind < argc) return fx_opt_fail("sweep", "unexpected argument '%s'", argv[optind]);
    /* the passed-through options are parsed by the same parser as `flexor train` */
    if (fx_train_parse(npass, pass, &base) == 2) return 2;
    job_t jobs[4 * 16];
    int nj = 0;
    char ml[4][256], sl[16][32]; /* lists taken whole: an empty, unknown or surplus item is an error */
    int nm = fx_split_list(models, ml[0], sizeof ml[0], 4), ns = fx_split_list(settings, sl[0], sizeof sl[0], 16);
    if (nm < 0) return fx_opt_bad_value("sweep", "nets", models, "a comma list of at most 4 presets or .net files");
    if (ns < 0) return fx_opt_bad_value("sweep", "settings", settings, "a comma list of at most 16 settings");
    fx_netdesc *nd = malloc(sizeof *nd);
    if (!nd) return fx_opt_fail("sweep", "out of memory");
    for (int mi = 0; mi < nm; mi++) {
        char err[1024];
        if (fx_train_net_float(ml[mi], nd, NULL, 0, err, sizeof err)) { free(nd); return fx_opt_fail("sweep", "%s", err); }
        const int has_conv = fx_netdesc_has_conv(nd);
        /* the name becomes file names and gnuplot strings: plain characters only */
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-";
        if (strspn(nd->name, plain) != strlen(nd->name)) {
            free(nd);
            return fx_opt_bad_value("sweep", "nets", ml[mi], "networks whose names (file names without .net) are letters, digits and _.+-");
        }
        for (int i = 0; i < nj; i += ns)
            if (!strcmp(jobs[i].model, nd->name)) {
                const int rc = fx_opt_fail("sweep", "--nets: two networks named '%s'", nd->name);
                free(nd); /* after the message that names it */
                return rc;
            }
        for (int si = 0; si < ns; si++) {
            memset(&jobs[nj], 0, sizeof jobs[nj]);
            snprintf(jobs[nj].model, sizeof jobs[nj].model, "%s", nd->name);
            snprintf(jobs[nj].net, sizeof jobs[nj].net, "%.255s", ml[mi]);
            snprintf(jobs[nj].bits, sizeof jobs[nj].bits, "%.31s", sl[si]);
            jobs[nj].epochs = has_conv ? ep_lenet : ep_mlp;
            jobs[nj].r.float_acc = jobs[nj].r.ref_acc = jobs[nj].r.int_acc = -1;
            jobs[nj].r.model_bytes = -1;
            nj++;
        }
    }
    free(nd);
    char sub[700];
    snprintf(sub, sizeof sub, "%s/models", dir);
    if (fx_mkdir_p(sub)) { fprintf(stderr, "flexor sweep: %s: cannot create: %s\n", sub, strerror(errno)); return 2; }
    int worst = 0;
    for (int i = 0; i < nj; i++) {
        fx_train_opts o = base;
        snprintf(o.net, sizeof o.net, "%s", jobs[i].net);
        snprintf(o.bits, sizeof o.bits, "%s", jobs[i].bits);
        o.epochs = jobs[i].epochs;
        o.resume = 1;
        snprintf(o.out, sizeof o.out, "%.400s/models/%s_%s.fxm", dir, jobs[i].model, jobs[i].bits);
        snprintf(o.ckpt, sizeof o.ckpt, "%.400s/models/%s_%s.ckpt", dir, jobs[i].model, jobs[i].bits);
        snprintf(o.csv, sizeof o.csv, "%.400s/%s_%s.csv", dir, jobs[i].model, jobs[i].bits);
        fprintf(stderr, "== job %d/%d: flexor train --net %s --bits %s --epochs %d%s --out %s --resume\n", i + 1, nj,
                o.net, o.bits, o.epochs, base.act_quant ? "" : " --paper", o.out);
        jobs[i].rc = fx_train_job(&o, &jobs[i].r);
        if (jobs[i].rc > worst) worst = jobs[i].rc;
        write_tables(dir, jobs, i + 1, &base);
        plot(dir, jobs, i + 1);
    }
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
