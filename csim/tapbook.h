/* SPDX-License-Identifier: Apache-2.0 */
/* Records the internal taps of every RUN on one backend (the C model) and checks another backend's
 * taps (the RTL) against them, key by key: (RUN, column n, channel m, plane, chunk); a RUNX's gather and
 * write taps as two streams, entry by entry in order. The first
 * divergence is kept with its cycle. A spy backend feeds it the RUN boundaries. */
#ifndef FLEXOR_CSIM_TAPBOOK_H
#define FLEXOR_CSIM_TAPBOOK_H
#include "cmdstream.h"
#include "flexor/driver.h"
#include <stdint.h>

typedef struct {
    int set;
    char what[48];  /* "dec", "psum", "acc", "missing psum tap", "output", "logit", ... */
    int layer;      /* -1 when unknown */
    uint32_t run;   /* RUN index within the image */
    uint32_t n, m, plane, chunk; /* chunk = UINT32_MAX when not applicable */
    uint64_t cycle; /* RTL cycle, UINT64_MAX when not known */
    int64_t expected, actual;
} fx_divergence;

/* One RUNX tap stream (gather or write): entries (a, b, N_out bytes) in the order they came; a, b = column,
 * chunk (gather) or buffer, word address (write). Check mode compares entry `next` with the record. */
typedef struct {
    uint32_t *ab;
    uint8_t *bytes;
    size_t n, cap, next;
} fx_tap_stream;

typedef struct {
    fx_run_desc d;
    fx_tap_stream gat, wr;
    size_t n_chunk, n_acc;
    uint32_t *dec;
    int32_t *psum, *acc;
    uint8_t *seen_c, *seen_a;
    size_t cap_chunk, cap_acc;
    int64_t last_key_c, last_key_a; /* order check */
} fx_tap_run;

enum { FX_TB_RECORD = 0, FX_TB_CHECK = 1 };

typedef struct {
    int mode;
    fx_tap_run *runs;
    size_t n_runs, cap_runs, cur;
    uint32_t lanes, n_out; /* n_out: bytes of a gather / write tap (set by fx_tap_spy_new) */
    const fx_plan *plan; /* maps a RUN's w_base to its layer (optional) */
    uint32_t n_layers;
    uint64_t (*cycle)(void *); /* current RTL cycle (check mode) */
    void *cycle_user;
    fx_divergence first;
    uint64_t compared; /* taps compared (lanes) */
} fx_tapbook;

void fx_tapbook_init(fx_tapbook *tb, uint32_t lanes);
void fx_tapbook_free(fx_tapbook *tb);
/* Start an image (or a case): record mode forgets the RUNs, check mode rewinds to the first. */
void fx_tapbook_rewind(fx_tapbook *tb, int mode);
/* After the checked backend ran: report taps that never came. Returns 1 if anything diverged. */
int fx_tapbook_finish(fx_tapbook *tb);
int fx_tapbook_layer(const fx_tapbook *tb, const fx_run_desc *d);

/* A backend wrapper that announces each RUN to the tapbook before forwarding it and installs the
 * tapbook's callbacks on `inner`. Destroying the spy does not destroy inner. */
fx_backend *fx_tap_spy_new(fx_backend *inner, fx_tapbook *tb, const fx_hwcfg *cfg);
#endif
