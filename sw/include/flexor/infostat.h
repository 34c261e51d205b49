/* SPDX-License-Identifier: Apache-2.0 */
/* Information measures of the study (docs/study.md): the GF(2) rank of an M⊕, the empirical entropy of
 * a bit stream's k-bit blocks and the size of an actual Huffman code of them. Exact, no floating point in
 * the rank and the code lengths. */
#ifndef FLEXOR_INFOSTAT_H
#define FLEXOR_INFOSTAT_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_BLOCK_BITS_MAX 16 /* k of fx_block_counts: 2^k counters */

/* Rank over GF(2) of the n rows (bit j of rows[i] = column j, at most 32 columns). */
uint32_t fx_gf2_rank(const uint32_t *rows, uint32_t n);

/* Counts of the non-overlapping k-bit blocks of bits[0..n) (one bit per byte, 0 or nonzero): counts[v]
 * for v < 2^k, block value = Σ_b bits[i·k + b] << b; the n mod k bits of the tail are not counted.
 * Returns the number of blocks; 0 when k is outside 1..FX_BLOCK_BITS_MAX. */
uint64_t fx_block_counts(const uint8_t *bits, size_t n, unsigned k, uint64_t *counts);

/* Shannon entropy in bits per symbol of the empirical distribution counts[0..n) (0 for no symbols). */
double fx_entropy_bits(const uint64_t *counts, size_t n);

/* Huffman code lengths of counts[0..n) (n <= 65536): len[i] = 0 for a symbol of count 0; a lone symbol
 * gets length 1 (a code needs a bit to say anything). Ties are broken by symbol index, so the lengths
 * are a function of the counts. Returns the coded size Σ counts[i]·len[i] in bits, or UINT64_MAX when
 * memory runs out. */
uint64_t fx_huffman_lengths(const uint64_t *counts, size_t n, uint8_t *len);
#ifdef __cplusplus
}
#endif
#endif
