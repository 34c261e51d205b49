/* SPDX-License-Identifier: Apache-2.0 */
/* One constrained-random regression case: one GEMM layer, or two chained through an activation buffer,
 * with random shape, layout, encryption, planes, α, bias, shift, output mode, memory bases, activations
 * and stall rate. Everything follows from the case seed, so a case replays exactly. */
#ifndef FLEXOR_CSIM_REGRESS_CASE_H
#define FLEXOR_CSIM_REGRESS_CASE_H
#include "flexor/driver.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t seed;
    fx_model m;          /* 1 or 2 FC-type layers; N columns given to the RUNs directly */
    uint32_t N;
    uint8_t *cols;       /* layer 0 input: N columns of CH0 chunks of n_out bytes (padding 0) */
    fx_plan plan;        /* bases moved to random places in the memories */
    uint32_t a_src, src_base, dst_base; /* buffer of the input, chunk bases */
    double stall;
    uint64_t cycles_bound; /* N·G·q·(CH+1) over the layers, to keep cases fast */
    uint32_t bad[16], n_bad; /* an erroneous command sent before the case's words (none when n_bad = 0) */
    uint32_t bad_code;       /* the error code it is meant to raise (the models must agree on the code) */
} fx_rcase;

/* err_pct: percentage of cases that start with an erroneous command (error codes 1..6).
 * kmax: largest K drawn (<= cfg->k_max). Returns 0, or -1 if the case cannot be built (out of memory). */
int fx_rcase_make(fx_rcase *c, const fx_hwcfg *cfg, uint64_t seed, uint32_t kmax, unsigned err_pct);
void fx_rcase_free(fx_rcase *c);
/* The command words: the erroneous command if any, LOAD_A of the input, then the RUN(s); the last RUN
 * streams N·M words out (an error is sticky but later commands still execute). */
size_t fx_rcase_words(const fx_rcase *c, const fx_hwcfg *cfg, uint32_t **words);
/* The expected output by the integer reference, out[N*M_last]. Returns -1 on failure. */
int fx_rcase_reference(const fx_rcase *c, const fx_hwcfg *cfg, int32_t *out);
void fx_rcase_describe(const fx_rcase *c, char *buf, size_t n);
/* Seed of case i of a run with master seed s. */
uint64_t fx_rcase_seed(uint64_t master, uint64_t i);
#endif
