/* SPDX-License-Identifier: Apache-2.0 */
/* infostat.h against independent small cases: hand-made GF(2) matrices, the rank of every M⊕ of the
 * built-in configuration against a brute-force count of its reachable outputs, Huffman codes of
 * distributions whose lengths are known, and a random one against the sum-of-merges cost. */
#include "test_util.h" /* first: it sets the feature macros */
#include "flexor/decrypt.h"
#include "flexor/hwcfg.h"
#include "flexor/infostat.h"
#include "flexor/mxor.h"
#include <math.h>

static void rank_by_hand(void)
{
    const uint32_t id4[] = {1, 2, 4, 8}, tri[] = {0x3, 0x6, 0x5}, zero[] = {0, 0}, dup[] = {0x9, 0x9, 0x9};
    const uint32_t top[] = {0x80000000u, 0x80000001u, 0x1}; /* bit 31 and a dependent third row */
    CHECK(fx_gf2_rank(id4, 4) == 4);
    CHECK(fx_gf2_rank(tri, 3) == 2, "the three edges of a triangle sum to 0");
    CHECK(fx_gf2_rank(zero, 2) == 0);
    CHECK(fx_gf2_rank(dup, 3) == 1);
    CHECK(fx_gf2_rank(top, 3) == 2);
    CHECK(fx_gf2_rank(id4, 0) == 0);
    /* the edges of a cycle on n vertices: n - 1; a path plus one odd-weight row: full rank */
    for (uint32_t n = 2; n <= 32; n++) {
        uint32_t rows[32];
        for (uint32_t i = 0; i < n; i++) rows[i] = (1u << i) | (1u << ((i + 1) % n));
        CHECK(fx_gf2_rank(rows, n) == n - 1, "cycle of %u", n);
        rows[n - 1] = 1u << (n - 1);
        CHECK(fx_gf2_rank(rows, n) == n, "path of %u plus a unit row", n);
    }
}

/* 2^rank = the number of distinct outputs of the decryptor over every stored slice (a bitmap of them). */
static void rank_by_enumeration(void)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    uint8_t *seen = calloc((size_t)1 << (cfg->n_out > 3 ? cfg->n_out - 3 : 0), 1);
    CHECK(seen != NULL);
    if (!seen) return;
    for (uint32_t t = 1; t <= 3; t++)
        for (uint32_t i = 0; i < cfg->n_in_count; i++) {
            fx_mxor m;
            if (fx_mxor_generate(cfg->seed, cfg->n_in[i], cfg->n_out, t, &m)) continue;
            memset(seen, 0, (size_t)1 << (cfg->n_out - 3));
            uint64_t distinct = 0;
            for (uint32_t x = 0; x < (1u << m.n_in); x++) {
                const uint32_t y = fx_decrypt_slice(&m, x);
                distinct += !(seen[y >> 3] >> (y & 7) & 1);
                seen[y >> 3] |= (uint8_t)(1u << (y & 7));
            }
            const uint32_t r = fx_gf2_rank(m.row, m.n_out);
            CHECK(distinct == (1ull << r), "N_in %u N_tap %u: %llu outputs, rank %u", m.n_in, t, (unsigned long long)distinct, r);
            if (t == 2) CHECK(r <= m.n_in - 1, "even N_tap: rows of even weight span at most N_in - 1");
        }
    free(seen);
}

/* Huffman cost = the sum of the weights of the merged nodes (O(n^2), no code lengths). */
static uint64_t merge_cost(const uint64_t *c, size_t n)
{
    uint64_t w[64], cost = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i]) w[k++] = c[i];
    if (k == 1) return w[0];
    while (k > 1) {
        size_t a = 0, b = 1;
        if (w[b] < w[a]) { a = 1; b = 0; }
        for (size_t i = 2; i < k; i++) {
            if (w[i] < w[a]) { b = a; a = i; }
            else if (w[i] < w[b]) b = i;
        }
        const uint64_t s = w[a] + w[b];
        cost += s;
        w[a] = s;
        w[b] = w[--k];
    }
    return cost;
}

static void huffman(void)
{
    uint8_t len[64];
    const uint64_t a[] = {1, 1, 2, 4};
    CHECK(fx_huffman_lengths(a, 4, len) == 14);
    CHECK(len[0] == 3 && len[1] == 3 && len[2] == 2 && len[3] == 1);
    const uint64_t dy[] = {8, 4, 0, 2, 1, 1}; /* dyadic: Huffman = entropy exactly; a zero count gets no code */
    CHECK(fx_huffman_lengths(dy, 6, len) == 30);
    CHECK(len[0] == 1 && len[1] == 2 && len[2] == 0 && len[3] == 3 && len[4] == 4 && len[5] == 4);
    CHECK(fabs(fx_entropy_bits(dy, 6) * 16 - 30) < 1e-9);
    const uint64_t uni[8] = {5, 5, 5, 5, 5, 5, 5, 5};
    CHECK(fx_huffman_lengths(uni, 8, len) == 120);
    for (int i = 0; i < 8; i++) CHECK(len[i] == 3);
    CHECK(fabs(fx_entropy_bits(uni, 8) - 3) < 1e-12);
    const uint64_t one[] = {0, 7, 0};
    CHECK(fx_huffman_lengths(one, 3, len) == 7 && len[1] == 1 && len[0] == 0);
    CHECK(fx_entropy_bits(one, 3) == 0);
    /* random distributions: cost of the sum-of-merges, Kraft sum exactly 1, within one bit of the entropy */
    uint64_t s = 12345;
    for (int trial = 0; trial < 200; trial++) {
        uint64_t c[64], tot = 0;
        const size_t n = 2 + (size_t)(trial % 62);
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            c[i] = (s >> 33) % (trial % 3 ? 1000 : 3); /* some zero counts */
            tot += c[i];
        }
        if (!tot) continue;
        const uint64_t bits = fx_huffman_lengths(c, n, len);
        CHECK(bits == merge_cost(c, n), "trial %d", trial);
        double kraft = 0;
        size_t used = 0;
        for (size_t i = 0; i < n; i++) if (len[i]) { kraft += ldexp(1, -len[i]); used++; }
        if (used > 1) CHECK(fabs(kraft - 1) < 1e-12, "trial %d: Kraft sum %g", trial, kraft);
        const double h = fx_entropy_bits(c, n) * (double)tot;
        CHECK((double)bits >= h - 1e-6 && (double)bits <= h + (double)tot + 1e-6, "trial %d", trial);
    }
}

static void blocks(void)
{
    const uint8_t bits[] = {1, 0, 1, 1, 0, 0, 1};
    uint64_t c[1 << 3];
    CHECK(fx_block_counts(bits, 7, 2, c) == 3, "the tail bit is not a block");
    CHECK(c[0] == 1 && c[1] == 1 && c[2] == 0 && c[3] == 1);
    CHECK(fx_block_counts(bits, 7, 3, c) == 2);
    CHECK(c[5] == 1 && c[1] == 1, "block (1,0,1) = 5, (1,0,0) = 1");
    CHECK(fx_block_counts(bits, 7, 0, c) == 0);
    CHECK(fx_block_counts(bits, 7, FX_BLOCK_BITS_MAX + 1, c) == 0);
    const uint64_t fair[] = {5, 5};
    CHECK(fabs(fx_entropy_bits(fair, 2) - 1) < 1e-12);
}

int main(void)
{
    rank_by_hand();
    rank_by_enumeration();
    huffman();
    blocks();
    return t_report("test_infostat");
}
