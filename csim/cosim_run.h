/* SPDX-License-Identifier: Apache-2.0 */
/* One process's share of `flexor cosim`: images [lo, hi) through the Verilated RTL, the command-level C
 * model (same driver calls, every tap compared) and the integer reference. It records per image what
 * the summary needs and, at the first failure, what happened and when: relative to the start of that
 * image, so that the parent can state the cycle a single-process run would have reached. */
#ifndef FLEXOR_CSIM_COSIM_RUN_H
#define FLEXOR_CSIM_COSIM_RUN_H
#include "cosim_model.h"
#include "flexor/driver.h"
#include "flexor/progress.h"
#include "flexor/ref.h"
#include "tapbook.h"
#include <stdint.h>

typedef struct {
    const char *model, *data, *wave, *csv, *json, *predictions, *layer_dir, *layer_list, *perf_csv;
    uint64_t limit, seed, wave_from, wave_to, wave_mark, inject, inject_image, watchdog, jobs;
    double stall, perf_tol; /* perf_tol: largest |predicted − measured| / measured in % (< 0: no check) */
    int chain, taps, random_images, quiet;
} cosim_opts;

/* One image's result. */
typedef struct {
    int32_t label, c_rtl, c_ref;
    uint64_t cycles, busy, stall, slices, taps;
} cosim_img;

enum { COSIM_OK = 0, COSIM_DIVERGED, COSIM_FAILED, COSIM_LOAD_FAILED, COSIM_BAD };

/* Measured cycles of one driver segment (a layer, or a chained FC run), summed over a part's images: from
 * the previous segment's last result word to this one's (what the performance model predicts). Indexed
 * by the segment's last layer. */
typedef struct {
    uint64_t cycles, busy, stall, slices;
} cosim_seg;

/* A part's outcome; with --jobs it lives in memory shared with the parent. */
typedef struct {
    uint64_t done;       /* images finished (atomic: the parent reads it for the progress bar) */
    int kind;            /* COSIM_*, written before the worker ends */
    uint64_t fail_img;   /* the image that failed */
    uint64_t fail_rel;   /* its failure's cycle from the start of that image (load: absolute); UINT64_MAX unknown */
    fx_divergence div;   /* COSIM_DIVERGED; div.cycle relative as fail_rel */
    char msg[1024];      /* COSIM_FAILED / LOAD_FAILED / BAD: the one-line reason */
    uint64_t load_cycles; /* RTL cycles of the model load (the same in every part) */
    uint64_t slices_rtl, slices_model; /* cnt_slices of both over the part */
    cosim_seg seg[FX_MAX_LAYERS];       /* the recorded images' segments */
    double cpu, rtl_cpu, rtl_wall;     /* seconds of this part */
} cosim_part;

typedef struct {
    const cosim_opts *o;
    const fx_hwcfg *cfg;
    const fx_model *m;
    const fx_plan *plan;
    fx_ref_net *net;
    const fx_images *im;
    const uint32_t *dump_idx; /* --layer-images */
    int n_dump;
    uint32_t hash;
} cosim_ctx;

/* Runs images [lo, hi) (after image lo - 1, unrecorded, when lo > 0); rec and logits ([image][n_classes]) are indexed by the global image number;
 * pr (may be NULL) is advanced per image. */
void cosim_run_range(const cosim_ctx *c, uint64_t lo, uint64_t hi, cosim_part *p, cosim_img *rec, int32_t *logits,
                     fx_progress *pr);
#endif
