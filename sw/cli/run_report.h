/* SPDX-License-Identifier: Apache-2.0 */
/* The report of `flexor run`: Markdown + JSON in the run directory, and a summary on stdout. */
#ifndef FLEXOR_RUN_REPORT_H
#define FLEXOR_RUN_REPORT_H

typedef struct {
    const char *dir, *model, *bits;
    int epochs;
    const char *fxm, *train_csv, *infer_csv, *cosim_json, *synth_json, *fmax_json; /* NULL: not run */
    const char *stage_names[8];
    double stage_seconds[8];
    int stage_reused[8];
    int n_stages;
} run_report;

/* Returns 0, or 1 when the co-simulation reported mismatches (the run fails loudly then). */
int run_report_write(const run_report *r);
#endif
