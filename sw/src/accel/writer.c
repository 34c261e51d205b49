/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of the result buffer and serialiser (rtl/flexor_writer.v): a group's
 * results, requantized by the one requantizer, go one word each to the out stream, or one byte each into
 * the destination activation buffer, whose column's last chunk is padded with zero bytes. */
#include "accel.h"
#include <stdlib.h>
#include <string.h>

int fxa_writer_begin(fxa_writer *w, fxa_accel *a, const fxa_run *r)
{
    w->a = a;
    w->r = r;
    w->col = r->dst_stream ? NULL : calloc((size_t)r->CH_out * a->cfg.n_out, 1); /* bytes >= M stay 0 */
    w->y = malloc(a->cfg.lanes * sizeof *w->y);
    return !w->y || (!r->dst_stream && !w->col) ? -1 : 0;
}

/* The results of channels m0 .. m0 + lanes_on - 1 (one group). */
void fxa_writer_group(fxa_writer *w, uint32_t m0, const int64_t *t, uint32_t lanes_on)
{
    fxa_requant_results(t, lanes_on, w->r->shift, (int)w->r->relu, w->a->wd.sum_w, w->y);
    for (uint32_t l = 0; l < lanes_on; l++) {
        if (w->col) w->col[m0 + l] = (uint8_t)w->y[l];
        else fxa_top_push(w->a, (uint32_t)w->y[l]);
    }
}

/* Column n is complete: in destination-buffer mode its CH_out chunks go to amem[dst] at dst_base + n·CH_out. */
void fxa_writer_column_end(fxa_writer *w, uint32_t n)
{
    const fxa_run *r = w->r;
    if (!w->col) return;
    memcpy(fxa_amem_chunk(&w->a->amem, r->dst, r->dst_base + (uint64_t)n * r->CH_out), w->col,
           (size_t)r->CH_out * w->a->cfg.n_out);
}

void fxa_writer_end(fxa_writer *w)
{
    free(w->col);
    free(w->y);
}
