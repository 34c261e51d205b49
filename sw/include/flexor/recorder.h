/* SPDX-License-Identifier: Apache-2.0 */
/* Backends in front of a backend: fx_wrap forwards every call to an inner backend except the ones the
 * wrapper overrides; fx_recorder records every word that crosses the ports (test vectors, the SystemC
 * script). */
#ifndef FLEXOR_RECORDER_H
#define FLEXOR_RECORDER_H
#include "flexor/driver.h"
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* A growable array of words. */
typedef struct {
    uint32_t *w;
    size_t n, cap;
} fx_words;
/* Appends k words; -1 when out of memory (v unchanged). */
int fx_words_push(fx_words *v, const uint32_t *w, size_t k);
void fx_words_free(fx_words *v);

/* be (handed to the driver) forwards write, read, counters, error and set_taps to inner; a wrapper
 * overrides what it needs after fx_wrap_init (be.ctx points to the fx_wrap, so an fx_wrap as the first
 * member of the wrapper's state reaches both). be.destroy does nothing: the owner frees. */
typedef struct {
    fx_backend be;
    fx_backend *inner;
} fx_wrap;
void fx_wrap_init(fx_wrap *w, const char *name, fx_backend *inner);

/* Records the command words written (cmd), the result words read (out) and, per result word, whether it
 * ends a read call (last: 1/0; the driver reads each streamed RUN's results in one call, so that word
 * carries out_last). reads counts the read calls that returned words; failed is set when recording ran
 * out of memory (the call then fails too). */
typedef struct {
    fx_wrap wrap; /* first: wrap.be is the backend to use */
    fx_words cmd, out, last;
    uint32_t reads;
    int failed;
} fx_recorder;
void fx_recorder_init(fx_recorder *r, fx_backend *inner);
/* Frees the recordings (not inner). */
void fx_recorder_free(fx_recorder *r);
#ifdef __cplusplus
}
#endif
#endif
