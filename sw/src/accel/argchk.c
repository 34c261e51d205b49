/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of the RUN / RUNX argument checker (rtl/flexor_argchk.v): decodes the 8 RUN words or the 11 RUNX
 * words and applies the checks of docs/accelerator.md "Errors" and "RUNX" (codes 2-5). */
#include "accel.h"

/* The flag fields RUN and RUNX share (bits 0..21). */
static void decode_flags(fxa_run *r, uint32_t fl)
{
    r->q = fl & 0xF; r->n_in = (fl >> 4) & 0x3F; r->enc = (fl >> 10) & 1; r->straddle = (fl >> 11) & 1;
    r->relu = (fl >> 12) & 1; r->dst_stream = (fl >> 13) & 1; r->src = (fl >> 14) & 1; r->dst = (fl >> 15) & 1;
    r->shift = (fl >> 16) & 0x3F;
}

/* Code 3 (the decryptor), then the loop bounds every later check and the sequencer use. */
static uint32_t check_nin(const fxa_accel *a, fxa_run *r)
{
    const fx_hwcfg *c = &a->cfg;
    if (r->enc ? fxa_decrypt_array_index(a, r->n_in) < 0 : r->n_in != c->n_out) return FXA_ERR_RUN_NIN;
    r->CH = (r->K + c->n_out - 1) / c->n_out;
    r->S = r->CH + r->straddle;
    r->G = (uint32_t)(((uint64_t)r->M + c->lanes - 1) / c->lanes);
    r->CH_out = (uint32_t)(((uint64_t)r->M + c->n_out - 1) / c->n_out);
    return 0;
}

/* The weight and parameter part of code 4, the same for RUN and RUNX. */
static int lane_mem_outside(const fx_hwcfg *c, const fxa_run *r)
{
    return (uint64_t)r->w_base + (uint64_t)r->G * r->q * r->S > c->wmem_depth ||
           (uint64_t)r->p_base + r->G > c->pmem_depth;
}

/* When several checks fail the lowest code is reported. */
uint32_t fxa_argchk(const fxa_accel *a, const uint32_t h[8], fxa_run *r)
{
    const fx_hwcfg *c = &a->cfg;
    uint32_t fl = h[3];
    *r = (fxa_run){.K = h[0], .M = h[1], .N = h[2]};
    decode_flags(r, fl);
    r->w_base = h[4]; r->p_base = h[5]; r->src_base = h[6]; r->dst_base = h[7];
    if (r->q == 0 || r->q > c->q_max || r->K == 0 || r->K > c->k_max || r->M == 0 || r->N == 0)
        return FXA_ERR_RUN_SHAPE;
    if (check_nin(a, r)) return FXA_ERR_RUN_NIN;
    if (lane_mem_outside(c, r) || (uint64_t)r->src_base + (uint64_t)r->N * r->CH > c->amem_depth ||
        (!r->dst_stream && (uint64_t)r->dst_base + (uint64_t)r->N * r->CH_out > c->amem_depth))
        return FXA_ERR_RUN_ADDR;
    if ((!r->dst_stream && (!r->relu || r->src == r->dst)) || (fl >> 22)) return FXA_ERR_RUN_FLAGS;
    return 0;
}

/* Words a dense HWC tensor of `elems` bytes occupies from its base word. */
static uint64_t tensor_words(uint64_t elems, uint32_t n_out) { return (elems + n_out - 1) / n_out; }

/* Code 2 of RUNX: RUN's q, K, M checks, then the geometry (docs/accelerator.md "RUNX", "Errors"). */
static int runx_shape_bad(const fx_hwcfg *c, const fxa_run *r)
{
    if (r->q == 0 || r->q > c->q_max || r->K == 0 || r->K > c->k_max || r->M == 0) return 1;
    if (!r->C || !r->in_h || !r->in_w || !r->kh || !r->kw || !r->s || !r->out_h || !r->out_w) return 1;
    if ((uint64_t)r->C * r->kh * r->kw != r->K) return 1;
    if ((uint64_t)r->out_h * r->out_w > c->amem_depth) return 1; /* the column counter's range */
    return r->pool == 2 && ((r->out_h | r->out_w) & 1);
}

uint32_t fxa_argchk_runx(const fxa_accel *a, const uint32_t h[FX_RUNX_ARGS], fxa_run *r)
{
    const fx_hwcfg *c = &a->cfg;
    const uint32_t fl = h[2];
    *r = (fxa_run){.x = 1, .K = h[0], .M = h[1]};
    decode_flags(r, fl);
    r->pool = (fl >> 22) & 3;
    r->w_base = h[3]; r->p_base = h[4]; r->src_base = h[5]; r->dst_base = h[6];
    r->C = h[7];
    r->in_h = h[8] & 0xFFFF; r->in_w = h[8] >> 16;
    r->kh = h[9] & 0xFF; r->kw = (h[9] >> 8) & 0xFF; r->s = (h[9] >> 16) & 0xFF; r->p = h[9] >> 24;
    r->out_h = h[10] & 0xFFFF; r->out_w = h[10] >> 16;
    if (runx_shape_bad(c, r)) return FXA_ERR_RUN_SHAPE;
    if (check_nin(a, r)) return FXA_ERR_RUN_NIN;
    r->N = r->out_h * r->out_w; /* <= amem_depth, checked above */
    r->out_h2 = r->pool == 2 ? r->out_h / 2 : r->out_h;
    r->out_w2 = r->pool == 2 ? r->out_w / 2 : r->out_w;
    /* C <= K <= k_max here, so no product below leaves 64 bits */
    if (lane_mem_outside(c, r) ||
        r->src_base + tensor_words((uint64_t)r->C * r->in_h * r->in_w, c->n_out) > c->amem_depth ||
        (!r->dst_stream &&
         r->dst_base + tensor_words((uint64_t)r->M * r->out_h2 * r->out_w2, c->n_out) > c->amem_depth))
        return FXA_ERR_RUN_ADDR;
    if ((!r->dst_stream && (!r->relu || r->src == r->dst)) || (fl >> 24) || (r->pool & 1) ||
        (r->pool == 2 && !r->relu))
        return FXA_ERR_RUN_FLAGS;
    return 0;
}
