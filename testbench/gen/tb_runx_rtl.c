/* SPDX-License-Identifier: Apache-2.0 */
/* tb_runx_rtl: RUNX (docs/accelerator.md "RUNX") on the Verilated flexor_top (csim/flexor_rtl.h), checked
 * against an independent reference written here from the spec: the column gather (HWC tensor, stride,
 * zero padding, pool-window column order), contract §4 on unencrypted aligned weights, requantization,
 * 2x2 max-pooling, the HWC output tensor (stream words, or the destination words with their zero padding
 * seen on the write tap), every gather tap in order, and the error codes of RUNX's checks. Random shapes
 * from a seed; random stalls on both streams. Usage: tb_runx_rtl [cases] [seed]. Exit 1 on a mismatch. */
#include "flexor_config.h"
#include "flexor_rtl.h"
#include "flexor/hwcfg.h"
#include "flexor/perfmodel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NOUT = FXC_N_OUT, LANES = FXC_LANES };
#define CHMAX ((FXC_K_MAX + NOUT - 1) / NOUT)

static uint64_t rng_state = 1;
static uint32_t rnd(uint32_t n)
{ /* splitmix64, uniform enough for shapes */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return n ? (uint32_t)((z >> 32) % n) : 0;
}

/* ---- the command stream ---- */
typedef struct {
    uint32_t *w;
    size_t n, cap;
} words;
static void put(words *s, uint32_t v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->w = realloc(s->w, s->cap * sizeof *s->w);
        if (!s->w) exit(2);
    }
    s->w[s->n++] = v;
}

/* ---- taps seen ---- */
typedef struct {
    uint32_t a, b;
    uint8_t bytes[NOUT];
} tapent;
typedef struct {
    tapent *e;
    size_t n, cap;
} tapvec;
static tapvec seen_gat, seen_wr;
static void tap_push(tapvec *v, uint32_t a, uint32_t b, const uint8_t *bytes)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 1024;
        v->e = realloc(v->e, v->cap * sizeof *v->e);
        if (!v->e) exit(2);
    }
    v->e[v->n].a = a;
    v->e[v->n].b = b;
    memcpy(v->e[v->n].bytes, bytes, NOUT);
    v->n++;
}
static void on_gather(void *u, uint64_t cyc, uint32_t col, uint32_t chunk, const uint8_t *bytes)
{
    (void)u, (void)cyc;
    tap_push(&seen_gat, col, chunk, bytes);
}
static void on_write(void *u, uint64_t cyc, uint32_t addr, const uint8_t *bytes)
{
    (void)u, (void)cyc;
    tap_push(&seen_wr, addr, 0, bytes);
}

/* ---- one layer ---- */
typedef struct {
    uint32_t C, in_h, in_w, kh, kw, s, p, out_h, out_w, M, q, shift, pool, stream, relu;
    uint32_t a_src_base, a_dst_base, w_base, p_base, a_src, a_dst, straddle;
} layer;

static int32_t requant(int64_t t, uint32_t shift, int relu)
{
    int64_t r = shift >= 63 ? (t < 0 ? -1 : 0) : (t + (shift ? (int64_t)1 << (shift - 1) : 0)) >> shift;
    if (relu) return r < 0 ? 0 : r > 255 ? 255 : (int32_t)r;
    return r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : (int32_t)r;
}

static int perf_exact, perf_checked;

/* Whether a layer fits this configuration's memories (the test adapts to small configurations). */
static int fits(const layer *L)
{
    uint64_t K = (uint64_t)L->C * L->kh * L->kw, CH = (K + NOUT - 1) / NOUT, G = (L->M + LANES - 1) / LANES;
    uint64_t S = CH + (L->straddle ? 1 : 0), ncol = (uint64_t)L->out_h * L->out_w;
    uint64_t Ho = L->pool ? L->out_h / 2 : L->out_h, Wo = L->pool ? L->out_w / 2 : L->out_w;
    uint64_t in_words = ((uint64_t)L->C * L->in_h * L->in_w + NOUT - 1) / NOUT, out_words = (L->M * Ho * Wo + NOUT - 1) / NOUT;
    return K <= FXC_K_MAX && L->q <= FXC_Q_MAX && L->w_base + G * L->q * S <= FXC_WMEM_DEPTH &&
           L->p_base + G <= FXC_PMEM_DEPTH && L->a_src_base + in_words <= FXC_AMEM_DEPTH && ncol <= FXC_AMEM_DEPTH &&
           (L->stream || L->a_dst_base + out_words <= FXC_AMEM_DEPTH);
}

static int run_case(fx_rtl *rtl, const layer *L, int verbose, int stalls)
{
    uint32_t K = L->C * L->kh * L->kw, CH = (K + NOUT - 1) / NOUT, G = (L->M + LANES - 1) / LANES;
    uint32_t ncol = L->out_h * L->out_w, Ho = L->pool ? L->out_h / 2 : L->out_h, Wo = L->pool ? L->out_w / 2 : L->out_w;
    size_t in_bytes = (size_t)L->C * L->in_h * L->in_w, out_elems = (size_t)L->M * Ho * Wo;
    uint8_t *img = calloc(in_bytes ? in_bytes : 1, 1);
    /* plane i's weight bit stream; channel m's bit k at m*CH*N + k (aligned) or m*K + k (straddle) */
    uint32_t S = CH + (L->straddle ? 1 : 0), chan_bits = L->straddle ? K : CH * NOUT;
    uint32_t plane_slices = (L->M * chan_bits + NOUT - 1) / NOUT;
    uint32_t *wt = calloc((size_t)L->q * (plane_slices + 1), 4); /* slice (i, t) of the plane stream */
    int32_t *bias = calloc(L->M, 4), *alpha = calloc((size_t)L->M * L->q, 4);
    uint8_t *cols = calloc((size_t)ncol * CH * NOUT, 1); /* in column order */
    uint32_t *colpos = calloc(ncol, 4);
    int32_t *y = calloc((size_t)ncol * L->M, 4);         /* by position n */
    int32_t *expo = calloc(out_elems ? out_elems : 1, 4);
    words s = {0};
    int bad = 0;
    for (size_t i = 0; i < in_bytes; i++) img[i] = (uint8_t)(rnd(4) ? rnd(256) : 0);
    for (uint32_t i = 0; i < L->q; i++)
        for (uint32_t t = 0; t < plane_slices; t++) wt[(size_t)i * (plane_slices + 1) + t] = rnd(1u << 20) & ((1u << NOUT) - 1);
    for (uint32_t m = 0; m < L->M; m++) {
        bias[m] = (int32_t)rnd(20001) - 10000;
        for (uint32_t i = 0; i < L->q; i++) alpha[m * L->q + i] = (int32_t)rnd(601) - 300;
    }
    /* columns in column order */
    for (uint32_t k = 0; k < ncol; k++) {
        uint32_t oy, ox;
        if (!L->pool) oy = k / L->out_w, ox = k % L->out_w;
        else {
            uint32_t pw = k / 4, qd = k % 4, py = pw / (L->out_w / 2), px = pw % (L->out_w / 2);
            oy = 2 * py + qd / 2, ox = 2 * px + qd % 2;
        }
        colpos[k] = oy * L->out_w + ox;
        uint8_t *c = cols + (size_t)k * CH * NOUT;
        for (uint32_t dy = 0; dy < L->kh; dy++)
            for (uint32_t dx = 0; dx < L->kw; dx++)
                for (uint32_t ch = 0; ch < L->C; ch++) {
                    int64_t yy = (int64_t)oy * L->s + dy - L->p, xx = (int64_t)ox * L->s + dx - L->p;
                    uint8_t v = 0;
                    if (yy >= 0 && yy < L->in_h && xx >= 0 && xx < L->in_w)
                        v = img[((size_t)yy * L->in_w + (size_t)xx) * L->C + ch];
                    c[(dy * L->kw + dx) * L->C + ch] = v;
                }
        for (uint32_t m = 0; m < L->M; m++) {
            int64_t t = bias[m];
            for (uint32_t i = 0; i < L->q; i++) {
                int64_t acc = 0;
                for (uint32_t k = 0; k < K; k++) {
                    size_t bit = (size_t)m * chan_bits + k;
                    uint32_t w = (wt[(size_t)i * (plane_slices + 1) + bit / NOUT] >> (bit % NOUT)) & 1;
                    acc += w ? c[k] : -(int)c[k];
                }
                t += (int64_t)alpha[m * L->q + i] * acc;
            }
            y[(size_t)colpos[k] * L->M + m] = requant(t, L->shift, (int)L->relu);
        }
    }
    for (uint32_t py = 0; py < Ho; py++)
        for (uint32_t px = 0; px < Wo; px++)
            for (uint32_t m = 0; m < L->M; m++) {
                int32_t v;
                if (!L->pool) v = y[(size_t)(py * L->out_w + px) * L->M + m];
                else {
                    v = 0;
                    for (uint32_t d = 0; d < 4; d++) {
                        int32_t u = y[(size_t)((2 * py + d / 2) * L->out_w + 2 * px + d % 2) * L->M + m];
                        if (u > v) v = u;
                    }
                }
                expo[((size_t)py * Wo + px) * L->M + m] = v;
            }

    /* commands: weights, parameters (aligned, unencrypted), the input tensor, RUNX */
    for (uint32_t l = 0; l < LANES; l++) {
        put(&s, (0x01u << 24) | l), put(&s, L->w_base), put(&s, G * L->q * S);
        for (uint32_t g = 0; g < G; g++)
            for (uint32_t i = 0; i < L->q; i++)
                for (uint32_t j = 0; j < S; j++) {
                    uint32_t m = g * LANES + l, t = m * chan_bits / NOUT + j;
                    put(&s, m < L->M && t < plane_slices ? wt[(size_t)i * (plane_slices + 1) + t] : 0);
                }
        put(&s, (0x02u << 24) | l), put(&s, L->p_base), put(&s, G);
        for (uint32_t g = 0; g < G; g++) {
            uint32_t m = g * LANES + l;
            put(&s, m < L->M ? (uint32_t)bias[m] : 0);
            for (uint32_t pr = 0; pr < FXC_P_WORDS - 2; pr++) {
                uint32_t lo = 0, hi = 0;
                if (m < L->M && 2 * pr < L->q) lo = (uint32_t)alpha[m * L->q + 2 * pr] & 0xFFFF;
                if (m < L->M && 2 * pr + 1 < L->q) hi = (uint32_t)alpha[m * L->q + 2 * pr + 1] & 0xFFFF;
                put(&s, lo | hi << 16);
            }
            put(&s, m < L->M && L->straddle ? (m * K) % NOUT : 0);
        }
    }
    uint32_t in_words = (uint32_t)((in_bytes + NOUT - 1) / NOUT);
    put(&s, (0x03u << 24) | L->a_src), put(&s, L->a_src_base), put(&s, in_words);
    for (uint32_t w = 0; w < in_words; w++)
        for (uint32_t aw = 0; aw < FXC_A_WORDS; aw++) {
            uint32_t v = 0;
            for (uint32_t b = 0; b < 4; b++) {
                size_t idx = (size_t)w * NOUT + aw * 4 + b;
                if (aw * 4 + b < NOUT && idx < in_bytes) v |= (uint32_t)img[idx] << (8 * b);
            }
            put(&s, v);
        }
    uint32_t flags = L->q | (NOUT << 4) | (L->straddle << 11) | (L->relu << 12) | (L->stream << 13) | (L->a_src << 14) |
                     (L->a_dst << 15) | (L->shift << 16) | (L->pool ? 2u << 22 : 0);
    put(&s, 0x07u << 24), put(&s, K), put(&s, L->M), put(&s, flags), put(&s, L->w_base), put(&s, L->p_base);
    put(&s, L->a_src_base), put(&s, L->a_dst_base), put(&s, L->C), put(&s, L->in_h | L->in_w << 16);
    put(&s, L->kh | L->kw << 8 | L->s << 16 | L->p << 24), put(&s, L->out_h | L->out_w << 16);

    size_t n_out = L->stream ? out_elems : 0;
    uint32_t *out = calloc(n_out + 1, 4);
    uint8_t *last = calloc(n_out + 1, 1);
    seen_gat.n = seen_wr.n = 0;
    uint64_t c0[4], c1[4];
    fx_rtl_counters(rtl, c0);
    fx_rtl_io io = {s.w, s.n, 0, out, last, n_out, 0};
    /* run while something moves (a handshake or a tap) within 20,000 cycles: the watchdog */
    for (;;) {
        fx_rtl_run(rtl, &io, 0, 1000);
        if (io.in_done == io.n_in && io.out_done == n_out && !fx_rtl_busy(rtl)) break;
        if (fx_rtl_cycle(rtl) - fx_rtl_last_progress(rtl) > 20000) {
            printf("  watchdog: no progress for 20000 cycles (in %zu/%zu, out %zu/%zu, gather taps %zu, "
                   "write taps %zu)\n", io.in_done, io.n_in, io.out_done, n_out, seen_gat.n, seen_wr.n);
            bad++;
            break;
        }
    }
    fx_rtl_counters(rtl, c1);
    uint64_t busy = c1[1] - c0[1];
    if (fx_rtl_error(rtl)) printf("  error flag 0x%x\n", fx_rtl_error(rtl)), bad++;
    if (io.out_done != n_out) printf("  %zu of %zu output words\n", io.out_done, n_out), bad++;
    for (size_t i = 0; i < io.out_done && bad < 10; i++) {
        if ((int32_t)out[i] != expo[i]) printf("  out[%zu] = %d, expected %d\n", i, (int32_t)out[i], expo[i]), bad++;
        if (last[i] != (i + 1 == n_out)) printf("  out_last[%zu] = %d\n", i, last[i]), bad++;
    }
    /* gather taps: every chunk of every column, in column order */
    if (seen_gat.n != (size_t)ncol * CH) printf("  %zu gather taps, expected %u\n", seen_gat.n, ncol * CH), bad++;
    for (size_t i = 0; i < seen_gat.n && i < (size_t)ncol * CH && bad < 10; i++) {
        uint32_t k = (uint32_t)(i / CH), j = (uint32_t)(i % CH);
        if (seen_gat.e[i].a != colpos[k] || seen_gat.e[i].b != j ||
            memcmp(seen_gat.e[i].bytes, cols + (size_t)k * CH * NOUT + (size_t)j * NOUT, NOUT)) {
            printf("  gather tap %zu: col %u chunk %u, expected col %u chunk %u%s\n", i, seen_gat.e[i].a,
                   seen_gat.e[i].b, colpos[k], j, seen_gat.e[i].a == colpos[k] ? " (bytes differ)" : "");
            bad++;
        }
    }
    /* write taps: the output tensor, dense, from a_dst_base, the last word zero-padded */
    size_t exp_words = L->stream ? 0 : (out_elems + NOUT - 1) / NOUT;
    if (seen_wr.n != exp_words) printf("  %zu write taps, expected %zu\n", seen_wr.n, exp_words), bad++;
    for (size_t i = 0; i < seen_wr.n && i < exp_words && bad < 10; i++) {
        uint8_t want[NOUT];
        for (uint32_t b = 0; b < NOUT; b++) {
            size_t e = i * NOUT + b;
            want[b] = e < out_elems ? (uint8_t)expo[e] : 0;
        }
        if (seen_wr.e[i].a != L->a_dst_base + i || memcmp(want, seen_wr.e[i].bytes, NOUT)) {
            printf("  write tap %zu: addr %u (expected %zu)%s\n", i, seen_wr.e[i].a, L->a_dst_base + i,
                   memcmp(want, seen_wr.e[i].bytes, NOUT) ? ", bytes differ" : "");
            bad++;
        }
    }
    uint64_t bound = (uint64_t)ncol * G * L->q * S;
    if (!stalls) { /* the performance model must give cnt_busy and cnt_stall to the cycle */
        fx_perf_xshape xs = {K, L->M, L->q, L->C, L->in_h, L->in_w, L->kh, L->kw, L->s, L->p, L->out_h, L->out_w,
                             (int)L->straddle, (int)L->pool, (int)L->stream};
        fx_perf_run pr;
        if (fx_perf_runx_cycles(fx_hwcfg_builtin(), &xs, &pr)) printf("  perf model refused the shape\n"), bad++;
        else if (pr.busy != busy || pr.stall != c1[2] - c0[2])
            printf("  perf model: busy %" PRIu64 " stall %" PRIu64 ", RTL busy %" PRIu64 " stall %" PRIu64 "\n",
                   pr.busy, pr.stall, busy, c1[2] - c0[2]), bad++;
        else perf_exact++;
        perf_checked++;
    }
    if (verbose || bad)
        printf("%s C=%u %ux%u k=%ux%u s=%u p=%u out=%ux%u M=%u q=%u pool=%u stream=%u K=%u: busy %" PRIu64
               " cycles, bound %" PRIu64 "%s\n",
               bad ? "FAIL" : "ok  ", L->C, L->in_h, L->in_w, L->kh, L->kw, L->s, L->p, L->out_h, L->out_w, L->M, L->q,
               L->pool, L->stream, K, busy, bound, L->straddle ? " (straddle)" : "");
    free(img), free(wt), free(bias), free(alpha), free(cols), free(colpos), free(y), free(expo), free(s.w);
    free(out), free(last);
    return bad;
}

/* A RUNX with a bad argument: the expected error code, nothing produced. */
static int run_error(fx_rtl *rtl, const uint32_t a[11], uint32_t code)
{
    uint32_t cmd[12];
    cmd[0] = 0x07u << 24;
    memcpy(cmd + 1, a, sizeof(uint32_t) * 11);
    fx_rtl_reset(rtl, 4);
    fx_rtl_io io = {cmd, 12, 0, NULL, NULL, 0, 0};
    fx_rtl_run(rtl, &io, FX_RTL_UNTIL_IN, 1000);
    fx_rtl_io idle = {NULL, 0, 0, NULL, NULL, 0, 0};
    fx_rtl_run(rtl, &idle, 0, 20);
    uint32_t e = fx_rtl_error(rtl);
    if (e != (0x100u | code) || fx_rtl_busy(rtl)) {
        printf("FAIL error case (expected code %u): error 0x%x busy %d\n", code, e, fx_rtl_busy(rtl));
        return 1;
    }
    return 0;
}

static int error_cases(fx_rtl *rtl)
{
    /* a good FC-shaped RUNX: K = 40 = C, 1x1, M = 8, q = 1, stream */
    const uint32_t good[11] = {40, 8, 1 | NOUT << 4 | 1u << 12 | 1u << 13, 0, 0, 0, 0, 40, 1 | 1u << 16,
                               1 | 1u << 8 | 1u << 16, 1 | 1u << 16};
    uint32_t a[11];
    int bad = 0;
#define ERR(idx, val, code)                                                                                           \
    do {                                                                                                                \
        memcpy(a, good, sizeof a);                                                                                      \
        a[idx] = (val);                                                                                                 \
        bad += run_error(rtl, a, code);                                                                                 \
    } while (0)
    ERR(0, 41, 2);                                   /* K != C*kh*kw */
    ERR(7, 0, 2);                                    /* C = 0 */
    ERR(9, 1 | 1u << 8 | 0u << 16, 2);               /* stride 0 */
    memcpy(a, good, sizeof a);                       /* pool 2 with an odd out_h */
    a[10] = 3 | 2u << 16, a[2] |= 2u << 22, bad += run_error(rtl, a, 2);
    ERR(10, 4097 | 1u << 16, 2);                     /* out_h*out_w > AMEM_DEPTH */
    ERR(2, good[2] | 1u << 22, 5);                   /* pool 1 */
    memcpy(a, good, sizeof a);                       /* pool 2, raw (out 2x2: the pooling shape is fine) */
    a[2] = (good[2] & ~(1u << 12)) | 2u << 22, a[10] = 2 | 2u << 16, bad += run_error(rtl, a, 5);
    ERR(2, good[2] | 1u << 24, 5);                   /* reserved flag bit */
    ERR(5, FXC_AMEM_DEPTH - 1, 4);                   /* input tensor beyond the buffer (2 words) */
    ERR(8, 1 | (FXC_AMEM_DEPTH * NOUT / 40 + 1) << 16, 4); /* an input tensor larger than a buffer */
    memcpy(a, good, sizeof a);                       /* into buffer 1: 8 bytes at its end */
    a[2] = (good[2] & ~(1u << 13)) | 1u << 15, a[6] = FXC_AMEM_DEPTH, bad += run_error(rtl, a, 4);
    a[6] = FXC_AMEM_DEPTH - 1, a[2] &= ~(1u << 12), bad += run_error(rtl, a, 5); /* raw into a buffer */
    return bad;
#undef ERR
}

int main(int argc, char **argv)
{
    int cases = argc > 1 ? atoi(argv[1]) : 40;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    rng_state = seed;
    fx_rtl *rtl = fx_rtl_new(seed);
    fx_rtl_set_taps(rtl, NULL, NULL, NULL);
    fx_rtl_set_xtaps(rtl, on_gather, on_write);
    fx_rtl_reset(rtl, 4);
    int bad = 0;
    { /* ID: interface 1.2 */
        uint32_t cmd = 0x06u << 24, out[2];
        fx_rtl_io io = {&cmd, 1, 0, out, NULL, 2, 0};
        fx_rtl_run(rtl, &io, FX_RTL_UNTIL_OUT, 100);
        if (out[0] != 0x46580102u) printf("FAIL ID word 0x%08x\n", out[0]), bad++;
    }
    /* fixed shapes first: LeNet-like conv1/conv2/fc, FC, pooling, padding, stride */
    const layer fixed[] = {
        {1, 28, 28, 5, 5, 1, 0, 24, 24, 32, 4, 8, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0},   /* conv1 + pool */
        {32, 12, 12, 5, 5, 1, 0, 8, 8, 64, 1, 9, 1, 0, 1, 100, 0, 0, 0, 1, 0, 0},  /* conv2 + pool */
        {32, 12, 12, 5, 5, 1, 0, 8, 8, 64, 1, 9, 1, 0, 1, 100, 0, 0, 0, 1, 0, 1}, /* the same, straddle */
        {1024, 1, 1, 1, 1, 1, 0, 1, 1, 40, 2, 10, 0, 1, 1, 7, 0, 0, 0, 0, 1, 0},   /* FC, stream */
        {3, 9, 7, 3, 3, 2, 1, 5, 4, 20, 2, 6, 0, 0, 1, 3, 11, 100, 7, 1, 0, 0},    /* stride 2, pad 1 */
        {3, 8, 8, 3, 3, 1, 1, 8, 8, 17, 3, 7, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0},       /* pad, pool, stream */
        {5, 6, 6, 3, 3, 1, 2, 8, 8, 9, 1, 5, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0},        /* raw stream, pad 2 */
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (fits(&fixed[i])) bad += run_case(rtl, &fixed[i], 1, 0);
        else printf("skip fixed shape %zu: larger than this configuration's memories\n", i);
    }
    for (int c = 0; c < cases; c++) {
        layer L;
        memset(&L, 0, sizeof L);
        do {
            L.C = 1 + rnd(rnd(2) ? 8 : rnd(4) ? 48 : 256);
            L.kh = 1 + rnd(5), L.kw = 1 + rnd(5), L.s = 1 + rnd(3), L.p = rnd(L.kh < L.kw ? L.kh : L.kw);
            L.in_h = L.kh + rnd(12), L.in_w = L.kw + rnd(12);
            L.out_h = (L.in_h + 2 * L.p - L.kh) / L.s + 1, L.out_w = (L.in_w + 2 * L.p - L.kw) / L.s + 1;
        } while ((size_t)L.C * L.kh * L.kw > FXC_K_MAX || L.out_h * L.out_w > 400);
        L.M = 1 + rnd(rnd(2) ? 20 : rnd(4) ? 70 : 200), L.q = 1 + rnd(FXC_Q_MAX), L.shift = 4 + rnd(8);
        L.pool = !(L.out_h & 1) && !(L.out_w & 1) && rnd(2);
        L.relu = 1, L.stream = rnd(2), L.straddle = rnd(2);
        if (L.stream && !L.pool && rnd(3) == 0) L.relu = 0;
        L.a_src = rnd(2), L.a_dst = !L.a_src;
        L.a_src_base = rnd(50), L.a_dst_base = rnd(50), L.w_base = rnd(100), L.p_base = rnd(10);
        if (!fits(&L)) { /* a small configuration: this shape at base 0 and one plane, else another shape */
            L.a_src_base = L.a_dst_base = L.w_base = L.p_base = 0, L.q = 1;
            if (!fits(&L)) {
                c--;
                continue;
            }
        }
        fx_rtl_set_stalls(rtl, c % 3 ? 0.0 : 0.3, c % 3 ? 0.0 : 0.3, seed + (uint64_t)c);
        bad += run_case(rtl, &L, 0, c % 3 == 0);
        if (bad > 20) break;
    }
    fx_rtl_set_stalls(rtl, 0, 0, 1);
    bad += error_cases(rtl);
    printf("tb_runx_rtl: %d cases + 7 fixed + error cases, %s; performance model exact on %d of %d stall-free\n",
           cases, bad ? "FAILED" : "all passed", perf_exact, perf_checked);
    fx_rtl_free(rtl);
    return bad ? 1 : 0;
}
