/* SPDX-License-Identifier: Apache-2.0 */
/* flexor cosim's per-layer table: the performance model's predicted cycles (sw/src/perfmodel.c) against
 * the cycles measured on the Verilated RTL, one row per driver segment (a layer, or a chained FC run). */
#ifndef FLEXOR_CSIM_COSIM_PERF_H
#define FLEXOR_CSIM_COSIM_PERF_H
#include "cosim_run.h"
#include "flexor/perfmodel.h"
#include <cjson/cJSON.h>
#include <stdio.h>

/* One row, per inference (averaged over the images). */
typedef struct {
    uint32_t first, last; /* layers of the segment */
    int v2;               /* a version-2 chain: one segment of RUNX commands (fx_perf_model_v2) */
    fx_perf_shape shape;  /* of its first layer */
    double pred, meas, err_pct;     /* cycles from the previous segment's last result word to this one's */
    double run_pred, run_meas;      /* cnt_busy counted inside the segment */
    double stall_pred, stall_meas;  /* cnt_stall */
    double mac_bound, util_run, util_all; /* slices / LANES; measured util = mac_bound / busy, / cycles */
} cosim_perf_row;

/* Rows of a stall-free run of images 0..n−1 (image 0 first after the model load) from the parts' summed
 * segments; returns the row count. */
uint32_t cosim_perf_rows(const fx_hwcfg *cfg, const fx_model *m, int chain, uint64_t n, const cosim_seg *seg,
                         cosim_perf_row *rows);
/* The table on f; stalled = 1 when the run had random stalls (the model predicts the stall-free case). */
void cosim_perf_print(FILE *f, const cosim_perf_row *rows, uint32_t n_rows, int stalled);
/* The largest |error| in % over the rows. */
double cosim_perf_worst(const cosim_perf_row *rows, uint32_t n_rows);
/* The rows as a JSON array. */
cJSON *cosim_perf_json(const cosim_perf_row *rows, uint32_t n_rows);
/* The rows as CSV (written atomically); 0, or -1 with a message. */
int cosim_perf_csv(const char *path, const cosim_perf_row *rows, uint32_t n_rows, char *err, size_t errlen);
#endif
