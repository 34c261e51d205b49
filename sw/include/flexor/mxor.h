/* SPDX-License-Identifier: Apache-2.0 */
/* M⊕ generation (generator splitmix64-v1, docs/contract.md §2). */
#ifndef FLEXOR_MXOR_H
#define FLEXOR_MXOR_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_NOUT_MAX 32

typedef struct {
    uint32_t n_in, n_out, n_tap;
    uint32_t row[FX_NOUT_MAX]; /* row[i] bit j set: stored bit j feeds decrypted bit i */
} fx_mxor;

/* Returns 0, or -1 when the parameters are out of range or no matrix satisfies the rules. */
int fx_mxor_generate(uint64_t seed, uint32_t n_in, uint32_t n_out, uint32_t n_tap, fx_mxor *out);
/* Identity (bypass for unencrypted planes): n_in = n_out, row[i] = 1 << i. */
void fx_mxor_identity(uint32_t n_out, fx_mxor *out);
#ifdef __cplusplus
}
#endif
#endif
