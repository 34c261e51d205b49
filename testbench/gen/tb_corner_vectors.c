/* SPDX-License-Identifier: Apache-2.0 */
/* tb-corner-vectors: directed corner cases for testbench/tb_top.sv, as command streams built here by hand
 * (memory images laid out per docs/accelerator.md) with expected results and taps from the
 * command-level C model (sw/src/accel/). Format: see vecdir.h / flexor-vectors.
 *
 * Usage: tb-corner-vectors -o DIR CASE     CASE: allpos allneg alternate act255 kodd qsweep ninout alpha0
 *                                                straddle_om dstbuf outbound backtoback id
 *        tb-corner-vectors -o DIR bench K M N Q N_IN ENC STRADDLE    one streamed RUN of that shape (benchmark)
 * Exit status 0, 2 on bad arguments. */
#define _POSIX_C_SOURCE 200809L
#include "vecdir.h"
#include "flexor/driver.h"
#include "flexor/opt.h"
#include "flexor/rng.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(void) { return fx_xorshift64_u32(&rng); }

enum { W_RANDOM, W_ONES, W_ZEROS, W_ALT };
enum { A_RANDOM, A_255, A_KEEP };
enum { P_RANDOM, P_ALPHA0, P_EXTREME };

typedef struct {
    uint32_t K, M, N, q, nin, enc, strd, relu, dsts, src, dst, shift;
    uint32_t w_base, p_base, s_base, d_base;
    int wpat, apat, ppat;
    int om; /* straddle offset: -1 random per channel, else this value */
} layer;

static const fx_hwcfg *C;
static uint32_t PW, AW;

static void words(vecdir *v, const uint32_t *w, size_t n) { vd_words(v, w, n); }

static void load_hdr(vecdir *v, uint32_t op, uint32_t tgt, uint32_t addr, uint32_t count)
{
    uint32_t h[3] = {op << 24 | tgt, addr, count};
    words(v, h, 3);
}

static layer base(uint32_t K, uint32_t M, uint32_t N, uint32_t q)
{
    layer l = {0};
    l.K = K; l.M = M; l.N = N; l.q = q; l.nin = C->n_out; l.relu = 0; l.dsts = 1; l.shift = 6; l.om = -1;
    return l;
}

/* Loads the layer's weights, parameters and (unless A_KEEP) activations, then RUNs it. */
static void emit(vecdir *v, const layer *l)
{
    const uint32_t NO = C->n_out, L = C->lanes;
    const uint32_t CH = (l->K + NO - 1) / NO, S = CH + l->strd, G = (l->M + L - 1) / L;
    for (uint32_t lane = 0; lane < L && lane < l->M; lane++) {
        uint32_t n = G * l->q * S;
        load_hdr(v, FX_OP_LOAD_W, lane, l->w_base, n);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t w = rnd(); /* upper bits beyond N_in / N_out must be ignored */
            if (l->wpat == W_ONES) w = ~0u;
            else if (l->wpat == W_ZEROS) w = 0;
            else if (l->wpat == W_ALT) w = (k & 1) ? 0xAAAAAAAAu : 0x55555555u;
            words(v, &w, 1);
        }
        load_hdr(v, FX_OP_LOAD_P, lane, l->p_base, G);
        for (uint32_t g = 0; g < G; g++) {
            uint32_t p[16] = {0};
            p[0] = (uint32_t)((int32_t)(rnd() % 20001) - 10000);
            for (uint32_t i = 0; i < l->q; i++) {
                uint16_t a = (uint16_t)(rnd() % 601 - 300);
                if (l->ppat == P_ALPHA0) a = 0;
                if (l->ppat == P_EXTREME) a = (i + g + lane) & 1 ? 0x8000 : 0x7FFF;
                p[1 + i / 2] |= (uint32_t)a << (16 * (i & 1));
            }
            if (l->ppat != P_RANDOM) p[0] = (g + lane) & 1 ? 0x80000000u : 0x7FFFFFFFu;
            uint32_t m = g * L + lane;
            p[PW - 1] = l->strd ? (l->om >= 0 ? (uint32_t)l->om : (m * l->K) % NO) : 0;
            words(v, p, PW);
        }
    }
    if (l->apat != A_KEEP) {
        load_hdr(v, FX_OP_LOAD_A, l->src, l->s_base, l->N * CH);
        for (uint32_t c = 0; c < l->N * CH; c++) {
            uint8_t b[32 * 4] = {0};
            for (uint32_t i = 0; i < NO; i++) {
                uint32_t pos = (c % CH) * NO + i;
                b[i] = pos >= l->K ? 0 : l->apat == A_255 ? 255 : (uint8_t)rnd();
            }
            for (uint32_t w = 0; w < AW; w++) {
                uint32_t x = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 | (uint32_t)b[4 * w + 2] << 16 |
                             (uint32_t)b[4 * w + 3] << 24;
                words(v, &x, 1);
            }
        }
    }
    uint32_t fl = l->q | l->nin << 4 | l->enc << 10 | l->strd << 11 | l->relu << 12 | l->dsts << 13 | l->src << 14 |
                  l->dst << 15 | l->shift << 16;
    uint32_t run[9] = {(uint32_t)FX_OP_RUN << 24, l->K, l->M, l->N, fl, l->w_base, l->p_base, l->s_base, l->d_base};
    words(v, run, 9);
    if (l->dsts) vd_results(v, (size_t)l->N * l->M);
}

static uint32_t enc_nin(uint32_t k) { return C->n_in[k % C->n_in_count]; }

static const char USAGE[] =
    "usage: tb-corner-vectors -o DIR CASE\n"
    "       tb-corner-vectors -o DIR bench K M N Q N_IN ENC STRADDLE   one streamed RUN of that shape\n"
    "  CASE: allpos allneg alternate act255 kodd qsweep ninout alpha0 straddle_om dstbuf outbound backtoback id\n"
    "  Writes a vector directory in flexor-vectors' format (docs/vectors.md) into DIR.\n";

static int bad(const char *what)
{
    fprintf(stderr, "tb-corner-vectors: %s (tb-corner-vectors --help)\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *cs = NULL;
    uint32_t bench[7];
    int nb = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { fputs(USAGE, stdout); return 0; }
        if (!strcmp(argv[i], "-o") && i + 1 < argc) dir = argv[++i];
        else if (argv[i][0] == '-') return bad("unknown option");
        else if (!cs) cs = argv[i];
        else if (!strcmp(cs, "bench") && nb < 7) {
            if (fx_parse_u32(argv[i], 0, UINT32_MAX, &bench[nb++])) return bad("bench takes 7 unsigned numbers");
        } else return bad("too many arguments");
    }
    if (cs && !strcmp(cs, "bench") && nb != 7) return bad("bench takes K M N Q N_IN ENC STRADDLE");
    if (!dir || !cs) return bad("expected -o DIR and a CASE");
    C = fx_hwcfg_builtin();
    fx_widths wd = fx_hwcfg_widths(C);
    PW = wd.p_words; AW = wd.a_words;
    const uint32_t NO = C->n_out, L = C->lanes, Q = C->q_max;
    vecdir *v = vd_new(C);
    layer l;

    if (!strcmp(cs, "bench")) {
        l = base(bench[0], bench[1], bench[2], bench[3]);
        l.nin = bench[4]; l.enc = bench[5]; l.strd = bench[6]; l.relu = 1;
        emit(v, &l);
    } else if (!strcmp(cs, "allpos") || !strcmp(cs, "allneg")) {
        /* every weight +1 (or -1) against activations 255: the largest |psum| and |acc| */
        l = base(20 * NO, L, 2, Q);
        l.wpat = !strcmp(cs, "allpos") ? W_ONES : W_ZEROS; l.apat = A_255; l.ppat = P_EXTREME; l.shift = 0;
        emit(v, &l);
        l.relu = 1; l.shift = 20; l.enc = 1; l.nin = enc_nin(0);
        emit(v, &l);
    } else if (!strcmp(cs, "alternate")) {
        l = base(7 * NO + 3, L + 3, 2, 2);
        l.wpat = W_ALT;
        emit(v, &l);
        l.wpat = W_ALT; l.enc = 1; l.nin = enc_nin(1); l.strd = 1;
        emit(v, &l);
    } else if (!strcmp(cs, "act255")) {
        /* K = K_MAX, q = Q_MAX, extreme alpha and bias: the widest accumulator and scaled sum */
        l = base(C->k_max, L, 1, Q);
        l.apat = A_255; l.ppat = P_EXTREME; l.shift = 0; l.wpat = W_ONES;
        emit(v, &l);
        l.wpat = W_RANDOM; l.enc = 1; l.nin = enc_nin(2); l.shift = 39;
        emit(v, &l);
    } else if (!strcmp(cs, "kodd")) {
        /* K not a multiple of N_out, K < N_out, K = 1; M not a multiple of LANES; back to back */
        const uint32_t ks[] = {1, NO - 1, NO + 1, 3 * NO + 7, 61};
        for (unsigned i = 0; i < sizeof ks / sizeof *ks; i++) {
            l = base(ks[i], 1 + rnd() % (2 * L + 3), 1 + i % 3, 1 + i % Q);
            l.enc = i & 1; l.nin = l.enc ? enc_nin(i) : NO; l.strd = (i >> 1) & 1;
            emit(v, &l);
        }
    } else if (!strcmp(cs, "qsweep")) {
        for (uint32_t q = 1; q <= Q; q++) {
            l = base(2 * NO + 5, L - 1 + q, 2, q);
            l.enc = 1; l.nin = enc_nin(q); l.relu = q & 1; l.shift = 4 + q;
            emit(v, &l);
        }
    } else if (!strcmp(cs, "ninout")) {
        /* every configured N_in (including N_in = N_out when configured), and the bypass */
        for (uint32_t k = 0; k <= C->n_in_count; k++) {
            l = base(3 * NO, L + 1, 1, 2);
            l.enc = k < C->n_in_count; l.nin = l.enc ? C->n_in[k] : NO; l.strd = k & 1;
            emit(v, &l);
        }
    } else if (!strcmp(cs, "alpha0")) {
        l = base(2 * NO, L, 2, Q);
        l.ppat = P_ALPHA0; l.shift = 0;
        emit(v, &l);  /* RAW: exactly the bias, INT32_MIN / INT32_MAX */
        l.relu = 1;
        emit(v, &l);  /* RELU: 0 / 255 */
    } else if (!strcmp(cs, "straddle_om")) {
        const int oms[] = {0, 1, (int)NO - 1, -1};
        for (unsigned i = 0; i < 4; i++) {
            l = base(2 * NO + 3 + i, L + 2, 2, 1 + i % Q);
            l.strd = 1; l.om = oms[i]; l.enc = i != 2; l.nin = l.enc ? enc_nin(i) : NO;
            emit(v, &l);
        }
    } else if (!strcmp(cs, "dstbuf")) {
        /* RELU results into buffer 1 (pre-filled with 0xFF so missing zero padding shows), M not a multiple of
         * N_out nor of LANES; then a RUN reading them back streams the check */
        uint32_t M1 = 2 * NO - 3 < 2 * L + 5 ? 2 * L + 5 : 2 * NO - 3;
        if (M1 > L * C->pmem_depth / 2) M1 = L * C->pmem_depth / 2; /* small configurations */
        const uint32_t N = 3, CHo = (M1 + NO - 1) / NO;
        load_hdr(v, FX_OP_LOAD_A, 1, 0, N * CHo + 4);
        for (uint32_t i = 0; i < (N * CHo + 4) * AW; i++) { uint32_t x = ~0u; words(v, &x, 1); }
        l = base(NO + 7, M1, N, 2);
        l.relu = 1; l.dsts = 0; l.src = 0; l.dst = 1; l.d_base = 0; l.shift = 8;
        emit(v, &l);
        layer r = base(M1, L + 5, N, 1);
        r.src = 1; r.s_base = 0; r.apat = A_KEEP; r.w_base = C->wmem_depth / 2; r.p_base = C->pmem_depth / 2;
        emit(v, &r);
        /* and once more with a straddled second layer at other bases */
        l.d_base = 7; l.dst = 1; l.w_base = C->wmem_depth / 4;
        emit(v, &l);
        r.s_base = 7; r.strd = 1;
        emit(v, &r);
    } else if (!strcmp(cs, "outbound")) {
        /* one chunk per plane, many channels: the serialiser is the bottleneck and the pipeline stalls */
        l = base(5, 6 * L + 1, 6, 1);
        emit(v, &l);
        l.relu = 1; l.dsts = 0; l.dst = 1;
        emit(v, &l);
    } else if (!strcmp(cs, "backtoback")) {
        uint32_t clr = (uint32_t)FX_OP_CLEAR_COUNTERS << 24;
        for (unsigned i = 0; i < 6; i++) {
            l = base(1 + rnd() % (4 * NO), 1 + rnd() % (3 * L), 1 + rnd() % 3, 1 + rnd() % Q);
            l.enc = rnd() & 1; l.nin = l.enc ? enc_nin(rnd()) : NO; l.strd = rnd() & 1; l.relu = rnd() & 1;
            l.apat = i == 3 ? A_KEEP : A_RANDOM; l.shift = rnd() % 16;
            if (i == 3) l.K = 1; /* reuses buffer 0 as it is */
            emit(v, &l);
            if (i == 2) words(v, &clr, 1);
        }
    } else if (!strcmp(cs, "id")) {
        /* ID (its target ignored) first, right behind a streaming RUN's last word, after CLEAR_COUNTERS and
         * twice in a row: each time the interface version and this configuration's hash, out_last on the
         * second word */
        const uint32_t id = (uint32_t)FX_OP_ID << 24 | 0xABCDEF, clr = (uint32_t)FX_OP_CLEAR_COUNTERS << 24;
        words(v, &id, 1); vd_results(v, FX_ID_WORDS);
        l = base(2 * NO + 1, L + 3, 2, 2);
        emit(v, &l);
        words(v, &id, 1); vd_results(v, FX_ID_WORDS);
        words(v, &clr, 1);
        words(v, &id, 1); vd_results(v, FX_ID_WORDS);
        words(v, &id, 1); vd_results(v, FX_ID_WORDS);
        emit(v, &l);
    } else {
        fprintf(stderr, "tb-corner-vectors: unknown case '%s'\n", cs);
        return 2;
    }
    if (vd_error(v)) { fprintf(stderr, "tb-corner-vectors: case %s raised error %u in the C model\n", cs, vd_error(v)); return 2; }
    vd_write(v, dir, cs);
    vd_free(v);
    printf("tb-corner-vectors: %s -> %s\n", cs, dir);
    return 0;
}
