/* `flexor run`: the main job end to end — train, export, reference inference, RTL co-simulation,
 * synthesis, one report. Each stage is a child `flexor` process, reused when its inputs are unchanged. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/fsutil.h"
#include "commands.h"
#include "run_report.h"
#include "stage.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor run [options]\n"
"Train the default FleXOR network on Fashion-MNIST, export the integer model, evaluate it with the C\n"
"reference on the whole test set, co-simulate test images through the RTL (0 mismatches required),\n"
"synthesize the accelerator, and write DIR/report.md. Unchanged stages are reused.\n\n"
"  --model mlp|lenet   network (default mlp)\n"
"  --bits B            bits per weight of the FleXOR layers (default 0.8)\n"
"  --epochs N          training epochs (default 5; --full: the long schedule, 15 mlp / 6 lenet)\n"
"  --full              the long training schedule\n"
"  --images N          test images through the RTL (default 1000; 0 = all 10,000)\n"
"  --limit N           train on the first N training images only (default all; for quick checks)\n"
"  --data DIR          Fashion-MNIST IDX directory (default /usr/share/datasets/fashion-mnist)\n"
"  --out DIR           run directory (default runs/default)\n"
"  --skip-synth        no synthesis stages (area, Fmax)\n"
"  --force             redo every stage\n");
}

int fx_cmd_run(int argc, char **argv)
{
    const char *model = "mlp", *bits = "0.8", *data = "/usr/share/datasets/fashion-mnist", *out = "runs/default";
    int epochs = 5, full = 0, images = 1000, force = 0, skip_synth = 0, limit = 0;
    static const struct option lo[] = {{"model", 1, 0, 'm'}, {"bits", 1, 0, 'b'},   {"epochs", 1, 0, 'e'},
                                       {"full", 0, 0, 'F'},  {"images", 1, 0, 'i'}, {"data", 1, 0, 'd'},
                                       {"out", 1, 0, 'o'},   {"force", 0, 0, 'f'},  {"skip-synth", 0, 0, 'S'},
                                       {"limit", 1, 0, 'l'},
                                       {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'b': bits = optarg; break;
        case 'e': epochs = atoi(optarg); break;
        case 'F': full = 1; break;
        case 'i': images = atoi(optarg); break;
        case 'd': data = optarg; break;
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'S': skip_synth = 1; break;
        case 'l': limit = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || (strcmp(model, "mlp") && strcmp(model, "lenet")) || epochs < 1 || images < 0 || limit < 0) {
        fprintf(stderr, "flexor run: bad arguments (flexor run --help)\n");
        return 2;
    }
    if (full) epochs = strcmp(model, "mlp") ? 6 : 15;
    char stamps[1100], fxm[1100], ckpt[1100], tcsv[1100], icsv[1100], cjson[1100], sdir[1100], sjson[1100],
        ep[16], lim[16], tlim[16], fdir[1100], fjson[1100], flog[1100], tlog[1100], ilog[1100], clog[1100], slog[1100], train_img[1100];
    if (fx_mkdir_p(out)) { fprintf(stderr, "flexor run: %s: cannot create: %s\n", out, strerror(errno)); return 2; }
    snprintf(stamps, sizeof stamps, "%s/.stamps", out);
    fx_mkdir_p(stamps);
    snprintf(fxm, sizeof fxm, "%s/model.fxm", out);
    snprintf(ckpt, sizeof ckpt, "%s/model.ckpt", out);
    snprintf(tcsv, sizeof tcsv, "%s/train.csv", out);
    snprintf(icsv, sizeof icsv, "%s/infer.csv", out);
    snprintf(cjson, sizeof cjson, "%s/cosim.json", out);
    snprintf(sdir, sizeof sdir, "%s/synth", out);
    snprintf(sjson, sizeof sjson, "%s/synth/report.json", out);
    snprintf(fdir, sizeof fdir, "%s/fmax", out);
    snprintf(fjson, sizeof fjson, "%s/fmax/report.json", out);
    snprintf(flog, sizeof flog, "%s/fmax.log", out);
    snprintf(tlog, sizeof tlog, "%s/train.log", out);
    snprintf(ilog, sizeof ilog, "%s/infer.log", out);
    snprintf(clog, sizeof clog, "%s/cosim.log", out);
    snprintf(slog, sizeof slog, "%s/synth.log", out);
    snprintf(train_img, sizeof train_img, "%s/train-images-idx3-ubyte.gz", data);
    snprintf(ep, sizeof ep, "%d", epochs);
    snprintf(lim, sizeof lim, "%d", images ? images : 10000);
    snprintf(tlim, sizeof tlim, "%d", limit);

    stage st[5] = {
        {.name = "train",
         .argv = {"flexor", "train", "--model", model, "--bits", bits, "--epochs", ep, "--data", data, "--out", fxm,
                  "--ckpt", ckpt, "--csv", tcsv, "--limit", tlim, "--resume", NULL},
         .inputs = {train_img}, .outputs = {fxm, tcsv}, .log = tlog},
        {.name = "infer",
         .argv = {"flexor", "infer", fxm, "--data", data, "--csv", icsv, NULL},
         .inputs = {fxm}, .outputs = {icsv}, .log = ilog},
        {.name = "cosim",
         .argv = {"flexor", "cosim", fxm, "--data", data, "--limit", lim, "--json", cjson, NULL},
         .inputs = {fxm}, .outputs = {cjson}, .log = clog},
        {.name = "synth",
         .argv = {"flexor", "synth", "--config", "default", "--out", sdir, NULL},
         .outputs = {sjson}, .log = slog},
        /* the default configuration does not fit an iCE40: Fmax comes from the one-lane ice40 config */
        {.name = "fmax",
         .argv = {"flexor", "synth", "--config", "ice40", "--steps", "pnr", "--out", fdir, NULL},
         .outputs = {fjson}, .log = flog},
    };
    int n = skip_synth ? 3 : 5;
    for (int i = 0; i < n; i++) {
        int rc = stage_run(&st[i], stamps, force, i + 1, n);
        if (rc) return rc;
    }
    run_report r = {.dir = out, .model = model, .bits = bits, .epochs = epochs, .fxm = fxm, .train_csv = tcsv,
                    .infer_csv = icsv, .cosim_json = cjson, .synth_json = skip_synth ? NULL : sjson, .fmax_json = skip_synth ? NULL : fjson};
    for (int i = 0; i < n; i++) {
        r.stage_names[i] = st[i].name;
        r.stage_seconds[i] = st[i].seconds;
        r.stage_reused[i] = st[i].reused;
    }
    r.n_stages = n;
    return run_report_write(&r);
}
