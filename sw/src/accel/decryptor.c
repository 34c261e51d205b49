/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_decryptor.v, M⊕ for one N_in: y[r] = parity(row_r & x) (contract §2). The model
 * decrypts with a table form of the same map (fxa_decryptor_fast in accel.h): M⊕ is linear over GF(2),
 * so dec(x) is the XOR of the decryptions of x's four bytes in place, tabulated here once per matrix. */
#include "accel.h"

static uint32_t decrypt(const fx_mxor *mx, uint32_t stored, uint32_t n_out)
{
    uint32_t y = 0;
    for (uint32_t i = 0; i < n_out; i++) y |= (uint32_t)__builtin_parity(mx->row[i] & stored) << i;
    return y;
}

void fxa_decryptor_table(uint32_t t[4][256], const fx_mxor *mx, uint32_t n_out)
{
    for (uint32_t k = 0; k < 4; k++)
        for (uint32_t v = 0; v < 256; v++) t[k][v] = decrypt(mx, v << (8 * k), n_out);
}
