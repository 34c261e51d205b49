/* SPDX-License-Identifier: Apache-2.0 */
/* The report of `flexor run`: Markdown in the run directory, and a summary on stdout. */
#ifndef FLEXOR_RUN_REPORT_H
#define FLEXOR_RUN_REPORT_H

typedef struct {
    const char *dir, *model, *bits;
    int epochs;
    const char *fxm, *train_csv, *infer_csv, *cosim_json, *synth_json, *fmax_json; /* NULL: not run */
    const char *stage_names[8];
    double stage_seconds[8];
    int stage_reused[8];
    int stage_skipped[8]; /* not run: the accelerator's stages for a contract v2 network (n/a, skip_why) */
    int n_stages;
    const char *skip_why; /* non-NULL: the network needs contract v2; why the accelerator stages were skipped */
} run_report;

/* Returns 0, or 1 when the co-simulation reported mismatches (the run fails loudly then); with skip_why
 * (no co-simulation) 0. */
int run_report_write(const run_report *r);
#endif
