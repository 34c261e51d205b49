/* SPDX-License-Identifier: Apache-2.0 */
/* GF(2) rank, k-bit block entropy and Huffman code lengths (infostat.h; docs/study.md, Q5 and Q6). */
#include "flexor/infostat.h"
#include <math.h>
#include <stdlib.h>

uint32_t fx_gf2_rank(const uint32_t *rows, uint32_t n)
{
    /* Gaussian elimination keyed by the highest set bit: basis[b] holds the reduced row whose top bit is b */
    uint32_t basis[32] = {0}, rank = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = rows[i];
        while (v) {
            const int top = 31 - __builtin_clz(v);
            if (!basis[top]) { basis[top] = v; rank++; break; }
            v ^= basis[top];
        }
    }
    return rank;
}

uint64_t fx_block_counts(const uint8_t *bits, size_t n, unsigned k, uint64_t *counts)
{
    if (k < 1 || k > FX_BLOCK_BITS_MAX) return 0;
    for (size_t v = 0; v < ((size_t)1 << k); v++) counts[v] = 0;
    const size_t nb = n / k;
    for (size_t i = 0; i < nb; i++) {
        uint32_t v = 0;
        for (unsigned b = 0; b < k; b++) v |= (uint32_t)(bits[i * k + b] != 0) << b;
        counts[v]++;
    }
    return nb;
}

double fx_entropy_bits(const uint64_t *counts, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += counts[i];
    double h = 0;
    for (size_t i = 0; i < n; i++)
        if (counts[i]) {
            const double p = (double)counts[i] / (double)total;
            h -= p * log2(p);
        }
    return h;
}

typedef struct { uint64_t count; uint32_t sym; } sym_count;

/* Leaves in ascending (count, symbol) order. */
static int by_count(const void *a, const void *b)
{
    const sym_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? -1 : 1;
    return x->sym < y->sym ? -1 : x->sym > y->sym;
}

uint64_t fx_huffman_lengths(const uint64_t *counts, size_t n, uint8_t *len)
{
    sym_count *leaf = malloc((n + 1) * sizeof *leaf);
    uint32_t *parent = malloc((2 * n + 1) * sizeof *parent);
    uint64_t *w = malloc((2 * n + 1) * sizeof *w);
    uint8_t *depth = malloc(2 * n + 1);
    if (!leaf || !parent || !w || !depth) { free(leaf); free(parent); free(w); free(depth); return UINT64_MAX; }
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        len[i] = 0;
        if (counts[i]) leaf[nl++] = (sym_count){counts[i], (uint32_t)i};
    }
    uint64_t total = 0;
    if (nl == 1) { len[leaf[0].sym] = 1; total = leaf[0].count; }
    if (nl >= 2) {
        qsort(leaf, nl, sizeof *leaf, by_count);
        /* nodes 0..nl-1: the sorted leaves; nl..2nl-2: internal nodes, created in non-decreasing weight
         * (the two-queue method: the next smallest is the front of the leaves or of the internal nodes) */
        for (size_t i = 0; i < nl; i++) w[i] = leaf[i].count;
        size_t ql = 0, qi = nl, next = nl;
        while (next < 2 * nl - 1) {
            size_t pick[2];
            for (int t = 0; t < 2; t++)
                pick[t] = ql < nl && (qi >= next || w[ql] <= w[qi]) ? ql++ : qi++;
            w[next] = w[pick[0]] + w[pick[1]];
            parent[pick[0]] = parent[pick[1]] = (uint32_t)next;
            next++;
        }
        depth[2 * nl - 2] = 0;
        for (size_t v = 2 * nl - 2; v-- > 0;) depth[v] = (uint8_t)(depth[parent[v]] + 1);
        for (size_t i = 0; i < nl; i++) {
            len[leaf[i].sym] = depth[i];
            total += leaf[i].count * depth[i];
        }
    }
    free(leaf); free(parent); free(w); free(depth);
    return total;
}
