/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor run`: the main job end to end — train, export, reference inference, RTL co-simulation,
 * synthesis, one report. Each stage is a child `flexor` process, reused when its inputs are unchanged.
 * A network that needs contract v2 runs train and infer; the accelerator stages are reported skipped. */
#define _POSIX_C_SOURCE 200809L
#include "buildid.h"
#include "flexor/fsutil.h"
#include "flexor/idx.h"
#include "flexor/netdesc.h"
#include "flexor/opt.h"
#include "flexor/trainer.h"
#include "commands.h"
#include "run_report.h"
#include "stage.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor run [options]\n"
"Train a FleXOR network on Fashion-MNIST, export the integer model, evaluate it with the C\n"
"reference on the whole test set, co-simulate test images through the RTL (0 mismatches required),\n"
"synthesize the accelerator, and write DIR/report.md. Unchanged stages are reused. A network that\n"
"needs contract v2 (stride, padding, residual adds, average pooling: resnet20) is trained and run by\n"
"the reference; the accelerator stages (cosim, synth, fmax) are skipped, since " FX_ACCEL_V1_ONLY ".\n\n"
"  --net NAME|FILE|SPEC  network: a preset (mlp, lenet, resnet20, resnet20_mix), a description file or\n"
"                      a spec (docs/net.md; default mlp); --model mlp|lenet is an alias\n"
"  --bits B            bits per weight of the FleXOR layers (default 0.8)\n"
"  --epochs N          training epochs (default 5; --full: the long schedule, 6 with a conv layer\n"
"                      (lenet), else 15 (mlp))\n"
"  --full              the long training schedule\n"
"  --images N          test images through the RTL (default 1000; 0 = all 10,000)\n"
"  --train-images N    train on the first N training images only (default all; for quick checks);\n"
"                      --limit N is an alias\n"
"  --data DIR          Fashion-MNIST IDX directory (default " FX_DEFAULT_DATA_DIR ")\n"
"  --out DIR           run directory (default runs/default)\n"
"  --skip-synth        no synthesis stages (area, Fmax)\n"
"  --force             redo every stage from scratch (training too, not resumed)\n"
"A stage is reused only when its code, options, input contents and outputs are unchanged (docs/run.md).\n");
}

/* Joins dir and name into buf (one allocation per run; paths are never truncated silently). */
static const char *path_in(char *buf, size_t len, const char *dir, const char *name)
{
    if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len) return NULL;
    return buf;
}

int fx_cmd_run(int argc, char **argv)
{
    const char *model = "mlp", *bits = "0.8", *data = FX_DEFAULT_DATA_DIR, *out = "runs/default";
    int epochs = 5, full = 0, images = 1000, force = 0, skip_synth = 0, limit = 0;
    static const struct option lo[] = {{"model", 1, 0, 'm'}, {"net", 1, 0, 'N'}, {"bits", 1, 0, 'b'},   {"epochs", 1, 0, 'e'},
                                       {"full", 0, 0, 'F'},  {"images", 1, 0, 'i'}, {"data", 1, 0, 'd'},
                                       {"out", 1, 0, 'o'},   {"force", 0, 0, 'f'},  {"skip-synth", 0, 0, 'S'},
                                       {"train-images", 1, 0, 'l'}, {"limit", 1, 0, 'l'},
                                       {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (strcmp(optarg, "mlp") && strcmp(optarg, "lenet")) return fx_opt_bad_value("run", "model", optarg, "mlp or lenet (other networks: --net)");
            model = optarg;
            break;
        case 'N': model = optarg; break;
        case 'b': bits = optarg; break;
        case 'e': if (fx_parse_int(optarg, 1, 10000, &epochs)) return fx_opt_bad_value("run", "epochs", optarg, "1..10000"); break;
        case 'F': full = 1; break;
        case 'i': if (fx_parse_int(optarg, 0, 10000, &images)) return fx_opt_bad_value("run", "images", optarg, "0..10000 (0 = all)"); break;
        case 'd': data = optarg; break;
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'S': skip_synth = 1; break;
        case 'l': if (fx_parse_int(optarg, 0, 1000000000, &limit)) return fx_opt_bad_value("run", "train-images", optarg, "a training image count (0 = all)"); break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error("run", c, argv);
        }
    }
    if (optind != argc) return fx_opt_fail("run", "unexpected argument '%s'", argv[optind]);
    /* the description: read now (a bad one stops here, exit 2); its file is an input of the training stage */
    static fx_netdesc nd;
    static char net_file[4200];
    char nerr[1024];
    if (fx_train_net_float(model, &nd, net_file, sizeof net_file, nerr, sizeof nerr)) return fx_opt_fail("run", "%s", nerr);
    /* what contract v1 cannot run (the line that needs v2) is why the accelerator stages are skipped */
    static char skip_why[1200];
    if (fx_train_net(model, &nd, net_file, sizeof net_file, nerr, sizeof nerr))
        snprintf(skip_why, sizeof skip_why, "%s; %s", nerr, FX_ACCEL_V1_ONLY);
    const int accel = skip_why[0] == 0;
    if (full) epochs = fx_netdesc_has_conv(&nd) ? 6 : 15;
    /* the co-simulation runs the RTL compiled into this binary: refuse to report on other RTL */
    char msg[4400];
    if (accel && fx_build_rtl_check(msg, sizeof msg)) { fprintf(stderr, "flexor run: %s\n", msg); return 2; }
    enum { P = 4200 };
    static char stamps[P], ckpt[P], fxm[P], tcsv[P], icsv[P], cjson[P], sdir[P], sjson[P], fdir[P], fjson[P], flog[P], tlog[P],
        ilog[P], clog[P], slog[P], tri[P], trl[P], tei[P], tel[P];
    char ep[16], lim[16], tlim[16];
    if (!path_in(stamps, P, out, ".stamps") || !path_in(fxm, P, out, "model.fxm") || !path_in(ckpt, P, out, "model.ckpt") || !path_in(tcsv, P, out, "train.csv") ||
        !path_in(icsv, P, out, "infer.csv") || !path_in(cjson, P, out, "cosim.json") || !path_in(sdir, P, out, "synth") ||
        !path_in(sjson, P, out, "synth/report.json") || !path_in(fdir, P, out, "fmax") ||
        !path_in(fjson, P, out, "fmax/report.json") || !path_in(flog, P, out, "fmax.log") ||
        !path_in(tlog, P, out, "train.log") || !path_in(ilog, P, out, "infer.log") || !path_in(clog, P, out, "cosim.log") ||
        !path_in(slog, P, out, "synth.log") || !path_in(tri, P, data, "train-images-idx3-ubyte.gz") ||
        !path_in(trl, P, data, "train-labels-idx1-ubyte.gz") || !path_in(tei, P, data, "t10k-images-idx3-ubyte.gz") ||
        !path_in(tel, P, data, "t10k-labels-idx1-ubyte.gz"))
        return fx_opt_fail("run", "--out or --data path too long");
    const char *data_files[] = {tri, trl, tei, tel};
    for (int i = 0; i < 4; i++)
        if (access(data_files[i], R_OK)) return fx_opt_fail("run", "%s: %s (--data)", data_files[i], strerror(errno));
    if (fx_mkdir_p(out) || fx_mkdir_p(stamps)) { fprintf(stderr, "flexor run: %s: cannot create: %s\n", out, strerror(errno)); return 2; }
    snprintf(ep, sizeof ep, "%d", epochs);
    snprintf(lim, sizeof lim, "%d", images ? images : 10000);
    snprintf(tlim, sizeof tlim, "%d", limit);
    char yosys[100], abc[100], pnr[100];
    stage_tool_fact("yosys", yosys, sizeof yosys);
    stage_tool_fact("yosys-abc", abc, sizeof abc);
    stage_tool_fact("nextpnr-ice40", pnr, sizeof pnr);

    stage st[5] = {
        {.name = "train",
         .argv = {"flexor", "train", "--net", model, "--bits", bits, "--epochs", ep, "--data", data, "--out", fxm,
                  "--csv", tcsv, "--train-images", tlim, NULL},
         .code = "build,sw,trainer", .inputs = {tri, trl, tei, tel, net_file[0] ? net_file : NULL}, .outputs = {fxm, tcsv},
         .ckpt = ckpt, .log = tlog},
        {.name = "infer",
         .argv = {"flexor", "infer", fxm, "--data", data, "--csv", icsv, NULL},
         .code = "build,sw", .inputs = {fxm, tei, tel}, .outputs = {icsv}, .log = ilog},
        {.name = "cosim",
         .argv = {"flexor", "cosim", fxm, "--data", data, "--images", lim, "--json", cjson, NULL},
         .code = "build,sw,csim,rtl", .inputs = {fxm, tei, tel}, .outputs = {cjson}, .log = clog},
        {.name = "synth",
         .argv = {"flexor", "synth", "--config", "default", "--out", sdir, NULL},
         .code = "build,sw,synth,rtl", .facts = {yosys, abc}, .outputs = {sjson}, .log = slog},
        /* the default configuration does not fit an iCE40: Fmax comes from the one-lane ice40 config */
        {.name = "fmax",
         .argv = {"flexor", "synth", "--config", "ice40", "--steps", "pnr", "--out", fdir, NULL},
         .code = "build,sw,synth,rtl", .facts = {yosys, abc, pnr}, .outputs = {fjson}, .log = flog},
    };
    int n = skip_synth ? 3 : 5;
    for (int i = 0; i < n; i++) {
        if (!accel && i >= 2) { /* cosim, synth, fmax: the accelerator's; nothing run, nothing recorded */
            fprintf(stderr, "[%d/%d] %-8s skipped (n/a): %s\n", i + 1, n, st[i].name, skip_why);
            continue;
        }
        int rc = stage_run(&st[i], stamps, force, i + 1, n);
        if (rc) return rc;
    }
    run_report r = {.dir = out, .model = model, .bits = bits, .epochs = epochs, .fxm = fxm, .train_csv = tcsv,
                    .infer_csv = icsv, .cosim_json = accel ? cjson : NULL, .synth_json = accel && !skip_synth ? sjson : NULL,
                    .fmax_json = accel && !skip_synth ? fjson : NULL, .skip_why = accel ? NULL : skip_why};
    for (int i = 0; i < n; i++) {
        r.stage_names[i] = st[i].name;
        r.stage_seconds[i] = st[i].seconds;
        r.stage_reused[i] = st[i].reused;
        r.stage_skipped[i] = !accel && i >= 2;
    }
    r.n_stages = n;
    return run_report_write(&r);
}
