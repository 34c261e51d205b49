/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of the RUN argument checker (rtl/flexor_argchk.v): decodes the 8 RUN
 * words and applies the checks of docs/accelerator.md "Errors" (codes 2-5). */
#include "accel.h"

/* When several checks fail the lowest code is reported. */
uint32_t fxa_argchk(const fxa_accel *a, const uint32_t h[8], fxa_run *r)
{
    const fx_hwcfg *c = &a->cfg;
    uint32_t fl = h[3];
    r->K = h[0]; r->M = h[1]; r->N = h[2];
    r->q = fl & 0xF; r->n_in = (fl >> 4) & 0x3F; r->enc = (fl >> 10) & 1; r->straddle = (fl >> 11) & 1;
    r->relu = (fl >> 12) & 1; r->dst_stream = (fl >> 13) & 1; r->src = (fl >> 14) & 1; r->dst = (fl >> 15) & 1;
    r->shift = (fl >> 16) & 0x3F;
    r->w_base = h[4]; r->p_base = h[5]; r->src_base = h[6]; r->dst_base = h[7];
    if (r->q == 0 || r->q > c->q_max || r->K == 0 || r->K > c->k_max || r->M == 0 || r->N == 0)
        return FXA_ERR_RUN_SHAPE;
    if (r->enc ? fxa_decrypt_array_index(a, r->n_in) < 0 : r->n_in != c->n_out) return FXA_ERR_RUN_NIN;
    r->CH = (r->K + c->n_out - 1) / c->n_out;
    r->S = r->CH + r->straddle;
    r->G = (uint32_t)(((uint64_t)r->M + c->lanes - 1) / c->lanes);
    r->CH_out = (uint32_t)(((uint64_t)r->M + c->n_out - 1) / c->n_out);
    if ((uint64_t)r->w_base + (uint64_t)r->G * r->q * r->S > c->wmem_depth ||
        (uint64_t)r->p_base + r->G > c->pmem_depth ||
        (uint64_t)r->src_base + (uint64_t)r->N * r->CH > c->amem_depth ||
        (!r->dst_stream && (uint64_t)r->dst_base + (uint64_t)r->N * r->CH_out > c->amem_depth))
        return FXA_ERR_RUN_ADDR;
    if ((!r->dst_stream && (!r->relu || r->src == r->dst)) || (fl >> 22)) return FXA_ERR_RUN_FLAGS;
    return 0;
}
