/* SPDX-License-Identifier: Apache-2.0 */
/* flexor: one CLI for the whole flow; each subcommand lives beside the part it drives. */
#include "buildid.h"
#include "commands.h"
#ifdef FX_HAVE_TRAINER
#include "flexor/trainer.h"
#endif
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command;

static const command commands[] = {
#ifdef FX_HAVE_RUN
    {"run", fx_cmd_run, "the main job: train, export, reference, RTL co-simulation, area report"},
#endif
    {"stage", fx_cmd_stage, "run one job of a job list unless its code, options, inputs and outputs are unchanged"},
#ifdef FX_HAVE_TRAINER
    {"train", fx_cmd_train, "train a FleXOR / binary / float network and export the integer model"},
    {"sweep", fx_cmd_sweep, "train both models across bits per weight; table and plot"},
    {"sweep-hw", fx_cmd_sweep_hw, "the sweep plus RTL cycles and area, as a resumable job list (alias: sweep --hw)"},
    {"study", fx_cmd_study, "the paper's open questions measured: job list of trainings, tables, exact analyses"},
    {"bench", fx_cmd_bench, "training and inference throughput"},
#endif
    {"inspect", fx_cmd_inspect, "show a model file: layers, bits per weight, sizes, hash"},
    {"infer", fx_cmd_infer, "run the integer reference over a dataset: accuracy, images/s"},
    {"export", fx_cmd_export, "write a model as NumPy files a framework can rebuild it from"},
    {"import", fx_cmd_import, "turn NumPy files (export's layout) into a validated model file"},
#ifdef FX_HAVE_CSIM
    {"cosim", fx_cmd_cosim, "run a model through the RTL and the reference, bit for bit"},
    {"regress", fx_cmd_regress, "constrained-random RTL regression against the C model"},
#endif
#ifdef FX_HAVE_SYNTH
    {"synth", fx_cmd_synth, "Yosys / nextpnr area and Fmax reports"},
#endif
};

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor COMMAND [options]   (flexor COMMAND --help for its options; flexor --version)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "flexor: expected a command (flexor --help lists them)\n");
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        char id[17];
        fx_build_id(id);
        printf("flexor %s build %s (commit %s)\n", FX_VERSION, id, fx_build_commit);
        return 0;
    }
#ifdef FX_HAVE_TRAINER
    fx_train_rtl_dir = fx_rtl_dir(); /* train's --config NAME: the same rtl/config/ as every other command's */
    /* documented alias: `sweep --hw ...` is `sweep-hw ...` (--hw elsewhere is refused by sweep) */
    if (!strcmp(argv[1], "sweep") && argc > 2 && !strcmp(argv[2], "--hw")) return fx_cmd_sweep_hw(argc - 2, argv + 2);
#endif
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "flexor: unknown command '%s' (flexor --help lists them)\n", argv[1]);
    return 2;
}
