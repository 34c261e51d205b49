/* SPDX-License-Identifier: Apache-2.0 */
/* The pseudo-random generators of flexor, header-only so that C and C++ (Verilator shims) share them.
 * Each is a fixed, documented stream: M⊕ (docs/contract.md §2), random models, regress cases, test
 * vectors and stall patterns are replayed from their seeds, so none of these may ever change. */
#ifndef FLEXOR_RNG_H
#define FLEXOR_RNG_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64 (Steele, Lea, Flood 2014): the generator of M⊕ ("splitmix64-v1"), random models, regress
 * cases and the trainer. Advances *state by the golden gamma and returns the mixed value. */
static inline uint64_t fx_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Marsaglia's xorshift64 (13, 7, 17), top bits: the HDL test vector generators' stream. *state != 0. */
static inline uint32_t fx_xorshift64_u32(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (uint32_t)(x >> 16);
}

/* xorshift64* (Vigna), high half: the stall patterns of the co-simulation harnesses. *state != 0. */
static inline uint32_t fx_xorshift64star_u32(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}
#ifdef __cplusplus
}
#endif
#endif
