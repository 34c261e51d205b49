/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_lane.v, one output channel: the add/sub over a chunk (as a table per column, see
 * below; the per-chunk look-up and the accumulate are fxa_lane_chunk_sum / fxa_lane_wrap in accel.h),
 * and at the group's end the α-scale and plane sum t = bias + Σ_i α_i·acc_i. Decryption and realignment,
 * which the RTL lane also instantiates, are decrypt_array.c. */
#include "accel.h"

/* The chunk sums of one column per 4-bit weight pattern: tab[(j·NG + k)·16 + v] = Σ_b (bit b of v ? +a :
 * −a) over bytes 4k .. 4k+3 of chunk j, the same for every lane (the RTL shares Σ_b a_b the same way). */
void fxa_lane_chunk_table(const uint8_t *act, uint32_t n_out, uint32_t CH, int32_t *tab)
{
    const uint32_t NG = (n_out + 3) / 4;
    for (uint32_t j = 0; j < CH; j++)
        for (uint32_t k = 0; k < NG; k++) {
            int32_t x[4] = {0, 0, 0, 0}, *t = tab + ((size_t)j * NG + k) * 16;
            for (uint32_t b = 0; b < 4 && 4 * k + b < n_out; b++) x[b] = act[(size_t)j * n_out + 4 * k + b];
            t[0] = -(x[0] + x[1] + x[2] + x[3]); /* all four weights -1; each set bit turns one to +1 */
            for (uint32_t v = 1; v < 16; v++) {
                uint32_t low = (uint32_t)__builtin_ctz(v);
                t[v] = t[v & (v - 1)] + 2 * x[low];
            }
        }
}

/* a->sum[l] = bias + Σ_i α_i·(plane i's accumulator) for the group's lanes, wrapped to SUM_W as the RTL's
 * register; the parameter entry holds the bias in word 0 and α_i (int16) in half i&1 of word 1 + i/2. */
void fxa_lane_plane_sums(fxa_accel *a, const fxa_run *r, uint32_t g, uint32_t lanes_on)
{
    for (uint32_t l = 0; l < lanes_on; l++) {
        const uint32_t *p = fxa_ram_at(&a->pmem, l, r->p_base + g);
        const int64_t *acc = a->plane + (size_t)l * a->cfg.q_max;
        int64_t t = (int32_t)p[0];
        for (uint32_t i = 0; i < r->q; i++) {
            int16_t alpha = (int16_t)(uint16_t)(p[1 + i / 2] >> (16 * (i & 1)));
            t = fxa_lane_wrap(t + (int64_t)alpha * acc[i], a->wd.sum_w);
        }
        a->sum[l] = t;
    }
}
