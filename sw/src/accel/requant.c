/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_requant.v: round-half-up arithmetic shift, then clamp to 0..255 (RELU_U8) or to
 * int32 (RAW). Called once per group for all its results, so no call per result crosses files. */
#include "accel.h"

static int32_t requant(int64_t t, uint32_t shift, int relu_u8, uint32_t sum_w)
{
    int64_t r;
    if (shift >= sum_w) r = 0; /* |t| <= 2^(SUM_W-1): the rounded quotient is 0 (docs/accelerator.md) */
    else r = (t + (shift ? (int64_t)1 << (shift - 1) : 0)) >> shift;
    if (relu_u8) return (int32_t)(r < 0 ? 0 : r > 255 ? 255 : r);
    return (int32_t)(r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : r);
}

void fxa_requant_results(const int64_t *t, uint32_t n, uint32_t shift, int relu_u8, uint32_t sum_w, int32_t *y)
{
    for (uint32_t i = 0; i < n; i++) y[i] = requant(t[i], shift, relu_u8, sum_w);
}
