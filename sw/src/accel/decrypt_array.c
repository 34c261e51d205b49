/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_decrypt_array.v: one decryptor per configured N_in plus the bypass (identity),
 * chosen by the RUN's N_in, and the straddle realignment {dec(slice j+1), dec(slice j)} >> o_m. */
#include "accel.h"

/* Builds the matrices of cfg (seed, N_in list, N_out, N_tap) and their decryptor tables; -1 on failure. */
int fxa_decrypt_array_init(fxa_accel *a)
{
    const fx_hwcfg *c = &a->cfg;
    for (uint32_t i = 0; i < c->n_in_count; i++)
        if (fx_mxor_generate(c->seed, c->n_in[i], c->n_out, c->n_tap, &a->mx[i])) return -1;
    fx_mxor_identity(c->n_out, &a->ident);
    for (uint32_t i = 0; i < c->n_in_count; i++) fxa_decryptor_table(a->dtab[i], &a->mx[i], c->n_out);
    fxa_decryptor_table(a->dtab[c->n_in_count], &a->ident, c->n_out);
    return 0;
}

/* The index of n_in in the configured list, -1 if it has no decryptor. */
int fxa_decrypt_array_index(const fxa_accel *a, uint32_t n_in)
{
    for (uint32_t i = 0; i < a->cfg.n_in_count; i++)
        if (a->cfg.n_in[i] == n_in) return (int)i;
    return -1;
}

/* The RUN's decryptor table: its N_in's matrix when encrypted (argchk.c has checked it exists), else
 * the bypass. */
const uint32_t (*fxa_decrypt_array_select(const fxa_accel *a, const fxa_run *r))[256]
{
    return a->dtab[r->enc ? (uint32_t)fxa_decrypt_array_index(a, r->n_in) : a->cfg.n_in_count];
}

/* The CH chunks' weight bits of one plane of one lane, from its S stored slices: out[j·stride] =
 * dec(slice j), or in straddle mode bits [o_m +: N_OUT] of {dec(slice j+1), dec(slice j)}. */
void fxa_decrypt_array_plane(const uint32_t dt[4][256], const uint32_t *slices, const fxa_run *r, uint32_t o_m,
                             uint32_t n_out, uint32_t mask, uint32_t *out, size_t stride)
{
    const uint32_t CH = r->CH, straddle = r->straddle; /* out may alias *r as far as C knows */
    for (uint32_t j = 0; j < CH; j++) {
        uint32_t bits = fxa_decryptor_fast(dt, slices[j]);
        if (straddle) {
            uint64_t cat = ((uint64_t)fxa_decryptor_fast(dt, slices[j + 1]) << n_out) | bits;
            bits = (uint32_t)(cat >> o_m) & mask;
        }
        out[j * stride] = bits;
    }
}
