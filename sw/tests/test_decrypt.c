/* SPDX-License-Identifier: Apache-2.0 */
/* M⊕ generation and XOR decryption: GF(2) linearity, identity bypass, bit-sliced == per-bit oracle,
 * determinism, row weights and column coverage, and the generator against an independent transcription
 * of docs/contract.md §2. */
#include "test_util.h"
#include "flexor/rng.h"
#include "flexor/decrypt.h"
#include "flexor/model.h"
#include "flexor/model_random.h"

/* The contract's generator written out again, independently of sw/src/mxor.c. */
static int contract_generate(uint64_t seed, uint32_t n_in, uint32_t n_out, uint32_t n_tap, uint32_t *rows)
{
    uint64_t state = seed ^ ((uint64_t)n_out << 48) ^ ((uint64_t)n_in << 32) ^ ((uint64_t)n_tap << 24);
    uint64_t comb = 1;
    for (uint32_t i = 0; i < n_tap; i++) comb = comb * (n_in - i) / (i + 1);
    for (int attempt = 0; attempt < 10000; attempt++) {
        for (uint32_t i = 0; i < n_out; i++) {
        again:;
            uint32_t mask = 0, ones = 0;
            while (ones < n_tap) {
                state += 0x9E3779B97F4A7C15ull;
                uint64_t z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                z ^= z >> 31;
                uint32_t t = (uint32_t)(z >> 32) % n_in;
                if (!(mask & (1u << t))) { mask |= 1u << t; ones++; }
            }
            if (comb >= n_out)
                for (uint32_t r = 0; r < i; r++)
                    if (rows[r] == mask) goto again;
            rows[i] = mask;
        }
        uint32_t used = 0;
        for (uint32_t i = 0; i < n_out; i++) used |= rows[i];
        if ((uint64_t)n_out * n_tap < n_in || used == (n_in == 32 ? 0xFFFFFFFFu : (1u << n_in) - 1)) return 0;
    }
    return -1;
}

static void check_matrix(const fx_mxor *mx, uint64_t seed)
{
    fx_mxor again;
    CHECK(!fx_mxor_generate(seed, mx->n_in, mx->n_out, mx->n_tap, &again) && !memcmp(&again, mx, sizeof again),
          "n_in %u: a second generation differs", mx->n_in);
    uint32_t used = 0, indep[FX_NOUT_MAX];
    for (uint32_t i = 0; i < mx->n_out; i++) {
        CHECK((uint32_t)__builtin_popcount(mx->row[i]) == mx->n_tap, "n_in %u row %u has %d ones", mx->n_in, i,
              __builtin_popcount(mx->row[i]));
        CHECK(mx->row[i] >> mx->n_in == 0, "n_in %u row %u uses a stored bit >= n_in", mx->n_in, i);
        used |= mx->row[i];
    }
    if ((uint64_t)mx->n_out * mx->n_tap >= mx->n_in)
        CHECK(used == (mx->n_in == 32 ? 0xFFFFFFFFu : (1u << mx->n_in) - 1), "n_in %u: column unused (0x%x)", mx->n_in, used);
    CHECK(!contract_generate(seed, mx->n_in, mx->n_out, mx->n_tap, indep), "independent generator failed");
    for (uint32_t i = 0; i < mx->n_out; i++)
        CHECK(indep[i] == mx->row[i], "n_in %u row %u: 0x%x, the contract's text gives 0x%x", mx->n_in, i, mx->row[i], indep[i]);
}

static void check_decrypt(const fx_mxor *mx, uint64_t *rng)
{
    const uint32_t in_mask = mx->n_in == 32 ? 0xFFFFFFFFu : (1u << mx->n_in) - 1;
    uint32_t x[300], y[300], xy[300], dx[300], dy[300], dxy[300];
    for (size_t n = 1; n <= 300; n += 37) { /* counts around and across the 64-slice blocks */
        for (size_t k = 0; k < n; k++) {
            x[k] = (uint32_t)fx_splitmix64(rng) & in_mask;
            y[k] = (uint32_t)fx_splitmix64(rng) & in_mask;
            xy[k] = x[k] ^ y[k];
        }
        fx_decrypt_slices(mx, x, dx, n);
        fx_decrypt_slices(mx, y, dy, n);
        fx_decrypt_slices(mx, xy, dxy, n);
        for (size_t k = 0; k < n; k++) {
            CHECK(dx[k] == fx_decrypt_slice(mx, x[k]), "n_in %u n=%zu slice %zu: bit-sliced 0x%x, oracle 0x%x", mx->n_in, n,
                  k, dx[k], fx_decrypt_slice(mx, x[k]));
            CHECK(dxy[k] == (dx[k] ^ dy[k]), "n_in %u: dec(x^y) != dec(x)^dec(y)", mx->n_in);
            CHECK(dx[k] >> mx->n_out == 0, "n_in %u: decrypted bits above n_out", mx->n_in);
        }
    }
    /* each stored unit vector decrypts to the column of M⊕ */
    for (uint32_t j = 0; j < mx->n_in; j++) {
        uint32_t col = 0;
        for (uint32_t i = 0; i < mx->n_out; i++) col |= ((mx->row[i] >> j) & 1) << i;
        CHECK(fx_decrypt_slice(mx, 1u << j) == col, "n_in %u: unit vector %u", mx->n_in, j);
    }
}

int main(void)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    uint64_t rng = 12345;
    for (uint32_t k = 0; k < cfg->n_in_count; k++) {
        fx_mxor mx;
        CHECK(!fx_layer_mxor(cfg, FX_F_ENCRYPTED, cfg->n_in[k], &mx), "no matrix for N_in %u", cfg->n_in[k]);
        CHECK(mx.n_tap == cfg->n_tap && mx.n_in == cfg->n_in[k] && mx.n_out == cfg->n_out, "matrix dims");
        check_matrix(&mx, cfg->seed);
        check_decrypt(&mx, &rng);
    }
    /* N_tap 3 (another configuration's rule set) for every N_in from 3 to N_out */
    for (uint32_t n_in = 3; n_in <= cfg->n_out; n_in++) {
        fx_mxor mx;
        CHECK(!fx_mxor_generate(0xABCDEFull, n_in, cfg->n_out, 3, &mx), "n_tap 3 n_in %u failed", n_in);
        check_matrix(&mx, 0xABCDEFull);
        check_decrypt(&mx, &rng);
    }
    /* identity bypass: unencrypted layers read the stored bits as the weights */
    fx_mxor id;
    CHECK(!fx_layer_mxor(cfg, 0, cfg->n_out, &id), "identity refused");
    for (int k = 0; k < 1000; k++) {
        uint32_t x = (uint32_t)fx_splitmix64(&rng) & ((1u << cfg->n_out) - 1), y;
        fx_decrypt_slices(&id, &x, &y, 1);
        CHECK(y == x && fx_decrypt_slice(&id, x) == x, "identity changed 0x%x", x);
    }
    CHECK(fx_layer_mxor(cfg, 0, cfg->n_out - 1, &id) == -1, "unencrypted with N_in != N_out accepted");
    int has7 = 0;
    for (uint32_t k = 0; k < cfg->n_in_count; k++) has7 |= cfg->n_in[k] == 7;
    CHECK(has7 || fx_layer_mxor(cfg, FX_F_ENCRYPTED, 7, &id) == -1, "N_in 7 accepted without a decryptor");
    CHECK(fx_mxor_generate(1, 4, 20, 5, &id) == -1, "n_tap > n_in accepted");
    return t_report("test_decrypt");
}
