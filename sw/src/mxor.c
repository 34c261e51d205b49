/* SPDX-License-Identifier: Apache-2.0 */
/* M⊕ generator splitmix64-v1: every rule here is written in docs/contract.md §2. */
#include "flexor/mxor.h"
#include "flexor/rng.h"

static uint64_t binom(uint32_t n, uint32_t k)
{
    uint64_t r = 1;
    for (uint32_t i = 1; i <= k; i++) r = r * (n - k + i) / i;
    return r;
}

static uint32_t popcount32(uint32_t v) { return (uint32_t)__builtin_popcount(v); }

int fx_mxor_generate(uint64_t seed, uint32_t n_in, uint32_t n_out, uint32_t n_tap, fx_mxor *out)
{
    if (n_tap < 1 || n_tap > n_in || n_in > n_out || n_out > FX_NOUT_MAX) return -1;
    uint64_t state = seed ^ ((uint64_t)n_out << 48) ^ ((uint64_t)n_in << 32) ^ ((uint64_t)n_tap << 24);
    const int unique_rows = binom(n_in, n_tap) >= n_out;
    const uint32_t all = n_in == 32 ? 0xFFFFFFFFu : ((1u << n_in) - 1u);
    const int need_cover = (uint64_t)n_out * n_tap >= n_in;
    out->n_in = n_in; out->n_out = n_out; out->n_tap = n_tap;
    for (int attempt = 0; attempt < 10000; attempt++) {
        uint32_t used = 0;
        for (uint32_t i = 0; i < n_out; i++) {
            for (;;) {
                uint32_t mask = 0;
                while (popcount32(mask) < n_tap)
                    mask |= 1u << ((uint32_t)(fx_splitmix64(&state) >> 32) % n_in);
                int dup = 0;
                for (uint32_t r = 0; unique_rows && r < i; r++) dup |= out->row[r] == mask;
                if (!dup) { out->row[i] = mask; break; }
            }
            used |= out->row[i];
        }
        for (uint32_t i = n_out; i < FX_NOUT_MAX; i++) out->row[i] = 0;
        if (!need_cover || used == all) return 0;
    }
    return -1;
}

void fx_mxor_identity(uint32_t n_out, fx_mxor *out)
{
    out->n_in = out->n_out = n_out;
    out->n_tap = 1;
    for (uint32_t i = 0; i < FX_NOUT_MAX; i++) out->row[i] = i < n_out ? 1u << i : 0;
}
