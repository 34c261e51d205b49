/* SPDX-License-Identifier: Apache-2.0 */
/* tb-unit-vectors: block-level test vectors for testbench/tb_units.sv, computed with libflexor
 * (fx_mxor_generate, fx_decrypt_slice, fx_requant) for the built-in (generated) configuration.
 *
 * Usage: tb-unit-vectors OUTDIR      Writes (one record per line, hex words):
 *   dec.hex      sel straddle om prev x expected   (sel: index into the N_in list, N_IN_COUNT = bypass;
 *                expected = dec(x), or bits [om +: N_out] of {dec(x), dec(prev)} when straddle)
 *   requant.hex  t_hi t_lo shift relu expected     (t: SUM_W-bit two's complement in 64 bits)
 *   lane.hex     per case: q CH then P_WORDS-1 parameter words (bias, alpha pairs); per chunk (plane-major)
 *                slice, A_WORDS activation words, psum; per plane acc; then t_hi t_lo
 *   counts.txt   number of records of each file
 * Exit status 0, 2 on error. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/decrypt.h"
#include "flexor/fsutil.h"
#include "flexor/hwcfg.h"
#include "flexor/ref.h"
#include "flexor/rng.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) { return fx_xorshift64_u32(&rng); }

static const char *g_dir;
static FILE *open_out(const char *name, fx_out *o) { return fx_out_open_or_exit(o, "tb-unit-vectors", g_dir, name); }
static void close_out(fx_out *o) { fx_out_commit_or_exit(o, "tb-unit-vectors"); }

static int64_t wrap(int64_t v, uint32_t bits)
{
    uint64_t m = bits >= 64 ? ~0ull : (1ull << bits) - 1, u = (uint64_t)v & m;
    if (bits < 64 && (u >> (bits - 1))) u |= ~m;
    return (int64_t)u;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: tb-unit-vectors OUTDIR\n"
             "  Writes decryptor, requantizer and lane vectors from libflexor for the HDL unit testbenches (docs/rtl.md).");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "tb-unit-vectors: expected OUTDIR (tb-unit-vectors --help)\n");
        return 2;
    }
    g_dir = argv[1];
    if (mkdir(g_dir, 0777) && errno != EEXIST) { fprintf(stderr, "tb-unit-vectors: %s: %s\n", g_dir, strerror(errno)); return 2; }
    const fx_hwcfg *c = fx_hwcfg_builtin();
    const fx_widths w = fx_hwcfg_widths(c);
    const uint32_t NO = c->n_out, mask = NO == 32 ? ~0u : (1u << NO) - 1;
    uint32_t om_range = 1; /* 2^OM_W, the values the RTL's o_m port can hold */
    while (om_range < NO) om_range <<= 1;
    fx_out tmp;
    unsigned n_dec = 0, n_rq = 0, n_lane = 0;

    /* ---- decryptors + realignment ---- */
    FILE *f = open_out("dec.hex", &tmp);
    for (uint32_t e = 0; e <= c->n_in_count; e++) {
        fx_mxor mx;
        uint32_t nin = e < c->n_in_count ? c->n_in[e] : NO;
        if (e < c->n_in_count) {
            if (fx_mxor_generate(c->seed, nin, NO, c->n_tap, &mx)) { fprintf(stderr, "tb-unit-vectors: M⊕ generation failed\n"); return 2; }
        } else {
            fx_mxor_identity(NO, &mx);
        }
        const uint32_t xm = nin == 32 ? ~0u : (1u << nin) - 1;
        for (uint32_t k = 0; k < 300; k++) {
            uint32_t x = rnd() & xm, prev = rnd() & xm;
            if (k < nin) x = 1u << k;          /* every stored bit alone */
            else if (k == nin) x = 0;
            else if (k == nin + 1) x = xm;     /* all ones */
            /* o_m is OM_W = ceil(log2(N_out)) bits wide: offsets >= N_out fill zeros from above */
            uint32_t strd = k >= 100, om = strd ? rnd() % om_range : 0;
            if (k == 100) om = 0;
            if (k == 101) om = NO - 1;
            if (k == 102) om = NO < om_range ? NO : 0;
            if (k == 103) om = om_range - 1;
            uint32_t y = fx_decrypt_slice(&mx, x), yp = fx_decrypt_slice(&mx, prev);
            if (strd) y = (uint32_t)((((uint64_t)y << NO) | yp) >> om) & mask;
            fprintf(f, "%08x %08x %08x %08x %08x %08x\n", e, strd, om, prev, x, y);
            n_dec++;
        }
    }
    close_out(&tmp);

    /* ---- requantizer: ties, saturation, int32 limits, every shift ---- */
    f = open_out("requant.hex", &tmp);
    const int64_t tmax = ((int64_t)1 << (w.sum_w - 1)) - 1, tmin = -tmax - 1;
    for (uint32_t k = 0; k < 2000; k++) {
        uint32_t shift = k % 64, relu = (k / 64) & 1;
        int64_t t;
        switch (k % 7) {
        case 0: t = (int64_t)(((uint64_t)rnd() << 32) | rnd()); break;
        /* exact ties; uint64 arithmetic: shifts up to 63 wrap (two's complement) instead of overflowing */
        case 1: t = shift ? (int64_t)((uint64_t)((int64_t)(rnd() % 600) - 300) * (UINT64_C(1) << shift) + (UINT64_C(1) << (shift - 1))) : (int64_t)rnd() % 600 - 300; break;
        case 2: t = shift ? (int64_t)(-(uint64_t)(rnd() % 600) * (UINT64_C(1) << shift) - (UINT64_C(1) << (shift - 1))) : -1; break;
        case 3: t = (k & 8) ? tmax : tmin; break;
        case 4: t = ((int64_t)255 << (shift < 30 ? shift : 30)) + (int64_t)(rnd() % 5) - 2; break; /* around 255 */
        case 5: t = ((int64_t)INT32_MAX << (shift < 6 ? shift : 6)) + (int64_t)(rnd() % 5) - 2; break; /* int32 limits */
        default: t = -((int64_t)INT32_MAX << (shift < 6 ? shift : 6)) - (int64_t)(rnd() % 5); break;
        }
        t = wrap(t, w.sum_w);
        int32_t y = fx_requant(t, shift, (int)relu);
        fprintf(f, "%08x %08x %08x %08x %08x\n", (uint32_t)((uint64_t)t >> 32), (uint32_t)t, shift, relu, (uint32_t)y);
        n_rq++;
    }
    close_out(&tmp);

    /* ---- lane: add/sub tree, accumulation, alpha scaling, bias (bypass weights) ---- */
    f = open_out("lane.hex", &tmp);
    const uint32_t pw = w.p_words - 1;
    for (uint32_t cs = 0; cs < 60; cs++) {
        uint32_t q = 1 + cs % c->q_max, CH = 1 + rnd() % 12;
        if (cs == 5) CH = (c->k_max + NO - 1) / NO;   /* the longest plane: accumulator range */
        uint32_t par[16] = {0};
        par[0] = rnd();
        int16_t alpha[16];
        for (uint32_t i = 0; i < q; i++) {
            alpha[i] = (int16_t)rnd();
            if (cs % 6 == 1) alpha[i] = 0;                            /* alpha = 0 */
            if (cs % 6 == 2) alpha[i] = i & 1 ? INT16_MIN : INT16_MAX; /* extreme scales */
            par[1 + i / 2] |= (uint32_t)(uint16_t)alpha[i] << (16 * (i & 1));
        }
        if (cs % 6 == 3) par[0] = 0x80000000u;
        fprintf(f, "%08x %08x", q, CH);
        for (uint32_t p = 0; p < pw; p++) fprintf(f, " %08x", par[p]);
        fprintf(f, "\n");
        int64_t t = (int32_t)par[0];
        for (uint32_t i = 0; i < q; i++) {
            int64_t acc = 0;
            for (uint32_t j = 0; j < CH; j++) {
                uint32_t slice = rnd() & mask;
                uint8_t a[32];
                for (uint32_t b = 0; b < NO; b++) a[b] = (uint8_t)rnd();
                switch (cs % 4) { /* all +1 / all -1 with 255, alternating */
                case 1: slice = mask; memset(a, 255, sizeof a); break;
                case 2: slice = 0; memset(a, 255, sizeof a); break;
                case 3: slice = 0x55555555u & mask; break;
                default: break;
                }
                if (cs == 5) { /* K = K_MAX, all 255: the accumulator's full range (positions >= K are 0) */
                    slice = (i & 1) ? 0 : mask;
                    for (uint32_t b = 0; b < NO; b++) a[b] = j * NO + b < c->k_max ? 255 : 0;
                }
                int32_t ps = 0;
                for (uint32_t b = 0; b < NO; b++) ps += (slice >> b & 1) ? a[b] : -(int32_t)a[b];
                acc += ps;
                fprintf(f, "%08x", slice);
                for (uint32_t aw = 0; aw < w.a_words; aw++) {
                    uint32_t v = 0;
                    for (uint32_t b = 0; b < 4 && 4 * aw + b < NO; b++) v |= (uint32_t)a[4 * aw + b] << (8 * b);
                    fprintf(f, " %08x", v);
                }
                fprintf(f, " %08x\n", (uint32_t)ps);
            }
            fprintf(f, "%08x\n", (uint32_t)acc);
            t = wrap(t + (int64_t)alpha[i] * acc, w.sum_w);
        }
        fprintf(f, "%08x %08x\n", (uint32_t)((uint64_t)t >> 32), (uint32_t)t);
        n_lane++;
    }
    close_out(&tmp);

    f = open_out("counts.txt", &tmp);
    fprintf(f, "%u %u %u\n", n_dec, n_rq, n_lane);
    close_out(&tmp);
    printf("tb-unit-vectors: %s: %u decrypt, %u requant, %u lane records\n", g_dir, n_dec, n_rq, n_lane);
    return 0;
}
