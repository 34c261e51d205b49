/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor sweep-hw` (alias `flexor sweep --hw`): the paper's question as one table — accuracy × bits per weight × area × cycles
 * for networks (presets or description files) at FP, binary and FleXOR 1.0/0.8/0.6/0.4 bits. The work is a job list: a Makefile
 * (run here with make -jN) and a plain command list (jobs.txt) that any scheduler can spread. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/fsutil.h"
#include "flexor/idx.h"
#include "flexor/netdesc.h"
#include "flexor/selfpath.h"
#include "flexor/opt.h"
#include "flexor/outfmt.h"
#include "flexor/spawn.h"
#include "flexor/trainer.h"
#include "commands.h"
#include "joblist.h"
#include "results.h"
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXJ 32
#define CMD "sweep-hw"

typedef struct {
    const char *models, *settings, *out, *data;
    int epochs_mlp, epochs_lenet, images, jobs, collect, dry;
} opts;

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor sweep-hw [options]   (alias: flexor sweep --hw [options], --hw first)\n"
"Train (as `flexor sweep`), export, co-simulate through the RTL and synthesize: one Markdown + CSV table\n"
"of accuracy, bits per weight, model bytes, cycles per inference and decryptor area, plus plots.\n"
"Writes DIR/jobs.mk (make -jN) and DIR/jobs.txt (one command per line, 'stage<TAB>command': every\n"
"stage-1 line is independent; stage 2 needs its model from stage 1; stage 3 collects) and runs them.\n\n"
"  -j N                  parallel jobs on this machine (default 1)\n"
"  --nets LIST           presets or description files (docs/net.md), at most 4 (default mlp,lenet);\n"
"                        --models LIST is an alias\n"
"  --settings LIST       default fp,binary,1.0,0.8,0.6,0.4\n"
"  --epochs-mlp N        networks without a conv layer (default 15)\n"
"  --epochs-lenet N      networks with a conv layer (default 6)\n"
"  --images N            test images per model through the RTL (default 500)\n"
"  --data DIR            Fashion-MNIST directory\n"
"  --out DIR             default results/sweep-hw\n"
"  --dry-run             only write the job files\n"
"  --collect             only collect finished jobs into the tables\n");
}

/* Splits a comma list into out[max][16]; -1 when an item is empty, too long or there are too many. */
static int split(const char *list, char out[][16], int max) { return fx_split_list(list, out[0], 16, max); }

/* A network of --nets: its name (tables, file names), what --net gets, its description file ("" for none)
 * and its epochs. */
typedef struct { char name[64], arg[256], file[1100]; int epochs; } net_item;

/* Formats into a fixed buffer of write_jobs, or leaves it through too_long (a cut path would be wrong). */
#define FIT(buf, ...) do { if (fx_fmt(buf, sizeof buf, __VA_ARGS__)) goto too_long; } while (0)

/* Job files (joblist.h). Every job is a `flexor stage` command complete on its own, so an external
 * scheduler can run it, and rerunning the whole list redoes exactly the jobs whose code, options or
 * inputs changed (docs/run.md): make only orders them (every target is phony). */
static int write_jobs(const opts *o, const net_item *nets, int nm, char settings[][16], int ns)
{
    char rec[1100], data_in[1200], err[1300], line[4000];
    const char *exe = fx_self_exe();
    fx_joblist j = {0}; /* too_long may come before it is opened */
    FIT(rec, "%s/.stamps", o->out);
    if (fx_mkdir_p(rec)) { fprintf(stderr, "flexor sweep-hw: %s: cannot create\n", rec); return -1; }
    if (fx_joblist_open(&j, o->out, CMD, "hw", err, sizeof err)) { fprintf(stderr, "flexor sweep-hw: %s\n", err); return -1; }
    if (fx_fmt(line, sizeof line, "mkdir -p %s/models %s/hw %s", o->out, o->out, rec)) goto too_long;
    fx_joblist_note(&j, 0, line);
    FIT(data_in, "--in %s/t10k-images-idx3-ubyte.gz --in %s/t10k-labels-idx1-ubyte.gz", o->data, o->data);
    for (int m = 0; m < nm; m++) {
        const int ep = nets[m].epochs;
        char net_in[1200] = ""; /* the description's content is an input of the training stage */
        if (nets[m].file[0]) FIT(net_in, " --in %s", nets[m].file);
        for (int s = 0; s < ns; s++) {
            const char *M = nets[m].name, *B = settings[s];
            const int fp = !strcmp(B, "fp"); /* a float network has no integer model to run on the accelerator */
            char cmd[16384], target[64], dep[64], fxm[1200];
            FIT(fxm, "%s/models/%s_%s.fxm", o->out, M, B);
            FIT(target, "train_%s_%s", M, B);
            FIT(cmd,
                     "%s stage %s --record %s --code build,sw,trainer --in %s/train-images-idx3-ubyte.gz "
                     "--in %s/train-labels-idx1-ubyte.gz %s%s --out %s/%s_%s.csv%s%s --ckpt %s/models/%s_%s.ckpt -- "
                     "train --net %s --bits %s --epochs %d --data %s --out %s --csv %s/%s_%s.csv --quiet",
                     exe, target, rec, o->data, o->data, data_in, net_in, o->out, M, B, fp ? "" : " --out ", fp ? "" : fxm,
                     o->out, M, B, nets[m].arg, B, ep, o->data, fxm, o->out, M, B);
            fx_joblist_add(&j, 1, target, 0, NULL, cmd);
            if (fp) continue;
            FIT(dep, "%s", target);
            FIT(target, "cosim_%s_%s", M, B);
            FIT(cmd,
                     "%s stage %s --record %s --code build,sw,csim,rtl --in %s %s --out %s/hw/%s_%s.cosim.json -- "
                     "cosim %s --data %s --images %d --json %s/hw/%s_%s.cosim.json --quiet",
                     exe, target, rec, fxm, data_in, o->out, M, B, fxm, o->data, o->images, o->out, M, B);
            fx_joblist_add(&j, 2, target, 0, dep, cmd);
        }
    }
    char cmd[16384];
    FIT(cmd,
             "%s stage synth_sweep --record %s --code build,sw,synth,rtl --tool yosys --tool yosys-abc --tool nextpnr-ice40 "
             "--out %s/synth/sweep.csv -- synth --sweep --out %s/synth",
             exe, rec, o->out, o->out);
    fx_joblist_add(&j, 1, "synth_sweep", 0, NULL, cmd);
    FIT(cmd,
             "%s sweep --hw --collect --out %s --models %s --settings %s --epochs-mlp %d --epochs-lenet %d --data %s",
             exe, o->out, o->models, o->settings, o->epochs_mlp, o->epochs_lenet, o->data);
    if (fx_joblist_finish(&j, "hw", 3, cmd, err, sizeof err)) { fprintf(stderr, "flexor sweep-hw: %s\n", err); return -1; }
    return 0;
too_long:
    fx_joblist_abort(&j);
    fprintf(stderr, "flexor sweep-hw: a path or job command is too long (--out, --data or a --nets file)\n");
    return -1;
}

/* sweep.csv row of (model, setting) */
static double sweep_figure(const char *path, const char *model, const char *setting, const char *col)
{
    const char *keys[] = {"model", "setting"}, *vals[] = {model, setting};
    return csv_number(path, 2, keys, vals, col);
}

/* synth sweep.csv: the hardwired decryptor of the default configuration for one N_in */
static double synth_figure(const char *path, int n_in, const char *col)
{
    char nin[16];
    snprintf(nin, sizeof nin, "%d", n_in);
    const char *keys[] = {"config", "variant", "n_in"}, *vals[] = {"default", "hardwired", nin};
    return csv_number(path, 3, keys, vals, col);
}

static void cell(char *b, size_t n, const char *fmt, double v)
{
    if (isnan(v) || v < 0) snprintf(b, n, "-");
    else snprintf(b, n, fmt, v);
}

static int collect(const opts *o, const net_item *nets, int nm, char settings[][16], int ns)
{
    /* the trainer's own sweep tabulates accuracy (its jobs are already done: it only resumes) */
    char em[16], el[16], cmd[2048], msg[512];
    snprintf(em, sizeof em, "%d", o->epochs_mlp);
    snprintf(el, sizeof el, "%d", o->epochs_lenet);
    const char *argv[] = {"flexor", "sweep", "--out", o->out, "--models", o->models, "--settings", o->settings,
                          "--epochs-mlp", em, "--epochs-lenet", el, "--data", o->data, "--quiet", NULL};
    fx_spawn_opts so = {.exe = fx_self_exe(), .out = FX_SPAWN_NULL};
    if (fx_spawn(argv, &so, msg, sizeof msg) != 0) {
        fx_spawn_cmdline(argv, cmd, sizeof cmd);
        fprintf(stderr, "flexor sweep-hw: collecting accuracies failed%s%s: %s\n", msg[0] ? ": " : "", msg, cmd);
        return 1;
    }
    char sweep_csv[1100], md[1100], csv[1100], err[1300], synth_csv[1100];
    snprintf(sweep_csv, sizeof sweep_csv, "%s/sweep.csv", o->out);
    snprintf(synth_csv, sizeof synth_csv, "%s/synth/sweep.csv", o->out);
    snprintf(md, sizeof md, "%s/hw.md", o->out);
    snprintf(csv, sizeof csv, "%s/hw.csv", o->out);
    fx_out om, oc;
    FILE *fm = fx_out_open(&om, md, err, sizeof err), *fc = fm ? fx_out_open(&oc, csv, err, sizeof err) : NULL;
    if (!fc) {
        if (fm) fx_out_abort(&om);
        fprintf(stderr, "flexor sweep-hw: %s\n", err);
        return 2;
    }
    fprintf(fm, "# Accuracy × bits per weight × cycles × decryptor area (Fashion-MNIST)\n\n"
                "Accuracy: float (trainer) and integer (sw reference, 10,000 test images); RTL: co-simulated images, "
                "bit-exact with the reference. Decryptor: synthesized XOR network of the layer ratio (generic gates), "
                "from `flexor synth --sweep`.\n\n"
                "| model | setting | float acc %% | integer acc %% | RTL acc %% (images) | mismatches | avg bits/weight | "
                "model bytes | cycles/inference | MAC util %% | XOR2 per decryptor | decryptors %% of engine logic | train s |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    fprintf(fc, "model,setting,float_acc,int_acc,rtl_acc,rtl_images,mismatches,avg_bits,model_bytes,cycles_per_inf,mac_util,dec_xor2,dec_share_pct,train_s\n");
    for (int m = 0; m < nm; m++)
        for (int s = 0; s < ns; s++) {
            const char *M = nets[m].name, *B = settings[s];
            char cj[1200];
            snprintf(cj, sizeof cj, "%.900s/hw/%.63s_%.15s.cosim.json", o->out, M, B);
            double fa = sweep_figure(sweep_csv, M, B, "float_acc"), ia = sweep_figure(sweep_csv, M, B, "int_acc");
            double bits = sweep_figure(sweep_csv, M, B, "avg_bits"), bytes = sweep_figure(sweep_csv, M, B, "model_bytes");
            double ts = sweep_figure(sweep_csv, M, B, "train_s");
            double ra = NAN, ri = NAN, mm = NAN, cy = NAN, ut = NAN, x2 = NAN, sh = NAN;
            json_number(cj, "acc_rtl", &ra);
            json_number(cj, "images", &ri);
            json_number(cj, "mismatches", &mm);
            double cst = NAN; /* a co-simulation that failed before comparing has 0 mismatches: not a result */
            if (json_number(cj, "status", &cst) == 0 && cst != 0) mm = NAN;
            json_number(cj, "cycles_per_inference", &cy);
            json_number(cj, "mac_utilisation", &ut);
            /* decryptor of the ratio: n_in = bits * n_out for the FleXOR settings */
            double r = atof(B);
            if (r > 0 && r <= 1.0) {
                int n_in = (int)lround(r * 20);
                x2 = synth_figure(synth_csv, n_in, "xor2_per_decryptor");
                sh = 100 * synth_figure(synth_csv, n_in, "decryptor_share_logic");
            }
            char c[12][32];
            cell(c[0], 32, "%.2f", fa); cell(c[1], 32, "%.2f", ia); cell(c[2], 32, "%.2f", 100 * ra);
            cell(c[3], 32, "%.0f", ri); cell(c[4], 32, "%.0f", mm); cell(c[5], 32, "%.3f", bits);
            cell(c[6], 32, "%.0f", bytes); cell(c[7], 32, "%.0f", cy); cell(c[8], 32, "%.1f", 100 * ut);
            cell(c[9], 32, "%.0f", x2); cell(c[10], 32, "%.3f", sh); cell(c[11], 32, "%.0f", ts);
            fprintf(fm, "| %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s |\n", M, B, c[0], c[1], c[2],
                    c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]);
            fx_csv_field(fc, M);
            fputc(',', fc);
            fx_csv_field(fc, B);
            fprintf(fc, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                    c[8], c[9], c[10], c[11]);
        }
    fprintf(fm, "\n![accuracy vs bits](accuracy_vs_bits.svg)\n\nJob list: `jobs.txt` (stage, command), `jobs.mk`.\n");
    if (fx_out_commit(&om, err, sizeof err)) { fx_out_abort(&oc); fprintf(stderr, "flexor sweep-hw: %s\n", err); return 2; }
    if (fx_out_commit(&oc, err, sizeof err)) { fprintf(stderr, "flexor sweep-hw: %s\n", err); return 2; }
    printf("flexor sweep-hw: %s\n", md);
    return 0;
}

/* Each --nets item read (a bad description: its one-line error), named, with its epochs. */
static int resolve_nets(const opts *o, char items[][256], int nm, net_item *nets)
{
    static fx_netdesc nd;
    char err[1024];
    for (int m = 0; m < nm; m++) {
        net_item *n = &nets[m];
        if (fx_train_net_float(items[m], &nd, n->file, sizeof n->file, err, sizeof err)) {
            fx_opt_fail(CMD, "%s", err);
            return -1;
        }
        if (fx_train_net(items[m], &nd, n->file, sizeof n->file, err, sizeof err)) {
            fx_opt_fail(CMD, "%s; " FX_ACCEL_V1_ONLY, err);
            return -1;
        }
        if (!fx_shell_safe(items[m], 255) || !fx_shell_safe(n->file, 900) || !fx_shell_safe(nd.name, 63))
        {
            fx_opt_bad_value(CMD, "nets", items[m], "names and paths of letters, digits and _./+-,=:@% (job lines are shell commands)");
            return -1;
        }
        for (int i = 0; i < m; i++)
            if (!strcmp(nets[i].name, nd.name)) {
                fx_opt_fail(CMD, "--nets: two networks named '%s'", nd.name);
                return -1;
            }
        snprintf(n->name, sizeof n->name, "%.63s", nd.name); /* lengths checked above */
        snprintf(n->arg, sizeof n->arg, "%.255s", items[m]);
        const int has_conv = fx_netdesc_has_conv(&nd);
        n->epochs = has_conv ? o->epochs_lenet : o->epochs_mlp;
    }
    return 0;
}

int fx_cmd_sweep_hw(int argc, char **argv)
{
    opts o = {.models = "mlp,lenet", .settings = "fp,binary,1.0,0.8,0.6,0.4", .out = "results/sweep-hw",
              .data = FX_DEFAULT_DATA_DIR, .epochs_mlp = 15, .epochs_lenet = 6, .images = 500, .jobs = 1};
    static const struct option lo[] = {{"hw", 0, 0, 'H'},         {"models", 1, 0, 'm'},       {"nets", 1, 0, 'm'},         {"settings", 1, 0, 's'},
                                       {"epochs-mlp", 1, 0, 1},    {"epochs-lenet", 1, 0, 2},    {"images", 1, 0, 'i'},
                                       {"data", 1, 0, 'd'},        {"out", 1, 0, 'o'},           {"dry-run", 0, 0, 'n'},
                                       {"collect", 0, 0, 'c'},     {"help", 0, 0, 'h'},          {0, 0, 0, 0}};
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":j:h", lo, NULL)) != -1) {
        switch (c) {
        case 'H': break;
        case 'j': if (fx_parse_int(optarg, 1, 64, &o.jobs)) return fx_opt_bad_value(CMD, "jobs", optarg, "1..64"); break;
        case 'm': o.models = optarg; break;
        case 's': o.settings = optarg; break;
        case 1: if (fx_parse_int(optarg, 1, 10000, &o.epochs_mlp)) return fx_opt_bad_value(CMD, "epochs-mlp", optarg, "1..10000"); break;
        case 2: if (fx_parse_int(optarg, 1, 10000, &o.epochs_lenet)) return fx_opt_bad_value(CMD, "epochs-lenet", optarg, "1..10000"); break;
        case 'i': if (fx_parse_int(optarg, 1, 10000, &o.images)) return fx_opt_bad_value(CMD, "images", optarg, "1..10000"); break;
        case 'd': o.data = optarg; break;
        case 'o': o.out = optarg; break;
        case 'n': o.dry = 1; break;
        case 'c': o.collect = 1; break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error(CMD, c, argv);
        }
    }
    char models[4][256], settings[MAXJ][16];
    int nm = fx_split_list(o.models, models[0], sizeof models[0], 4), ns = split(o.settings, settings, MAXJ);
    if (optind != argc) return fx_opt_fail(CMD, "unexpected argument '%s'", argv[optind]);
    if (nm < 0) return fx_opt_bad_value(CMD, "nets", o.models, "a comma list of at most 4 presets or .net files");
    static net_item nets[4];
    if (resolve_nets(&o, models, nm, nets)) return 2;
    for (int i = 0; i < ns; i++) {
        double b;
        if (strcmp(settings[i], "fp") && strcmp(settings[i], "binary") && fx_parse_double(settings[i], 0.05, 4, &b)) ns = -1;
    }
    if (ns < 0) return fx_opt_bad_value(CMD, "settings", o.settings, "a comma list of fp, binary or bits per weight");
    if (!fx_shell_safe(o.out, 900))
        return fx_opt_bad_value(CMD, "out", o.out, "a path of letters, digits and _./+-,=:@% (job lines are shell commands)");
    if (!fx_shell_safe(o.data, 900))
        return fx_opt_bad_value(CMD, "data", o.data, "a path of letters, digits and _./+-,=:@% (job lines are shell commands)");
    if (fx_mkdir_p(o.out)) { fprintf(stderr, "flexor sweep-hw: %s: cannot create\n", o.out); return 2; }
    if (o.collect) return collect(&o, nets, nm, settings, ns);
    if (write_jobs(&o, nets, nm, settings, ns)) return 2;
    fprintf(stderr, "flexor sweep-hw: job list %s/jobs.txt, Makefile %s/jobs.mk\n", o.out, o.out);
    if (o.dry) return 0;
    return fx_joblist_run(CMD, o.out, o.jobs) ? 1 : 0;
}
