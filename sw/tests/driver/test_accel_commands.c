/* SPDX-License-Identifier: Apache-2.0 */
/* The command-level C model on crafted word streams: every error code, LOAD bounds, RUN semantics with
 * results worked out by hand (docs/accelerator.md), counters. Small configuration: N_out 6, 2 lanes. */
#include "dtest.h"
#include "flexor/model_random.h"
#include "flexor/mxor.h"
#include <stdlib.h>
#include <string.h>

enum { NO = 6, LANES = 2, QMAX = 3, KMAX = 40, WMEM = 32, PMEM = 8, AMEM = 16, PW = 4 /* 2 + ceil(3/2) */, AW = 2 };

static fx_hwcfg cfg;

static uint32_t FL(uint32_t q, uint32_t nin, uint32_t enc, uint32_t str, uint32_t relu, uint32_t ds, uint32_t src,
                   uint32_t dst, uint32_t shift)
{
    return q | nin << 4 | enc << 10 | str << 11 | relu << 12 | ds << 13 | src << 14 | dst << 15 | shift << 16;
}
#define PLAIN(q, relu, shift) FL(q, NO, 0, 0, relu, 1, 0, 1, shift)

static void wr(fx_backend *b, const uint32_t *w, size_t n) { CHECK(b->write(b, w, n) == 0, "write failed"); }

static void run(fx_backend *b, uint32_t K, uint32_t M, uint32_t N, uint32_t flags, uint32_t wb, uint32_t pb,
                uint32_t sb, uint32_t db)
{
    uint32_t w[9] = {(uint32_t)FX_OP_RUN << 24, K, M, N, flags, wb, pb, sb, db};
    wr(b, w, 9);
}

static void load_w(fx_backend *b, uint32_t lane, uint32_t addr, const uint32_t *d, uint32_t n)
{
    uint32_t h[3] = {(uint32_t)FX_OP_LOAD_W << 24 | lane, addr, n};
    wr(b, h, 3);
    wr(b, d, n);
}

/* One parameter entry: bias, α[0..q-1], o_m. */
static void load_p(fx_backend *b, uint32_t lane, uint32_t addr, int32_t bias, const int16_t *alpha, uint32_t q,
                   uint32_t o_m)
{
    uint32_t w[3 + PW] = {(uint32_t)FX_OP_LOAD_P << 24 | lane, addr, 1, (uint32_t)bias, 0, 0, o_m};
    for (uint32_t i = 0; i < q; i++) w[4 + i / 2] |= (uint32_t)(uint16_t)alpha[i] << (16 * (i & 1));
    wr(b, w, 3 + PW);
}

/* One chunk of NO bytes into buffer buf at chunk addr (the pad bytes of the last word set to junk,
 * which the model must ignore). */
static void load_a(fx_backend *b, uint32_t buf, uint32_t addr, const uint8_t *bytes)
{
    uint32_t w[3 + AW] = {(uint32_t)FX_OP_LOAD_A << 24 | buf, addr, 1, 0, 0xEEEE0000u};
    for (uint32_t k = 0; k < NO; k++) w[3 + k / 4] |= (uint32_t)bytes[k] << (8 * (k % 4));
    wr(b, w, 3 + AW);
}

static int32_t read1(fx_backend *b)
{
    uint32_t w = 0xDEADBEEF;
    CHECK(b->read(b, &w, 1) == 0, "expected one result word");
    return (int32_t)w;
}

static int fifo_empty(fx_backend *b)
{
    uint32_t w;
    return b->read(b, &w, 1) != 0;
}

static const uint8_t ONE_TO_SIX[NO] = {1, 2, 3, 4, 5, 6};
static const int16_t ALPHA1[1] = {1};

/* The "simple" setup: lane 0 word 0 all +1, entry 0 = (bias 0, α 1), buffer 0 chunk 0 = 1..6: a plain
 * q=1 K=6 M=1 N=1 RUN gives 21. */
static fx_backend *simple(void)
{
    fx_backend *b = fx_accel_model_new(&cfg);
    uint32_t ones = 0x3F;
    load_w(b, 0, 0, &ones, 1);
    load_p(b, 0, 0, 0, ALPHA1, 1, 0);
    load_a(b, 0, 0, ONE_TO_SIX);
    return b;
}
static void simple_run(fx_backend *b) { run(b, NO, 1, 1, PLAIN(1, 0, 0), 0, 0, 0, 0); }

static void test_basic(void)
{
    fx_backend *b = simple();
    simple_run(b);
    CHECK(read1(b) == 21, "all +1 weights: sum of 1..6");
    CHECK(fifo_empty(b), "one word per output");
    uint32_t w = 0xABCDEF07; /* upper bits ignored: pattern 000111 -> +1+2+3-4-5-6 */
    load_w(b, 0, 0, &w, 1);
    simple_run(b);
    CHECK(read1(b) == -9, "negative weights");
    run(b, NO, 1, 1, PLAIN(1, 1, 0), 0, 0, 0, 0);
    CHECK(read1(b) == 0, "ReLU clamps to 0");
    CHECK(b->error(b) == 0, "no error");
    fx_counters c;
    b->counters(b, &c);
    CHECK(c.busy == 3 && c.slices == 3 && c.stall == 0, "busy %llu slices %llu", (unsigned long long)c.busy,
          (unsigned long long)c.slices);
    b->destroy(b);
}

/* Three planes with α 1, -2, 3, bias and round-half-up shifts. */
static void test_planes_requant(void)
{
    fx_backend *b = simple();
    uint32_t ones[3] = {0x3F, 0x3F, 0x3F};
    load_w(b, 0, 4, ones, 3);
    const int16_t al[3] = {1, -2, 3};
    struct { int32_t bias; uint32_t shift, relu; int32_t want; } cases[] = {
        {5, 0, 0, 47},       /* 21·(1-2+3) + 5 */
        {32, 2, 0, 19},      /* t = 74: 18.5 rounds up */
        {-116, 2, 0, -18},   /* t = -74: -18.5 rounds up to -18 */
        {-117, 2, 0, -19},   /* t = -75 */
        {1000, 0, 1, 255},   /* saturation */
        {-100000, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        load_p(b, 0, 2, cases[i].bias, al, 3, 0);
        run(b, NO, 1, 1, PLAIN(3, cases[i].relu, cases[i].shift), 4, 2, 0, 0);
        int32_t y = read1(b);
        CHECK(y == cases[i].want, "planes case %zu: %d, expected %d", i, y, cases[i].want);
    }
    /* a shift as large as the field allows gives 0, not garbage */
    run(b, NO, 1, 1, PLAIN(3, 0, 63), 4, 2, 0, 0);
    CHECK(read1(b) == 0, "shift 63");
    CHECK(b->error(b) == 0, "no error");
    b->destroy(b);
}

/* Output order n-major then m, M not a multiple of the lanes, several groups. */
static void test_order(void)
{
    fx_backend *b = fx_accel_model_new(&cfg);
    const uint32_t M = 5, N = 3; /* G = 3 */
    uint32_t ones[3] = {0x3F, 0x3F, 0x3F};
    for (uint32_t l = 0; l < LANES; l++) load_w(b, l, 0, ones, 3);
    for (uint32_t m = 0; m < M; m++) load_p(b, m % LANES, m / LANES, 100 * (int32_t)m, ALPHA1, 1, 0);
    for (uint32_t n = 0; n < N; n++) {
        uint8_t c[NO];
        memset(c, (int)n + 1, NO);
        load_a(b, 1, 7 + n, c);
    }
    run(b, NO, M, N, FL(1, NO, 0, 0, 0, 1, 1, 0, 0), 0, 0, 7, 0);
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t m = 0; m < M; m++) {
            int32_t y = read1(b);
            CHECK(y == 100 * (int32_t)m + 6 * (int32_t)(n + 1), "out[n=%u][m=%u] = %d", n, m, y);
        }
    CHECK(fifo_empty(b), "N·M words exactly");
    fx_counters c;
    b->counters(b, &c);
    CHECK(c.busy == (uint64_t)N * 3 && c.slices == (uint64_t)N * M, "busy %llu slices %llu", (unsigned long long)c.busy,
          (unsigned long long)c.slices);
    b->destroy(b);
}

typedef struct { uint32_t dec[64]; int32_t psum[64], acc[64]; uint32_t nc, na; } taprec;
static void tc(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    (void)col; (void)m; (void)plane; (void)chunk;
    taprec *t = u;
    if (t->nc < 64) { t->dec[t->nc] = dec; t->psum[t->nc] = psum; }
    t->nc++;
}
static void ta(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    (void)col; (void)m; (void)plane;
    taprec *t = u;
    if (t->na < 64) t->acc[t->na] = acc;
    t->na++;
}

/* Straddle realignment with o_m inside and beyond N_out, aligned ignoring o_m, and decryption. */
static void test_straddle_decrypt(void)
{
    fx_backend *b = simple();
    taprec t;
    fx_taps taps = {.chunk = tc, .acc = ta, .user = &t};
    b->set_taps(b, &taps);
    const uint32_t w0 = 0x2D, w1 = 0x16; /* 101101, 010110 */
    uint32_t words[2] = {w0, w1};
    load_w(b, 1, 10, words, 2);
    const uint32_t oms[] = {0, 1, 3, 5, 6, 9, 31};
    for (size_t k = 0; k < sizeof oms / sizeof oms[0]; k++) {
        uint32_t o = oms[k], want = (uint32_t)((((uint64_t)w1 << NO) | w0) >> o) & 0x3F;
        load_p(b, 1, 5, 0, ALPHA1, 1, o);
        memset(&t, 0, sizeof t);
        /* M = 2: lane 1 holds channel 1; lane 0 (channel 0) reads its word 10, 11 too */
        run(b, NO, 2, 1, FL(1, NO, 0, 1, 0, 1, 0, 1, 0), 10, 5, 0, 0);
        read1(b);
        int32_t y = read1(b), s = 0;
        for (uint32_t i = 0; i < NO; i++) s += (want >> i & 1) ? ONE_TO_SIX[i] : -ONE_TO_SIX[i];
        CHECK(t.nc == 2 && t.dec[1] == want && t.psum[1] == s && y == s && t.na == 2 && t.acc[1] == s,
              "straddle o_m %u: dec %x psum %d y %d, expected %x %d", o, t.dec[1], t.psum[1], y, want, s);
        memset(&t, 0, sizeof t);
        run(b, NO, 2, 1, FL(1, NO, 0, 0, 0, 1, 0, 1, 0), 10, 5, 0, 0); /* aligned: o_m ignored */
        read1(b);
        read1(b);
        CHECK(t.nc == 2 && t.dec[1] == w0, "aligned with o_m %u: dec %x", o, t.dec[1]);
    }
    /* encrypted with N_in 4: decrypted bit i = parity(row[i] & stored) */
    fx_mxor mx;
    CHECK(fx_mxor_generate(cfg.seed, 4, NO, cfg.n_tap, &mx) == 0, "mxor");
    for (uint32_t x = 0; x < 16; x++) {
        uint32_t want = 0, w = x | 0x30; /* stored bits above N_in must not matter */
        for (uint32_t i = 0; i < NO; i++) want |= (uint32_t)__builtin_parity(mx.row[i] & x) << i;
        load_w(b, 0, 0, &w, 1);
        memset(&t, 0, sizeof t);
        run(b, NO, 1, 1, FL(1, 4, 1, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0);
        read1(b);
        CHECK(t.nc == 1 && t.dec[0] == want, "decrypt %x: %x, expected %x", x, t.dec[0], want);
    }
    b->set_taps(b, NULL);
    CHECK(b->error(b) == 0, "no error");
    b->destroy(b);
}

/* Results into a buffer: chunk layout, zero padding above M, then read back by a second RUN. */
static void test_dst_buffer(void)
{
    fx_backend *b = fx_accel_model_new(&cfg);
    const uint32_t M = 10, N = 2, CH_out = 2, G = 5;
    uint32_t ones[G];
    for (uint32_t i = 0; i < G; i++) ones[i] = 0x3F;
    for (uint32_t l = 0; l < LANES; l++) load_w(b, l, 0, ones, G);
    for (uint32_t m = 0; m < M; m++) load_p(b, m % LANES, m / LANES, (int32_t)m, ALPHA1, 1, 0);
    uint8_t junk[NO];
    memset(junk, 0xEE, NO);
    for (uint32_t c = 0; c < N * CH_out; c++) load_a(b, 1, 3 + c, junk);
    for (uint32_t n = 0; n < N; n++) {
        uint8_t c[NO];
        memset(c, (int)n + 1, NO);
        load_a(b, 0, n, c);
    }
    /* y[m][n] = 6(n+1) + m into buffer 1 from chunk 3 */
    run(b, NO, M, N, FL(1, NO, 0, 0, 1, 0, 0, 1, 0), 0, 0, 0, 3);
    CHECK(fifo_empty(b), "dst_stream = 0 sends nothing");
    /* read back: K = 12 (CH 2) all +1 over each column: Σ_m y = 60(n+1) + 45, padding bytes 0 */
    uint32_t ones2[2] = {0x3F, 0x3F};
    load_w(b, 0, 20, ones2, 2);
    load_p(b, 0, 7, 0, ALPHA1, 1, 0);
    run(b, 12, 1, N, FL(1, NO, 0, 0, 0, 1, 1, 0, 0), 20, 7, 3, 0);
    for (uint32_t n = 0; n < N; n++) {
        int32_t y = read1(b);
        CHECK(y == 60 * (int32_t)(n + 1) + 45, "column %u of the buffer sums to %d", n, y);
    }
    CHECK(b->error(b) == 0, "no error %u", b->error(b));
    b->destroy(b);
}

/* A stream that must fail with `code`, produce nothing, and leave later commands working. */
static void expect_error(uint32_t code, const uint32_t *w, size_t n, const char *what)
{
    fx_backend *b = simple();
    fx_counters c0, c1;
    b->counters(b, &c0);
    wr(b, w, n);
    CHECK(b->error(b) == code, "%s: error %u, expected %u", what, b->error(b), code);
    CHECK(fifo_empty(b), "%s: a failing command produced output", what);
    b->counters(b, &c1);
    CHECK(c1.busy == c0.busy && c1.slices == c0.slices, "%s: a failing RUN counted work", what);
    simple_run(b);
    CHECK(read1(b) == 21 && fifo_empty(b), "%s: the next RUN did not execute as expected", what);
    CHECK(b->error(b) == code, "%s: error code not sticky", what);
    b->destroy(b);
}

static void expect_run(uint32_t code, uint32_t K, uint32_t M, uint32_t N, uint32_t flags, uint32_t wb, uint32_t pb,
                       uint32_t sb, uint32_t db, const char *what)
{
    uint32_t w[9] = {(uint32_t)FX_OP_RUN << 24, K, M, N, flags, wb, pb, sb, db};
    if (code) { expect_error(code, w, 9, what); return; }
    fx_backend *b = simple();
    wr(b, w, 9);
    CHECK(b->error(b) == 0, "%s: error %u, expected none", what, b->error(b));
    b->destroy(b);
}

static void test_errors(void)
{
    /* 1: unknown opcodes consume only their own word */
    const uint32_t ops[] = {0x00000000u, 0x08000000u, 0xFF123456u, 0x00000001u};
    for (size_t i = 0; i < 4; i++) expect_error(1, &ops[i], 1, "unknown opcode");
    /* 2: shape */
    const uint32_t F = PLAIN(1, 0, 0);
    expect_run(2, NO, 1, 1, PLAIN(0, 0, 0), 0, 0, 0, 0, "q = 0");
    expect_run(2, NO, 1, 1, PLAIN(QMAX + 1, 0, 0), 0, 0, 0, 0, "q > q_max");
    expect_run(2, 0, 1, 1, F, 0, 0, 0, 0, "K = 0");
    expect_run(2, KMAX + 1, 1, 1, F, 0, 0, 0, 0, "K > k_max");
    expect_run(0, KMAX, 1, 1, F, 0, 0, 0, 0, "K = k_max");
    expect_run(2, NO, 0, 1, F, 0, 0, 0, 0, "M = 0");
    expect_run(2, NO, 1, 0, F, 0, 0, 0, 0, "N = 0");
    /* 3: decryptor */
    expect_run(3, NO, 1, 1, FL(1, 5, 1, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0, "encrypted N_in 5");
    expect_run(3, NO, 1, 1, FL(1, 0, 1, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0, "encrypted N_in 0");
    expect_run(3, NO, 1, 1, FL(1, 4, 0, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0, "plain N_in 4");
    expect_run(0, NO, 1, 1, FL(1, 4, 1, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0, "encrypted N_in 4");
    expect_run(0, NO, 1, 1, FL(1, NO, 1, 0, 0, 1, 0, 1, 0), 0, 0, 0, 0, "encrypted N_in N_out");
    /* 4: addresses. K = 13: CH 3; M = 3: G 2; q = 2; straddle: S 4 -> 16 words per lane */
    const uint32_t F4 = FL(2, NO, 0, 1, 1, 1, 0, 1, 0), F4d = FL(2, NO, 0, 1, 1, 0, 0, 1, 0);
    expect_run(0, 13, 3, 2, F4, WMEM - 16, PMEM - 2, AMEM - 6, 0, "ranges exactly full");
    expect_run(4, 13, 3, 2, F4, WMEM - 15, 0, 0, 0, "weights one past");
    expect_run(4, 13, 3, 2, F4, 0xFFFFFFF0u, 0, 0, 0, "weights wrapping");
    expect_run(4, 13, 3, 2, F4, 0, PMEM - 1, 0, 0, "parameters one past");
    expect_run(4, 13, 3, 2, F4, 0, 0, AMEM - 5, 0, "source one past");
    expect_run(0, 13, 3, 2, F4, 0, 0, 0, 0xFFFFFFFFu, "destination unused when streaming");
    expect_run(0, 13, 3, 2, F4d, 0, 0, 0, AMEM - 2, "destination exactly full"); /* CH_out 1 */
    expect_run(4, 13, 3, 2, F4d, 0, 0, 0, AMEM - 1, "destination one past");
    /* 5: flags */
    expect_run(5, NO, 1, 1, FL(1, NO, 0, 0, 0, 0, 0, 1, 0), 0, 0, 0, 0, "raw into a buffer");
    expect_run(5, NO, 1, 1, FL(1, NO, 0, 0, 1, 0, 1, 1, 0), 0, 0, 0, 0, "a_src = a_dst");
    expect_run(0, NO, 1, 1, FL(1, NO, 0, 0, 1, 1, 1, 1, 0), 0, 0, 0, 0, "a_src = a_dst when streaming");
    expect_run(5, NO, 1, 1, F | 1u << 22, 0, 0, 0, 0, "reserved bit 22");
    expect_run(5, NO, 1, 1, F | 1u << 31, 0, 0, 0, 0, "reserved bit 31");
    /* several causes: the lowest code */
    expect_run(2, 0, 1, 1, FL(1, 5, 1, 0, 0, 1, 0, 1, 0) | 1u << 22, WMEM, 0, 0, 0, "2+3+4+5");
    expect_run(3, NO, 1, 1, FL(1, 5, 1, 0, 0, 1, 0, 1, 0) | 1u << 22, WMEM, 0, 0, 0, "3+4+5");
    expect_run(4, NO, 1, 1, F | 1u << 22, WMEM, 0, 0, 0, "4+5");
    /* a RUN's target is ignored */
    uint32_t tr[9] = {(uint32_t)FX_OP_RUN << 24 | 0x123456, NO, 1, 1, F, 0, 0, 0, 0};
    fx_backend *b = simple();
    wr(b, tr, 9);
    CHECK(read1(b) == 21 && b->error(b) == 0, "RUN target ignored");
    b->destroy(b);
}

/* 6: LOADs out of range consume their data words (which here look like commands) and write nothing. */
static void test_load_bounds(void)
{
    uint32_t data[16];
    const uint32_t cmd_like[9] = {(uint32_t)FX_OP_RUN << 24, NO, 1, 1, PLAIN(1, 0, 0), 0, 0, 0, 0};
    for (int i = 0; i < 16; i++) data[i] = cmd_like[i % 9];
    struct { uint32_t op, target, addr, count, per; const char *what; } bad[] = {
        {FX_OP_LOAD_W, LANES, 0, 9, 1, "LOAD_W lane out of range"},
        {FX_OP_LOAD_W, 0, WMEM, 1, 1, "LOAD_W at depth"},
        {FX_OP_LOAD_W, 0, WMEM - 1, 2, 1, "LOAD_W straddling the end"},
        {FX_OP_LOAD_W, 0, 0xFFFFFFFFu, 2, 1, "LOAD_W address wrap"},
        {FX_OP_LOAD_P, LANES, 0, 2, PW, "LOAD_P lane out of range"},
        {FX_OP_LOAD_P, 0, PMEM - 1, 2, PW, "LOAD_P past the end"},
        {FX_OP_LOAD_A, 2, 0, 4, AW, "LOAD_A buffer 2"},
        {FX_OP_LOAD_A, 0, AMEM - 3, 4, AW, "LOAD_A past the end"},
        {FX_OP_LOAD_A, 0x800001, 0, 1, AW, "LOAD_A high target bits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t w[3 + 16] = {bad[i].op << 24 | bad[i].target, bad[i].addr, bad[i].count};
        uint32_t n = bad[i].count * bad[i].per;
        memcpy(w + 3, data, n * sizeof *w);
        expect_error(6, w, 3 + n, bad[i].what);
    }
    /* nothing written: the simple setup's memories survive loads overlapping them */
    fx_backend *b = simple();
    uint32_t w2[3 + 2] = {(uint32_t)FX_OP_LOAD_W << 24, WMEM - 1, 2, 0, 0};
    wr(b, w2, 5);
    uint32_t w3[3 + 2] = {(uint32_t)FX_OP_LOAD_W << 24, 0xFFFFFFFFu, 2, 0, 0}; /* would wrap onto word 0 */
    wr(b, w3, 5);
    uint32_t w4[3 + 2 * AW] = {(uint32_t)FX_OP_LOAD_A << 24, 0xFFFFFFFFu, 2, 0, 0, 0, 0};
    wr(b, w4, 3 + 2 * AW);
    simple_run(b);
    CHECK(read1(b) == 21, "a failed LOAD wrote memory");
    /* the last words of every memory are reachable; count 0 at the end is no error */
    uint32_t last = 0x3F;
    load_w(b, 1, WMEM - 1, &last, 1);
    load_p(b, 1, PMEM - 1, 0, ALPHA1, 1, 0);
    load_a(b, 1, AMEM - 1, ONE_TO_SIX);
    uint32_t z[3] = {(uint32_t)FX_OP_LOAD_A << 24 | 1, AMEM, 0};
    wr(b, z, 3);
    CHECK(b->error(b) == 6, "sticky first error");
    fx_backend *c = fx_accel_model_new(&cfg);
    load_w(c, 1, WMEM - 1, &last, 1);
    load_p(c, 1, PMEM - 1, 0, ALPHA1, 1, 0);
    load_a(c, 1, AMEM - 1, ONE_TO_SIX);
    wr(c, z, 3);
    CHECK(c->error(c) == 0, "loads at the end of memory: error %u", c->error(c));
    uint32_t zero = 0;
    load_w(c, 0, WMEM - 1, &zero, 1);
    load_p(c, 0, PMEM - 1, 0, ALPHA1, 1, 0);
    run(c, NO, 2, 1, FL(1, NO, 0, 0, 0, 1, 1, 0, 0), WMEM - 1, PMEM - 1, AMEM - 1, 0);
    CHECK(read1(c) == -21 && read1(c) == 21, "RUN at the memory ends");
    /* sticky: a later, different error keeps the first code */
    uint32_t bad_op = 0x09000000u;
    wr(c, &bad_op, 1);
    CHECK(c->error(c) == 1, "first error 1");
    run(c, 0, 1, 1, PLAIN(1, 0, 0), 0, 0, 0, 0);
    CHECK(c->error(c) == 1, "still 1 after a code-2 RUN");
    b->destroy(b);
    c->destroy(c);
}

static void test_counters_read(void)
{
    fx_backend *b = simple();
    simple_run(b);
    /* straddle K = 13: CH 3, S 4; M 3 (G 2); q 2; N 2: busy 2·2·2·4 = 32, slices 2·2·3·3 = 36 */
    run(b, 13, 3, 2, FL(2, NO, 0, 1, 1, 1, 0, 1, 0), 0, 0, 0, 0);
    fx_counters c;
    b->counters(b, &c);
    CHECK(c.busy == 1 + 32 && c.slices == 1 + 36, "busy %llu slices %llu", (unsigned long long)c.busy,
          (unsigned long long)c.slices);
    uint64_t cyc = c.cycles;
    CHECK(cyc >= c.busy, "cycles %llu", (unsigned long long)cyc);
    uint32_t clr = (uint32_t)FX_OP_CLEAR_COUNTERS << 24 | 0x42; /* target ignored */
    wr(b, &clr, 1);
    b->counters(b, &c);
    CHECK(c.busy == 0 && c.slices == 0 && c.stall == 0 && c.cycles >= cyc, "CLEAR_COUNTERS: busy %llu cycles %llu",
          (unsigned long long)c.busy, (unsigned long long)c.cycles);
    uint32_t w[8];
    CHECK(b->read(b, w, 8) == -1, "reading more words than exist fails");
    CHECK(b->error(b) == 0, "no error");
    b->destroy(b);
}

/* ID: two words (interface version, this configuration's hash), target ignored, no error, anywhere in the
 * stream; the driver refuses a model stamped with another configuration's hash before loading anything. */
static void test_id(void)
{
    fx_backend *b = simple();
    const uint32_t id = (uint32_t)FX_OP_ID << 24 | 0x00ABCD;
    const uint32_t want0 = (uint32_t)FX_ID_MAGIC << 16 | FX_IF_MAJOR << 8 | FX_IF_MINOR;
    uint32_t w[2] = {0, 0};
    wr(b, &id, 1);
    CHECK(b->read(b, w, 2) == 0 && w[0] == want0 && w[1] == fx_hwcfg_hash(&cfg) && fifo_empty(b),
          "ID reply %08x %08x, expected %08x %08x", w[0], w[1], want0, fx_hwcfg_hash(&cfg));
    simple_run(b);
    wr(b, &id, 1);
    CHECK(read1(b) == 21 && b->read(b, w, 2) == 0 && w[1] == fx_hwcfg_hash(&cfg), "ID after a RUN");
    CHECK(b->error(b) == 0, "ID raised error %u", b->error(b));
    fx_hw_id hid;
    char err[256];
    CHECK(fx_driver_identify(b, &hid, err, sizeof err) == 0 && hid.magic == FX_ID_MAGIC && hid.major == FX_IF_MAJOR &&
              hid.minor == FX_IF_MINOR && hid.cfg_hash == fx_hwcfg_hash(&cfg),
          "fx_driver_identify: %s", err);
    b->destroy(b);

    /* the driver: a model of this configuration loads; the same model stamped with another hash does not,
     * and nothing of it reaches the memories (a RUN of the unloaded weights still sees zeros) */
    fx_model m;
    fx_plan plan;
    fx_hwcfg big = *fx_hwcfg_builtin();
    CHECK(fx_model_random(&m, &big, "mlp", 0, 1) == 0 && fx_driver_plan(&big, &m, &plan, err, sizeof err) == 0,
          "mlp: %s", err);
    fx_backend *c = fx_accel_model_new(&big);
    m.cfg_hash ^= 0x5A5A5A5Au;
    CHECK(fx_driver_load(c, &big, &m, &plan, err, sizeof err) == -1 &&
              strstr(err, "accel-model: the hardware's config hash") && strstr(err, "differs from the model's") &&
              !strchr(err, '\n'),
          "foreign model: '%s'", err);
    fx_counters cnt;
    c->counters(c, &cnt);
    CHECK(cnt.cycles == 1, "the refused load sent %llu words, expected only the ID command",
          (unsigned long long)cnt.cycles);
    m.cfg_hash ^= 0x5A5A5A5Au;
    CHECK(fx_driver_load(c, &big, &m, &plan, err, sizeof err) == 0, "own model: %s", err);
    c->destroy(c);
    fx_model_free(&m);
}

int main(void)
{
    static const uint32_t nin[] = {4, NO};
    cfg = dt_cfg(NO, nin, 2, 2, LANES, QMAX, KMAX, WMEM, PMEM, AMEM);
    fx_widths wd = fx_hwcfg_widths(&cfg);
    CHECK(wd.p_words == PW && wd.a_words == AW, "widths: p_words %u a_words %u", wd.p_words, wd.a_words);
    test_basic();
    test_planes_requant();
    test_order();
    test_straddle_decrypt();
    test_dst_buffer();
    test_errors();
    test_load_bounds();
    test_counters_read();
    test_id();
    if (t_report("test_accel_commands")) return 1;
    printf("test_accel_commands: ok\n");
    return 0;
}
