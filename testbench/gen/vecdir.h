/* SPDX-License-Identifier: Apache-2.0 */
/* A vector directory in flexor-vectors' format (cmd.hex, out.hex, tap_chunk.hex, tap_acc.hex, vectors.vh),
 * recorded from the command-level C model while a generator pushes command words. */
#ifndef TB_VECDIR_H
#define TB_VECDIR_H
#include "flexor/hwcfg.h"
#include <stddef.h>
#include <stdint.h>

typedef struct vecdir vecdir;
vecdir *vd_new(const fx_hwcfg *cfg);
/* Push command words into the C model and the recording. */
void vd_words(vecdir *v, const uint32_t *w, size_t n);
/* Take n result words the model produced (one streamed RUN: the last one carries out_last). */
void vd_results(vecdir *v, size_t n);
uint32_t vd_error(vecdir *v);
/* Write the directory (created if missing); exits with status 2 on failure. */
void vd_write(vecdir *v, const char *dir, const char *comment);
void vd_free(vecdir *v);
#endif
