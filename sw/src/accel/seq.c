/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of the loop sequencer (rtl/flexor_seq.v): the loops n -> g -> plane ->
 * slice of a RUN and their addresses; a RUNX takes its columns from the gather (gather.c) in its column
 * order instead of reading them from the source buffer. Channel m = g·LANES + l lives in lane l at the same address in
 * every lane's memories, so one address drives all lanes (docs/accelerator.md "Memory layout"). */
#include "accel.h"
#include <stdlib.h>

/* The memories do not change during a RUN, so the weight bits of (group, plane, chunk, lane) are
 * decrypted and realigned once here instead of once per column: wbits[((g·q + i)·CH + j)·LANES + l]. */
static void decrypt_weights(const fxa_accel *a, const fxa_run *r, uint32_t *wbits)
{
    const uint32_t L = a->cfg.lanes, PW = a->wd.p_words;
    const uint32_t(*dt)[256] = fxa_decrypt_array_select(a, r);
    for (uint32_t g = 0; g < r->G; g++)
        for (uint32_t l = 0; l < L && g * L + l < r->M; l++) {
            uint32_t o_m = fxa_ram_at(&a->pmem, l, r->p_base + g)[PW - 1] & 0x1F;
            for (uint32_t i = 0; i < r->q; i++) {
                const uint32_t *slices = fxa_ram_at(&a->wmem, l, r->w_base + ((uint64_t)g * r->q + i) * r->S);
                fxa_decrypt_array_plane(dt, slices, r, o_m, a->cfg.n_out, a->wmem.mask,
                                        wbits + ((size_t)g * r->q + i) * r->CH * L + l, L);
            }
        }
}

/* One plane of a group: every lane accumulates the chunk sums of its CH chunks. */
static void plane(fxa_accel *a, const fxa_run *r, const int32_t *tab, const uint32_t *wbits, uint32_t n, uint32_t g,
                  uint32_t i, uint32_t lanes_on)
{
    const uint32_t L = a->cfg.lanes, NG = (a->cfg.n_out + 3) / 4, acc_w = a->wd.acc_w;
    int64_t *acc = a->acc;
    for (uint32_t l = 0; l < lanes_on; l++) acc[l] = 0;
    for (uint32_t j = 0; j < r->CH; j++) {
        const int32_t *tj = tab + (size_t)j * NG * 16;
        const uint32_t *wj = wbits + (((size_t)g * r->q + i) * r->CH + j) * L;
        for (uint32_t l = 0; l < lanes_on; l++) {
            int32_t psum = fxa_lane_chunk_sum(tj, wj[l], NG);
            acc[l] = fxa_lane_wrap(acc[l] + psum, acc_w);
            if (a->have_taps && a->taps.chunk) a->taps.chunk(a->taps.user, n, g * L + l, i, j, wj[l], psum);
        }
    }
    for (uint32_t l = 0; l < lanes_on; l++) {
        a->plane[(size_t)l * a->cfg.q_max + i] = acc[l];
        if (a->have_taps && a->taps.acc) a->taps.acc(a->taps.user, n, g * L + l, i, (int32_t)acc[l]);
    }
}

void fxa_seq_run(fxa_accel *a, const fxa_run *r)
{
    const uint32_t L = a->cfg.lanes, NG = (a->cfg.n_out + 3) / 4; /* 4-bit weight groups per chunk */
    uint32_t *wbits = malloc((size_t)r->G * r->q * r->CH * L * sizeof *wbits);
    int32_t *tab = malloc((size_t)r->CH * NG * 16 * sizeof *tab);
    uint8_t *col = r->x ? malloc((size_t)r->CH * a->cfg.n_out) : NULL; /* a RUNX's gathered column */
    fxa_writer w;
    if (!wbits || !tab || (r->x && !col) || fxa_writer_begin(&w, a, r)) abort(); /* out of memory: cannot go on */
    decrypt_weights(a, r, wbits);
    for (uint32_t idx = 0; idx < r->N; idx++) {
        const uint32_t n = r->x ? fxa_gather_col(r, idx) : idx;
        if (r->x) fxa_gather_column(a, r, n, col);
        fxa_lane_chunk_table(r->x ? col : fxa_amem_chunk(&a->amem, r->src, r->src_base + (uint64_t)n * r->CH),
                             a->cfg.n_out, r->CH, tab);
        for (uint32_t g = 0; g < r->G; g++) {
            uint32_t lanes_on = r->M - g * L < L ? r->M - g * L : L;
            for (uint32_t i = 0; i < r->q; i++) plane(a, r, tab, wbits, n, g, i, lanes_on);
            fxa_lane_plane_sums(a, r, g, lanes_on);
            fxa_writer_group(&w, g * L, a->sum, lanes_on);
        }
        fxa_writer_column_end(&w, n);
    }
    fxa_writer_end(&w);
    free(wbits);
    free(tab);
    free(col);
}
