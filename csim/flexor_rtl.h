/* SPDX-License-Identifier: Apache-2.0 */
/* The Verilated flexor_top behind a plain C API. flexor_rtl_shim.cpp is the only C++ of the
 * co-simulation: it clocks the model, drives the two streams (with seeded random stalls), samples the
 * debug taps and optionally dumps an FST window. Everything above it (the .c files of csim/) is C. */
#ifndef FLEXOR_RTL_H
#define FLEXOR_RTL_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct fx_rtl fx_rtl;

/* What the Verilated model was built with (the same generated flexor_config.h as the RTL). */
typedef struct {
    uint32_t hash, lanes, n_out, psum_w, acc_w;
    const char *cfg_name;
    const char *verilator_args; /* the Verilator options of this model (FX_VL_COSIM_ARGS), for reports */
} fx_rtl_info;
void fx_rtl_get_info(fx_rtl_info *info);

/* A chunk tap (one engine cycle): every lane l < lanes processed chunk `chunk` of (col, grp, plane);
 * dec[l] = its N_out decrypted weight bits, psum[l] = its sign-extended partial sum. */
typedef void (*fx_rtl_chunk_fn)(void *user, uint64_t cycle, uint32_t col, uint32_t grp, uint32_t plane,
                                uint32_t chunk, const uint32_t *dec, const int32_t *psum);
/* A plane finished: acc[l] for every lane (sign-extended). */
typedef void (*fx_rtl_acc_fn)(void *user, uint64_t cycle, uint32_t col, uint32_t grp, uint32_t plane,
                              const int32_t *acc);

/* RUNX taps: a column chunk as the gather wrote it (col = position n, N_out bytes), and a word RUNX wrote
 * into its destination buffer (word address, N_out bytes; the buffer is the RUNX's a_dst). */
typedef void (*fx_rtl_gather_fn)(void *user, uint64_t cycle, uint32_t col, uint32_t chunk, const uint8_t *bytes);
typedef void (*fx_rtl_write_fn)(void *user, uint64_t cycle, uint32_t addr, const uint8_t *bytes);

/* xseed != 0: registers and memories start from Verilator's seeded random values (rand-reset 2);
 * xseed == 0: they start at zero. */
fx_rtl *fx_rtl_new(uint64_t xseed);
void fx_rtl_free(fx_rtl *r);
/* Synchronous reset: rst_ni low for `cycles` cycles with both streams idle. */
void fx_rtl_reset(fx_rtl *r, uint32_t cycles);
/* Each cycle the host withholds in_valid (when it has a word and is not already offering one) with
 * probability p_in and drops out_ready with probability p_out; seeded, so runs are replayable. */
void fx_rtl_set_stalls(fx_rtl *r, double p_in, double p_out, uint64_t seed);
void fx_rtl_set_taps(fx_rtl *r, fx_rtl_chunk_fn chunk, fx_rtl_acc_fn acc, void *user);
/* The RUNX gather and write taps (either may be NULL), reported with the same `user` as fx_rtl_set_taps'. */
void fx_rtl_set_xtaps(fx_rtl *r, fx_rtl_gather_fn gather, fx_rtl_write_fn write);

/* The streams for one fx_rtl_run call. in[in_done..n_in) are offered in order; accepted output words
 * go to out[out_done..out_cap) with out_last[] (may be NULL) holding out_last_o of each. */
typedef struct {
    const uint32_t *in;
    size_t n_in, in_done;
    uint32_t *out;
    uint8_t *out_last;
    size_t out_cap, out_done;
} fx_rtl_io;

enum { FX_RTL_UNTIL_IN = 1, FX_RTL_UNTIL_OUT = 2 };
/* Clock up to max_cycles cycles; stop early once every input word is accepted (FX_RTL_UNTIL_IN) or
 * the output buffer is full (FX_RTL_UNTIL_OUT). Returns the cycles run. */
uint64_t fx_rtl_run(fx_rtl *r, fx_rtl_io *io, int until, uint64_t max_cycles);

/* Cycles clocked since fx_rtl_new (including reset), and the last cycle in which anything moved: a
 * stream handshake or a tap (the watchdog's notion of progress). */
uint64_t fx_rtl_cycle(const fx_rtl *r);
uint64_t fx_rtl_last_progress(const fx_rtl *r);

/* Counter outputs cycles, busy, stall, slices (docs/accelerator.md). */
void fx_rtl_counters(fx_rtl *r, uint64_t c[4]);
/* err_o ? 0x100 | err_code_o : err_code_o (a nonzero code without err_o is reported as is). */
uint32_t fx_rtl_error(fx_rtl *r);
int fx_rtl_busy(fx_rtl *r);

/* Dump an FST of cycles [from, to] into path (opened when the window starts). Returns -1 when the
 * build has no trace support. */
int fx_rtl_wave(fx_rtl *r, const char *path, uint64_t from, uint64_t to);
#ifdef __cplusplus
}
#endif
#endif
