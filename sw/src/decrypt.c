/* SPDX-License-Identifier: Apache-2.0 */
/* XOR decryption of stored slices (docs/contract.md §2, §3): a per-bit oracle and a bit-sliced
 * version that decrypts 64 slices with one word XOR per tap. */
#include "flexor/decrypt.h"
#include "flexor/model.h"
#include <string.h>

uint32_t fx_decrypt_slice(const fx_mxor *m, uint32_t x)
{
    uint32_t y = 0;
    for (uint32_t i = 0; i < m->n_out; i++) y |= (uint32_t)__builtin_parity(m->row[i] & x) << i;
    return y;
}

/* In-place 64x64 bit transpose, LSB-first: afterwards bit c of a[r] is the old bit r of a[c]. */
static void transpose64(uint64_t a[64])
{
    uint64_t m = 0x00000000FFFFFFFFull;
    for (unsigned j = 32; j; j >>= 1, m ^= m << j) {
        for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
            uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
            a[k | j] ^= t;
            a[k] ^= t << j;
        }
    }
}

void fx_decrypt_slices(const fx_mxor *m, const uint32_t *x, uint32_t *y, size_t n)
{
    uint64_t a[64], o[64];
    const uint32_t in_mask = m->n_in >= 32 ? 0xFFFFFFFFu : (1u << m->n_in) - 1u;
    for (size_t base = 0; base < n; base += 64) {
        size_t cnt = n - base < 64 ? n - base : 64;
        for (size_t k = 0; k < 64; k++) a[k] = k < cnt ? (x[base + k] & in_mask) : 0;
        transpose64(a); /* a[j]: stored bit j of all 64 slices */
        memset(o, 0, sizeof o);
        for (uint32_t i = 0; i < m->n_out; i++) {
            uint64_t w = 0;
            for (uint32_t r = m->row[i]; r; r &= r - 1) w ^= a[__builtin_ctz(r)];
            o[i] = w;
        }
        transpose64(o); /* o[k]: decrypted bits of slice k */
        for (size_t k = 0; k < cnt; k++) y[base + k] = (uint32_t)o[k];
    }
}

int fx_layer_mxor(const fx_hwcfg *cfg, uint32_t flags, uint32_t n_in, fx_mxor *out)
{
    if (!(flags & FX_F_ENCRYPTED)) { /* bypass: the stored slice is the weight bits */
        if (n_in != cfg->n_out) return -1;
        fx_mxor_identity(cfg->n_out, out);
        return 0;
    }
    for (uint32_t i = 0; i < cfg->n_in_count; i++)
        if (cfg->n_in[i] == n_in) return fx_mxor_generate(cfg->seed, n_in, cfg->n_out, cfg->n_tap, out);
    return -1;
}
