/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor synth`: Yosys / nextpnr area, depth and Fmax reports, decryptor proofs, the design-space
 * sweep and the area baselines (docs/synth.md). */
#include "sx_baseline.h"
#include "sx_config.h"
#include "sx_sweep.h"
#include "sx_synth.h"
#include "sx_util.h"
#include "flexor/opt.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_cmd_synth(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: flexor synth [--config NAME] [--out DIR] [--steps LIST | --quick] [--n-in N] [--device hx8k|up5k]\n"
            "                    [--freq MHZ] [--check-baseline FILE | --update-baseline FILE]\n"
            "       flexor synth --sweep [--out DIR]\n"
            "  --config CFG    NAME of rtl/config/NAME.cfg, or a path; default: default\n"
            "  --out DIR       results (report.md, report.json, logs); default: runs/synth/NAME (sweep: runs/synth/sweep)\n"
            "  --steps LIST    comma list of dec,prog,prove,decfpga,engine,xilinx,pnr or all (default all)\n"
            "  --quick         --steps dec,prove: decryptor gates and proofs only (seconds)\n"
            "  --n-in N        decryptor steps for this N_in only\n"
            "  --device D      iCE40 part for place and route: hx8k (ct256, default) or up5k (sg48)\n"
            "  --freq MHZ      nextpnr target clock (default 50)\n"
            "  --check-baseline FILE   compare area figures with FILE (tolerances inside); exit 1 outside\n"
            "  --update-baseline FILE  write the measured figures to FILE (review the diff)\n"
            "  --sweep         the design-space sweep (configs default, lanes8, tap3, tap3_lanes8 + ice40 Fmax)\n");
}

static int parse_steps(const char *s, unsigned *steps)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"dec", SX_STEP_DEC},       {"prove", SX_STEP_PROVE | SX_STEP_DEC}, {"prog", SX_STEP_PROG},
                 {"decfpga", SX_STEP_DEC_FPGA}, {"engine", SX_STEP_ENGINE},
                 {"xilinx", SX_STEP_ENG_XIL},   {"pnr", SX_STEP_PNR},
                 {"all", SX_STEP_ALL}};
    *steps = 0;
    char *copy = sx_xstrdup(s), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned k;
        for (k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(t, names[k].name)) break;
        if (k == sizeof names / sizeof names[0]) {
            fx_opt_bad_value("synth", "steps", t, "a comma list of dec, prog, prove, decfpga, engine, xilinx, pnr, all");
            free(copy);
            return -1;
        }
        *steps |= names[k].bit;
    }
    free(copy);
    return 0;
}

int fx_cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},         {"out", required_argument, 0, 'o'},
        {"steps", required_argument, 0, 's'},          {"quick", no_argument, 0, 'q'},
        {"device", required_argument, 0, 'd'},         {"freq", required_argument, 0, 'f'},
        {"check-baseline", required_argument, 0, 'b'}, {"update-baseline", required_argument, 0, 'u'},
        {"sweep", no_argument, 0, 'w'},                {"help", no_argument, 0, 'h'},
        {"n-in", required_argument, 0, 'n'},
        {0, 0, 0, 0}};
    const char *cfg = "default", *out = NULL, *device = "hx8k", *check = NULL, *update = NULL;
    unsigned steps = SX_STEP_ALL;
    double freq = 50;
    int sweep = 0, o;
    unsigned only_n_in = 0;
    fx_opt_reset();
    while ((o = getopt_long(argc, argv, ":c:o:s:qd:f:b:u:whn:", opts, NULL)) != -1) {
        switch (o) {
        case 'c': cfg = optarg; break;
        case 'o': out = optarg; break;
        case 's': if (parse_steps(optarg, &steps)) return 2; break;
        case 'q': steps = SX_STEP_DEC | SX_STEP_PROVE; break;
        case 'd':
            device = optarg;
            if (strcmp(device, "hx8k") && strcmp(device, "up5k")) return fx_opt_bad_value("synth", "device", optarg, "hx8k or up5k");
            break;
        case 'f': if (fx_parse_double(optarg, 0.001, 1000, &freq)) return fx_opt_bad_value("synth", "freq", optarg, "MHz in (0, 1000]"); break;
        case 'b': check = optarg; break;
        case 'u': update = optarg; break;
        case 'w': sweep = 1; break;
        case 'n': if (fx_parse_u32(optarg, 1, 32, &only_n_in)) return fx_opt_bad_value("synth", "n-in", optarg, "1..32"); break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error("synth", o, argv);
        }
    }
    if (optind < argc) return fx_opt_fail("synth", "unexpected argument '%s'", argv[optind]);
    if (check && update) return fx_opt_fail("synth", "--check-baseline and --update-baseline exclude each other");
    char outbuf[1100];
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "runs/synth/%s", sweep ? "sweep" : cfg);
        out = outbuf;
    }
    char cfgpath[1100];
    sx_cfg_path(cfg, cfgpath, sizeof cfgpath);
    if (!sweep && !sx_file_exists(cfgpath)) {
        fprintf(stderr, "flexor synth: %s: no such configuration file\n", cfgpath);
        return 2;
    }
    /* Tools run inside job directories: every path handed to them must be absolute. */
    char absout[4096];
    if (sx_ys_path_ok(out)) return 2; /* before anything is created */
    if (sx_mkdirs(out) || !realpath(out, absout)) { fprintf(stderr, "flexor synth: %s: cannot use as output directory\n", out); return 2; }
    out = absout;
    /* every generated Yosys script names files under out/ and the source tree */
    if (sx_ys_path_ok(out) || sx_ys_path_ok(sx_src_dir())) return 2;
    if (sweep) return sx_sweep(out, device, freq);
    if (check || update) steps = sx_baseline_steps();
    sx_result *r = sx_xcalloc(1, sizeof *r);
    int rc = sx_synth_config(cfg, out, steps, device, freq, only_n_in, r);
    if (rc != 2) {
        if (sx_write_reports(r, out)) rc = 2;
        else fprintf(stderr, "flexor synth: wrote %s/report.md and %s/report.json\n", out, out);
    }
    if (rc != 2 && (check || update)) {
        int b = check ? sx_baseline_check(r, check) : sx_baseline_update(r, update);
        if (b > rc) rc = b;
    }
    free(r);
    return rc;
}
