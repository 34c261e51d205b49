/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_gather.v: RUNX's address generation. It walks the columns in the spec's order
 * (docs/accelerator.md "RUNX": n ascending, or the four columns of each 2x2 pool window) and builds each
 * column's CH chunks from the HWC input tensor in buffer a_src: activation k = (dy·kw + dx)·C + c is the
 * tensor element (c, oy·s + dy − p, ox·s + dx − p), 0 in the padding (which reads no memory) and beyond K. */
#include "accel.h"
#include <string.h>

uint32_t fxa_gather_col(const fxa_run *r, uint32_t idx)
{
    if (r->pool != 2) return idx;
    const uint32_t win = idx / 4, py = win / (r->out_w / 2), px = win % (r->out_w / 2);
    return (2 * py + (idx >> 1 & 1)) * r->out_w + 2 * px + (idx & 1);
}

void fxa_gather_column(fxa_accel *a, const fxa_run *r, uint32_t n, uint8_t *col)
{
    const uint32_t n_out = a->cfg.n_out, oy = n / r->out_w, ox = n % r->out_w;
    /* byte b of the tensor is byte b of the buffer from word src_base on (consecutive words are contiguous) */
    const uint8_t *t = fxa_amem_chunk(&a->amem, r->src, r->src_base);
    uint32_t c = 0, dx = 0, dy = 0; /* kernel position and channel of k, stepped with k */
    memset(col, 0, (size_t)r->CH * n_out);
    for (uint32_t k = 0; k < r->K; k++) {
        /* 64-bit and unsigned: a position above or left of the input wraps around and fails the bound */
        const uint64_t y = (uint64_t)oy * r->s + dy - r->p, x = (uint64_t)ox * r->s + dx - r->p;
        if (y < r->in_h && x < r->in_w) col[k] = t[(y * r->in_w + x) * r->C + c];
        if (++c == r->C) {
            c = 0;
            if (++dx == r->kw) dx = 0, dy++;
        }
    }
    if (a->have_taps && a->taps.gather)
        for (uint32_t j = 0; j < r->CH; j++) a->taps.gather(a->taps.user, n, j, col + (size_t)j * n_out);
}
