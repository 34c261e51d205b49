/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of the result buffer and serialiser (rtl/flexor_writer.v): a group's results, requantized by the
 * one requantizer, go one word each to the out stream, or one byte each into the destination activation
 * buffer. RUN: whole columns, each column's last chunk padded with zero bytes. RUNX: the output tensor in
 * layout order (position-major, channel ascending), max-pooled over each 2x2 window if asked, packed into
 * whole N_out-byte words from a_dst_base on, the last one zero-padded; every word written is tapped. */
#include "accel.h"
#include <stdlib.h>
#include <string.h>

int fxa_writer_begin(fxa_writer *w, fxa_accel *a, const fxa_run *r)
{
    memset(w, 0, sizeof *w);
    w->a = a;
    w->r = r;
    w->y = malloc(a->cfg.lanes * sizeof *w->y);
    if (!w->y) return -1;
    if (r->x) {
        w->addr = r->dst_base;
        w->word = calloc(a->cfg.n_out, 1);
        w->pmax = r->pool == 2 ? calloc(r->M, 1) : NULL; /* uint8 results: 0 is the neutral maximum */
        return !w->word || (r->pool == 2 && !w->pmax) ? -1 : 0;
    }
    w->col = r->dst_stream ? NULL : calloc((size_t)r->CH_out * a->cfg.n_out, 1); /* bytes >= M stay 0 */
    return !r->dst_stream && !w->col ? -1 : 0;
}

/* RUNX: the word being filled goes to the buffer whole (bytes not filled are 0), tapped. */
static void flush_word(fxa_writer *w)
{
    fxa_accel *a = w->a;
    memcpy(fxa_amem_chunk(&a->amem, w->r->dst, w->addr), w->word, a->cfg.n_out);
    if (a->have_taps && a->taps.write) a->taps.write(a->taps.user, w->r->dst, w->addr, w->word);
    w->addr++;
    w->fill = 0;
    memset(w->word, 0, a->cfg.n_out);
}

/* RUNX: the next output tensor element, to the stream or into the word being filled. */
static void emit(fxa_writer *w, int32_t v)
{
    if (w->r->dst_stream) {
        fxa_top_push(w->a, (uint32_t)v);
        return;
    }
    w->word[w->fill++] = (uint8_t)v;
    if (w->fill == w->a->cfg.n_out) flush_word(w);
}

/* The results of channels m0 .. m0 + lanes_on - 1 (one group). */
void fxa_writer_group(fxa_writer *w, uint32_t m0, const int64_t *t, uint32_t lanes_on)
{
    fxa_requant_results(t, lanes_on, w->r->shift, (int)w->r->relu, w->a->wd.sum_w, w->y);
    for (uint32_t l = 0; l < lanes_on; l++) {
        if (w->pmax) {
            if (w->y[l] > w->pmax[m0 + l]) w->pmax[m0 + l] = (uint8_t)w->y[l];
        } else if (w->r->x) {
            emit(w, w->y[l]);
        } else if (w->col) {
            w->col[m0 + l] = (uint8_t)w->y[l];
        } else {
            fxa_top_push(w->a, (uint32_t)w->y[l]);
        }
    }
}

/* Column n is complete. RUN, destination-buffer mode: its CH_out chunks go to amem[dst] at
 * dst_base + n·CH_out. RUNX, pool 2: after a window's fourth column its maxima are the next M elements. */
void fxa_writer_column_end(fxa_writer *w, uint32_t n)
{
    const fxa_run *r = w->r;
    if (r->x) {
        if (!w->pmax || ++w->cols % 4) return;
        for (uint32_t m = 0; m < r->M; m++) emit(w, w->pmax[m]);
        memset(w->pmax, 0, r->M);
        return;
    }
    if (!w->col) return;
    memcpy(fxa_amem_chunk(&w->a->amem, r->dst, r->dst_base + (uint64_t)n * r->CH_out), w->col,
           (size_t)r->CH_out * w->a->cfg.n_out);
}

/* RUNX into a buffer: the last, partly filled word is written whole, its remaining bytes 0. */
void fxa_writer_end(fxa_writer *w)
{
    if (w->r->x && !w->r->dst_stream && w->fill) flush_word(w);
    free(w->col);
    free(w->y);
    free(w->word);
    free(w->pmax);
}
