/* SPDX-License-Identifier: Apache-2.0 */
/* See run_report.h. Numbers come from the stages' own CSV/JSON files; nothing is recomputed here
 * except model size, which is read from the model file itself. */
#define _POSIX_C_SOURCE 200809L
#include "run_report.h"
#include "flexor/fsutil.h"
#include "flexor/model.h"
#include "flexor/spawn.h"
#include "commands.h"
#include "results.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    double float_acc, int_acc, rtl_acc, ref_acc, mismatches, cosim_status, images, cycles, util, cps, img_s;
    double bpw, enc_bpw, weights, fxm_bytes;
    double cells, transistors, nand2, dec_pct, ice40_luts, fmax, xil_luts;
    char hash[32];
} figures;

static double jnum(const char *path, const char *dotted)
{
    double v;
    return path && json_number(path, dotted, &v) == 0 ? v : NAN;
}

static void model_figures(const char *fxm, figures *f)
{
    fx_model m;
    char err[256];
    struct stat st;
    f->bpw = f->enc_bpw = f->weights = f->fxm_bytes = NAN;
    if (stat(fxm, &st) == 0) f->fxm_bytes = (double)st.st_size;
    if (fx_model_read(fxm, fx_hwcfg_builtin(), &m, err, sizeof err)) return;
    double bits = 0, w = 0, ebits = 0, ew = 0;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        double n = (double)l->M * l->K, b = n * fx_layer_bits_per_weight(l, m.n_out);
        w += n;
        bits += b;
        if (l->flags & FX_F_ENCRYPTED) { ew += n; ebits += b; }
    }
    f->weights = w;
    f->bpw = w > 0 ? bits / w : NAN;
    f->enc_bpw = ew > 0 ? ebits / ew : NAN;
    snprintf(f->hash, sizeof f->hash, "0x%08X", m.cfg_hash);
    fx_model_free(&m);
}

/* "n/a" for a figure a stage did not produce. */
static const char *fmt(char *buf, size_t n, const char *spec, double v)
{
    if (isnan(v)) snprintf(buf, n, "n/a");
    else snprintf(buf, n, spec, v);
    return buf;
}

/* s as a gnuplot single-quoted string: a quote inside is doubled; -1 for a line break (no escape) or no room. */
static int gp_quote(char *out, size_t n, const char *s)
{
    size_t k = 0;
    if (n < 3) return -1;
    out[k++] = '\'';
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r' || k + 4 > n) return -1;
        if (*s == '\'') out[k++] = '\'';
        out[k++] = *s;
    }
    out[k++] = '\'';
    out[k] = 0;
    return 0;
}

/* gnuplot writes DIR/training.svg; the paths are quoted for gnuplot itself and no shell sees them. */
static void plot_training(const run_report *r)
{
    char svg[1200], qsvg[2400], csv[2400], script[6000];
    snprintf(svg, sizeof svg, "%s/training.svg", r->dir);
    if (gp_quote(qsvg, sizeof qsvg, svg) || gp_quote(csv, sizeof csv, r->train_csv)) {
        fprintf(stderr, "flexor run: %s: a path with a line break cannot be given to gnuplot; no training plot\n", r->dir);
        return;
    }
    snprintf(script, sizeof script,
             "set terminal svg size 640,400; set output %s; set datafile separator ','; "
             "set key autotitle columnhead bottom right; set xlabel 'epoch'; set ylabel 'accuracy %%'; "
             "plot %s using 1:'train_acc' with linespoints, '' using 1:'test_acc' with linespoints",
             qsvg, csv);
    const char *argv[] = {"gnuplot", "-e", script, NULL};
    fx_spawn_opts o = {.err = FX_SPAWN_NULL};
    if (fx_spawn(argv, &o, NULL, 0) != 0) fprintf(stderr, "flexor run: gnuplot failed; no training plot\n");
}

int run_report_write(const run_report *r)
{
    figures f;
    char a[64], b[64], c[64], path[1200], err[1300];
    f.float_acc = csv_number(r->train_csv, 0, NULL, NULL, "test_acc") / 100; /* the trainer logs percent */
    f.int_acc = csv_number(r->infer_csv, 0, NULL, NULL, "accuracy");
    f.img_s = csv_number(r->infer_csv, 0, NULL, NULL, "images_per_s");
    f.rtl_acc = jnum(r->cosim_json, "acc_rtl");
    f.ref_acc = jnum(r->cosim_json, "acc_ref");
    f.mismatches = jnum(r->cosim_json, "mismatches");
    f.cosim_status = jnum(r->cosim_json, "status");
    f.images = jnum(r->cosim_json, "images");
    f.cycles = jnum(r->cosim_json, "cycles_per_inference");
    f.util = jnum(r->cosim_json, "mac_utilisation");
    f.cps = jnum(r->cosim_json, "lockstep_cycles_per_cpu_s");
    f.hash[0] = 0;
    model_figures(r->fxm, &f);
    f.cells = jnum(r->synth_json, "engine.total.cells");
    f.transistors = jnum(r->synth_json, "engine.total.transistors");
    f.nand2 = jnum(r->synth_json, "engine.total.nand2_eq");
    f.dec_pct = 100 * jnum(r->synth_json, "engine.decrypt_share_logic");
    f.xil_luts = jnum(r->synth_json, "engine_xilinx.lut");
    f.ice40_luts = jnum(r->fmax_json, "ice40.0.lut4");
    f.fmax = jnum(r->fmax_json, "ice40.0.fmax_mhz");
    plot_training(r);

    snprintf(path, sizeof path, "%s/report.md", r->dir);
    fx_out out;
    FILE *o = fx_out_open(&out, path, err, sizeof err);
    if (!o) { fprintf(stderr, "flexor run: %s\n", err); return 2; }
    fprintf(o, "# flexor run: %s at %s bits per weight\n\n", r->model, r->bits);
    fprintf(o, "Config hash %s; %d training epochs; model file `%s`.\n\n", f.hash[0] ? f.hash : "n/a", r->epochs, r->fxm);
    fprintf(o, "| figure | value |\n|---|---|\n");
    fprintf(o, "| float test accuracy (trainer) | %s %% |\n", fmt(a, sizeof a, "%.2f", 100 * f.float_acc));
    fprintf(o, "| integer test accuracy (C reference, 10,000 images) | %s %% |\n", fmt(a, sizeof a, "%.2f", 100 * f.int_acc));
    fprintf(o, "| RTL accuracy (%s images) / reference on the same images | %s %% / %s %% |\n",
            fmt(c, sizeof c, "%.0f", f.images), fmt(a, sizeof a, "%.2f", 100 * f.rtl_acc), fmt(b, sizeof b, "%.2f", 100 * f.ref_acc));
    fprintf(o, "| RTL vs reference mismatches | %s |\n", fmt(a, sizeof a, "%.0f", f.mismatches));
    fprintf(o, "| bits per weight: FleXOR layers / all layers (stored, incl. padding) | %s / %s |\n",
            fmt(a, sizeof a, "%.3f", f.enc_bpw), fmt(b, sizeof b, "%.3f", f.bpw));
    fprintf(o, "| weights / model file bytes | %s / %s |\n", fmt(a, sizeof a, "%.0f", f.weights), fmt(b, sizeof b, "%.0f", f.fxm_bytes));
    fprintf(o, "| reference speed | %s images/s |\n", fmt(a, sizeof a, "%.0f", f.img_s));
    fprintf(o, "| cycles per inference (RTL) | %s |\n", fmt(a, sizeof a, "%.0f", f.cycles));
    fprintf(o, "| MAC utilisation | %s %% |\n", fmt(a, sizeof a, "%.1f", 100 * f.util));
    fprintf(o, "| co-simulation speed (lockstep RTL + C model) | %s M cycles per CPU-second |\n", fmt(a, sizeof a, "%.2f", f.cps / 1e6));
    if (r->synth_json) {
        fprintf(o, "| engine cells / transistors / NAND2-eq (generic) | %s / %s / %s |\n", fmt(a, sizeof a, "%.0f", f.cells),
                fmt(b, sizeof b, "%.0f", f.transistors), fmt(c, sizeof c, "%.0f", f.nand2));
        fprintf(o, "| decryption (XOR networks + select + realign), share of engine logic | %s %% |\n", fmt(a, sizeof a, "%.2f", f.dec_pct));
        fprintf(o, "| iCE40 HX8K, one-lane `ice40` config: LUT4 / Fmax | %s / %s MHz |\n", fmt(a, sizeof a, "%.0f", f.ice40_luts),
                fmt(b, sizeof b, "%.1f", f.fmax));
        fprintf(o, "| Xilinx 7-series LUTs | %s |\n", fmt(a, sizeof a, "%.0f", f.xil_luts));
    }
    if (r->skip_why) fprintf(o, "\nRTL figures n/a: the accelerator stages were skipped: %s.\n", r->skip_why);
    fprintf(o, "\n## Stages\n\n| stage | wall time |\n|---|---|\n");
    for (int i = 0; i < r->n_stages; i++) {
        if (r->stage_skipped[i]) fprintf(o, "| %s | n/a: skipped (%s) |\n", r->stage_names[i], r->skip_why);
        else fprintf(o, "| %s | %s |\n", r->stage_names[i], r->stage_reused[i] ? "reused" : fmt(a, sizeof a, "%.1f s", r->stage_seconds[i]));
    }
    fprintf(o, "\n## Plots\n\n![training](training.svg)\n");
    if (r->synth_json) fprintf(o, "\nSynthesis details: `synth/report.md` and `fmax/report.md` in this directory.\n");
    if (fx_out_commit(&out, err, sizeof err)) { fprintf(stderr, "flexor run: %s\n", err); return 2; }

    if (r->skip_why) {
        printf("flexor run: %s, %s bits/weight (FleXOR layers %.3f, whole network %.3f), float %.2f %%, integer %.2f %%; "
               "accelerator stages skipped: the network needs contract v2 and %s\n",
               r->model, r->bits, f.enc_bpw, f.bpw, 100 * f.float_acc, 100 * f.int_acc, FX_ACCEL_V1_ONLY);
        printf("report: %s\n", path);
        return 0;
    }
    printf("flexor run: %s, %s bits/weight (FleXOR layers %.3f, whole network %.3f), float %.2f %%, integer %.2f %%, RTL %.2f %% on %.0f images, "
           "%.0f mismatches, %.0f cycles/inference, utilisation %.1f %%\n",
           r->model, r->bits, f.enc_bpw, f.bpw, 100 * f.float_acc, 100 * f.int_acc, 100 * f.rtl_acc, f.images, f.mismatches, f.cycles,
           100 * f.util);
    printf("report: %s\n", path);
    /* status too: a co-simulation that failed before comparing anything has 0 mismatches */
    if (!(f.mismatches == 0 && f.cosim_status == 0)) {
        fprintf(stderr, "flexor run: the RTL co-simulation did not report 0 mismatches; see %s/cosim.log\n", r->dir);
        return 1;
    }
    return 0;
}
