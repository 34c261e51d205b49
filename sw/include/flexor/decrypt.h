/* SPDX-License-Identifier: Apache-2.0 */
/* XOR decryption of stored slices into weight bits (docs/contract.md §2, §3). */
#ifndef FLEXOR_DECRYPT_H
#define FLEXOR_DECRYPT_H
#include "flexor/mxor.h"
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Per-bit oracle: y_i = parity(row[i] & x). */
uint32_t fx_decrypt_slice(const fx_mxor *m, uint32_t x);
/* Bit-parallel: decrypt n slices, 64 at a time with word XORs (bit-sliced). */
void fx_decrypt_slices(const fx_mxor *m, const uint32_t *x, uint32_t *y, size_t n);
/* The matrix a layer uses: M⊕ of cfg for n_in when FX_F_ENCRYPTED is in flags, identity otherwise.
 * Returns -1 if the configuration has no decryptor for n_in. */
#include "flexor/hwcfg.h"
int fx_layer_mxor(const fx_hwcfg *cfg, uint32_t flags, uint32_t n_in, fx_mxor *out);
#ifdef __cplusplus
}
#endif
#endif
