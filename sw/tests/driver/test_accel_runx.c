/* SPDX-License-Identifier: Apache-2.0 */
/* RUNX (docs/accelerator.md "RUNX") on the command-level C model: the gather against a plain im2col
 * written here from contract §7.1 (column order, padding, stride, chunks), the writer's tensor (whole
 * words, zero-padded last word, pool 2 = the max of the unpooled stream), every error code with its
 * argument words, and the driver running version-2 chains equal to fx_ref_infer bit for bit: random
 * chains on four configurations and hand-built edge cases; the driver's refusals. */
#include "dtest.h"
#include "flexor/model_random.h"
#include "flexor/ref.h"
#include "flexor/rng.h"
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------------------------------- */

static void wr(fx_backend *b, const uint32_t *w, size_t n) { CHECK(b->write(b, w, n) == 0, "write failed"); }

static uint32_t FLAGS(uint32_t q, uint32_t nin, uint32_t relu, uint32_t ds, uint32_t src, uint32_t dst, uint32_t shift,
                      uint32_t pool)
{
    return q | nin << 4 | relu << 12 | ds << 13 | src << 14 | dst << 15 | shift << 16 | pool << 22;
}

/* The RUNX geometry of one command. */
typedef struct {
    uint32_t C, ih, iw, kh, kw, s, p, oh, ow;
} geom;

static void runx(fx_backend *b, uint32_t K, uint32_t M, uint32_t flags, uint32_t wb, uint32_t pb, uint32_t sb,
                 uint32_t db, geom g)
{
    uint32_t w[1 + FX_RUNX_ARGS] = {(uint32_t)FX_OP_RUNX << 24, K, M, flags, wb, pb, sb, db, g.C,
                                    g.ih | g.iw << 16, g.kh | g.kw << 8 | g.s << 16 | g.p << 24, g.oh | g.ow << 16};
    wr(b, w, 1 + FX_RUNX_ARGS);
}

/* LOAD_A of `words` N_out-byte words into buffer buf from word addr (bytes beyond `len` are 0). */
static void load_bytes(fx_backend *b, const fx_hwcfg *cfg, uint32_t buf, uint32_t addr, const uint8_t *bytes, size_t len,
                       uint32_t words)
{
    const uint32_t aw = (cfg->n_out + 3) / 4;
    uint32_t *w = calloc(3 + (size_t)words * aw, sizeof *w);
    w[0] = (uint32_t)FX_OP_LOAD_A << 24 | buf, w[1] = addr, w[2] = words;
    for (size_t i = 0; i < len; i++) w[3 + i / cfg->n_out * aw + i % cfg->n_out / 4] |= (uint32_t)bytes[i] << (8 * (i % cfg->n_out % 4));
    wr(b, w, 3 + (size_t)words * aw);
    free(w);
}

/* What the taps of a RUNX reported. */
typedef struct {
    uint32_t n_out, n_gat, n_wr, cap;
    uint32_t *gcol, *gchunk, *wbuf, *waddr;
    uint8_t *gbytes, *wbytes;
} taprec;

static void grow(taprec *t, uint32_t n)
{
    if (n < t->cap) return;
    t->cap = t->cap ? 2 * t->cap : 1024;
    t->gcol = realloc(t->gcol, t->cap * sizeof *t->gcol), t->gchunk = realloc(t->gchunk, t->cap * sizeof *t->gchunk);
    t->wbuf = realloc(t->wbuf, t->cap * sizeof *t->wbuf), t->waddr = realloc(t->waddr, t->cap * sizeof *t->waddr);
    t->gbytes = realloc(t->gbytes, (size_t)t->cap * t->n_out), t->wbytes = realloc(t->wbytes, (size_t)t->cap * t->n_out);
    if (!t->gcol || !t->gchunk || !t->wbuf || !t->waddr || !t->gbytes || !t->wbytes) abort();
}
static void on_gather(void *u, uint32_t col, uint32_t chunk, const uint8_t *bytes)
{
    taprec *t = u;
    grow(t, t->n_gat > t->n_wr ? t->n_gat : t->n_wr);
    t->gcol[t->n_gat] = col, t->gchunk[t->n_gat] = chunk;
    memcpy(t->gbytes + (size_t)t->n_gat++ * t->n_out, bytes, t->n_out);
}
static void on_write(void *u, uint32_t buf, uint32_t addr, const uint8_t *bytes)
{
    taprec *t = u;
    grow(t, t->n_gat > t->n_wr ? t->n_gat : t->n_wr);
    t->wbuf[t->n_wr] = buf, t->waddr[t->n_wr] = addr;
    memcpy(t->wbytes + (size_t)t->n_wr++ * t->n_out, bytes, t->n_out);
}
static void taprec_free(taprec *t)
{
    free(t->gcol), free(t->gchunk), free(t->wbuf), free(t->waddr), free(t->gbytes), free(t->wbytes);
    memset(t, 0, sizeof *t);
}

static uint32_t rnd(uint64_t *s, uint32_t lo, uint32_t hi) { return lo + (uint32_t)(fx_splitmix64(s) % (hi - lo + 1)); }

/* ---- the gather against im2col ---------------------------------------------------------------------- */

/* Contract §7.1 written out plainly: act[(dy·kw + dx)·C + c] of column (oy, ox), 0 in the padding. */
static uint8_t im2col(const uint8_t *t, geom g, uint32_t oy, uint32_t ox, uint32_t k)
{
    const uint32_t c = k % g.C, pos = k / g.C, dy = pos / g.kw, dx = pos % g.kw;
    const long y = (long)oy * g.s + dy - g.p, x = (long)ox * g.s + dx - g.p;
    if (y < 0 || x < 0 || y >= g.ih || x >= g.iw) return 0;
    return t[((size_t)y * g.iw + (size_t)x) * g.C + c];
}

/* One random geometry, pool 0 or 2: the gather tap reports every column's chunks in column order, each
 * equal to im2col; the streamed output of pool 2 is the max of the pool-0 stream over each window. */
static void gather_case(const fx_hwcfg *cfg, uint64_t *s, int *saw_pad_edge)
{
    const uint32_t NO = cfg->n_out;
    geom g = {rnd(s, 1, 5), rnd(s, 1, 9), rnd(s, 1, 9), rnd(s, 1, 4), rnd(s, 1, 4), rnd(s, 1, 4), rnd(s, 0, 4), 0, 0};
    /* out_h/out_w: usually the contract's formula, sometimes anything (padding reads no memory) */
    long fh = ((long)g.ih + 2 * g.p - g.kh) / g.s + 1, fw = ((long)g.iw + 2 * g.p - g.kw) / g.s + 1;
    g.oh = fh >= 1 && rnd(s, 0, 3) ? (uint32_t)fh : rnd(s, 1, 6);
    g.ow = fw >= 1 && rnd(s, 0, 3) ? (uint32_t)fw : rnd(s, 1, 6);
    const uint32_t pool = !((g.oh | g.ow) & 1) && rnd(s, 0, 1) ? 2 : 0;
    const uint32_t K = g.C * g.kh * g.kw, CH = (K + NO - 1) / NO, M = rnd(s, 1, cfg->lanes < 3 ? cfg->lanes : 3);
    const uint32_t N = g.oh * g.ow; /* M: one group, loaded below */
    if (K > cfg->k_max || N > cfg->amem_depth) return;
    if (g.p >= g.kh || g.p >= g.kw) *saw_pad_edge = 1;
    const size_t elems = (size_t)g.C * g.ih * g.iw;
    const uint32_t words = (uint32_t)((elems + NO - 1) / NO), base = rnd(s, 0, 3);
    uint8_t *t = malloc(elems);
    for (size_t i = 0; i < elems; i++) t[i] = (uint8_t)fx_splitmix64(s);
    fx_backend *b = fx_accel_model_new(cfg);
    taprec tr = {.n_out = NO};
    fx_taps taps = {.user = &tr, .gather = on_gather, .write = on_write};
    b->set_taps(b, &taps);
    load_bytes(b, cfg, 1, base, t, elems, words);
    /* weights: lane l, plane 0, every slice random; α 1, bias 0: any values, the writer is what is compared */
    for (uint32_t l = 0; l < M; l++) {
        uint32_t hdr[3] = {(uint32_t)FX_OP_LOAD_W << 24 | l, 0, CH}, *w = malloc(CH * sizeof *w);
        for (uint32_t j = 0; j < CH; j++) w[j] = (uint32_t)fx_splitmix64(s);
        wr(b, hdr, 3), wr(b, w, CH);
        free(w);
        const uint32_t pw = fx_hwcfg_widths(cfg).p_words;
        uint32_t p[3 + 8] = {(uint32_t)FX_OP_LOAD_P << 24 | l, 0, 1, 0, 1};
        wr(b, p, 3 + pw);
    }
    runx(b, K, M, FLAGS(1, NO, 1, 1, 1, 0, 0, 0), 0, 0, base, 0, g);
    uint32_t *y0 = malloc((size_t)N * M * sizeof *y0);
    CHECK(b->read(b, y0, (size_t)N * M) == 0 && b->error(b) == 0, "gather case: pool-0 RUNX failed (error %u)",
          b->error(b));
    CHECK(tr.n_gat == N * CH && tr.n_wr == 0, "gather taps %u, expected N·CH = %u", tr.n_gat, N * CH);
    for (uint32_t e = 0; e < tr.n_gat && e < N * CH; e++) {
        const uint32_t n = e / CH, j = e % CH, oy = n / g.ow, ox = n % g.ow;
        CHECK(tr.gcol[e] == n && tr.gchunk[e] == j, "tap %u: column %u chunk %u, expected %u %u", e, tr.gcol[e],
              tr.gchunk[e], n, j);
        for (uint32_t bb = 0; bb < NO; bb++) {
            const uint32_t k = j * NO + bb;
            const uint8_t want = k < K ? im2col(t, g, oy, ox, k) : 0;
            if (tr.gbytes[(size_t)e * NO + bb] != want) {
                CHECK(0, "C %u in %ux%u k %ux%u s %u p %u: column %u chunk %u byte %u = %u, im2col %u", g.C, g.ih, g.iw,
                      g.kh, g.kw, g.s, g.p, n, j, bb, tr.gbytes[(size_t)e * NO + bb], want);
                break;
            }
        }
    }
    if (pool == 2) { /* the same RUNX pooled: window-order gather, max of four per channel */
        tr.n_gat = 0;
        runx(b, K, M, FLAGS(1, NO, 1, 1, 1, 0, 0, 2), 0, 0, base, 0, g);
        const uint32_t P = N / 4;
        uint32_t *y2 = malloc((size_t)P * M * sizeof *y2);
        CHECK(b->read(b, y2, (size_t)P * M) == 0 && b->error(b) == 0, "pool-2 RUNX failed (error %u)", b->error(b));
        for (uint32_t i = 0; i < P; i++) {
            const uint32_t py = i / (g.ow / 2), px = i % (g.ow / 2);
            for (uint32_t q = 0; q < 4; q++) {
                const uint32_t n = (2 * py + q / 2) * g.ow + 2 * px + q % 2;
                CHECK(tr.gcol[(4 * i + q) * CH] == n, "pool 2: column %u of window %u is %u, expected %u", q, i,
                      tr.gcol[(4 * i + q) * CH], n);
            }
            for (uint32_t m = 0; m < M; m++) {
                uint32_t mx = 0;
                for (uint32_t q = 0; q < 4; q++) {
                    const uint32_t v = y0[((2 * py + q / 2) * g.ow + 2 * px + q % 2) * M + m];
                    if (v > mx) mx = v;
                }
                CHECK(y2[i * M + m] == mx, "pool 2: window %u channel %u = %u, max %u", i, m, y2[i * M + m], mx);
            }
        }
        free(y2);
    }
    /* the same results into buffer 0 from a_dst_base: whole words, ascending, the last zero-padded */
    for (uint32_t pl = 0; pl <= pool; pl += 2) {
        tr.n_wr = 0;
        const uint32_t db = rnd(s, 0, 2), P = pl ? N / 4 : N, nw = (P * M + NO - 1) / NO;
        runx(b, K, M, FLAGS(1, NO, 1, 0, 1, 0, 0, pl), 0, 0, base, db, g);
        uint32_t *ys = malloc((size_t)P * M * sizeof *ys);
        runx(b, K, M, FLAGS(1, NO, 1, 1, 1, 0, 0, pl), 0, 0, base, 0, g);
        CHECK(b->read(b, ys, (size_t)P * M) == 0 && b->error(b) == 0, "buffer RUNX failed (error %u)", b->error(b));
        CHECK(tr.n_wr == nw, "pool %u: %u words written, expected %u", pl, tr.n_wr, nw);
        for (uint32_t e = 0; e < tr.n_wr && e < nw; e++) {
            CHECK(tr.wbuf[e] == 0 && tr.waddr[e] == db + e, "word %u: buffer %u address %u", e, tr.wbuf[e], tr.waddr[e]);
            for (uint32_t bb = 0; bb < NO; bb++) {
                const size_t i = (size_t)e * NO + bb;
                const uint32_t want = i < (size_t)P * M ? ys[i] : 0;
                CHECK(tr.wbytes[i] == want, "pool %u: word %u byte %u = %u, expected %u", pl, e, bb, tr.wbytes[i], want);
            }
        }
        free(ys);
    }
    free(y0);
    free(t);
    taprec_free(&tr);
    b->destroy(b);
}

/* ---- error codes ------------------------------------------------------------------------------------ */

enum { NO = 6, LANES = 2, QMAX = 3, KMAX = 40, WMEM = 32, PMEM = 8, AMEM = 16 };
static fx_hwcfg small;

/* A RUNX that must fail with `code`, produce and write nothing, and leave a later RUNX working. */
static void expect_runx(uint32_t code, uint32_t K, uint32_t M, uint32_t flags, uint32_t wb, uint32_t pb, uint32_t sb,
                        uint32_t db, geom g, const char *what)
{
    fx_backend *b = fx_accel_model_new(&small);
    taprec tr = {.n_out = NO};
    fx_taps taps = {.user = &tr, .gather = on_gather, .write = on_write};
    b->set_taps(b, &taps);
    runx(b, K, M, flags, wb, pb, sb, db, g);
    uint32_t w;
    CHECK(b->error(b) == code, "%s: error %u, expected %u", what, b->error(b), code);
    if (code) {
        CHECK(b->read(b, &w, 1) != 0 && tr.n_gat == 0 && tr.n_wr == 0, "%s: a failing RUNX produced something", what);
        const geom one = {1, 1, 1, 1, 1, 1, 0, 1, 1};
        runx(b, 1, 1, FLAGS(1, NO, 0, 1, 0, 1, 0, 0), 0, 0, 0, 0, one);
        CHECK(b->read(b, &w, 1) == 0 && b->error(b) == code, "%s: the next RUNX did not run or the code changed", what);
    }
    taprec_free(&tr);
    b->destroy(b);
}

static void test_errors(void)
{
    /* base: C 2, 4x4 input (32 bytes: 6 words), 3x3 kernel s 1 p 1 -> 4x4 output; K 18 (CH 3), M 3 (G 2), q 1 */
    const geom G0 = {2, 4, 4, 3, 3, 1, 1, 4, 4};
    const uint32_t F = FLAGS(1, NO, 1, 1, 0, 1, 0, 0), Fb = FLAGS(1, NO, 1, 0, 0, 1, 0, 0);
    expect_runx(0, 18, 3, F, 0, 0, 0, 0, G0, "valid");
    expect_runx(0, 18, 3, F | 2u << 22, 0, 0, 0, 0, G0, "valid pool 2");
    /* 2 */
    expect_runx(2, 18, 3, FLAGS(0, NO, 1, 1, 0, 1, 0, 0), 0, 0, 0, 0, G0, "q = 0");
    expect_runx(2, 18, 3, FLAGS(QMAX + 1, NO, 1, 1, 0, 1, 0, 0), 0, 0, 0, 0, G0, "q > q_max");
    expect_runx(2, 0, 3, F, 0, 0, 0, 0, (geom){0, 4, 4, 3, 3, 1, 1, 4, 4}, "K = 0 (C = 0)");
    expect_runx(2, 45, 3, F, 0, 0, 0, 0, (geom){5, 4, 4, 3, 3, 1, 1, 4, 4}, "K > k_max");
    expect_runx(2, 18, 0, F, 0, 0, 0, 0, G0, "M = 0");
    const char *zero[] = {"C", "in_h", "in_w", "kh", "kw", "s", "out_h", "out_w"};
    for (int z = 0; z < 8; z++) {
        geom g = G0;
        uint32_t *f[] = {&g.C, &g.ih, &g.iw, &g.kh, &g.kw, &g.s, &g.oh, &g.ow};
        *f[z] = 0;
        char what[32];
        snprintf(what, sizeof what, "%s = 0", zero[z]);
        expect_runx(2, 18, 3, F, 0, 0, 0, 0, g, what);
    }
    expect_runx(2, 17, 3, F, 0, 0, 0, 0, G0, "K != C·kh·kw");
    expect_runx(2, 16, 3, F, 0, 0, 0, 0, (geom){0x10000001u, 1, 1, 4, 4, 1, 0, 1, 1}, "C·kh·kw = 2^32 + 16, K 16");
    expect_runx(2, 18, 3, F, 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 4, 5}, "out_h·out_w 20 > amem_depth 16");
    expect_runx(0, 18, 3, F, 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 4, 4}, "out_h·out_w = amem_depth");
    expect_runx(2, 18, 3, F | 2u << 22, 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 3, 4}, "pool 2, odd out_h");
    expect_runx(2, 18, 3, F | 2u << 22, 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 2, 3}, "pool 2, odd out_w");
    expect_runx(0, 18, 3, F, 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 3, 5}, "odd sizes without pool");
    /* 3 */
    expect_runx(3, 18, 3, FLAGS(1, 5, 1, 1, 0, 1, 0, 0) | 1u << 10, 0, 0, 0, 0, G0, "encrypted N_in 5");
    expect_runx(3, 18, 3, FLAGS(1, 4, 1, 1, 0, 1, 0, 0), 0, 0, 0, 0, G0, "plain N_in 4");
    /* 4: weights G·q·S = 2·1·3 = 6 words, parameters 2 entries, input 6 words, output M·16 = 48 bytes: 8 words */
    expect_runx(0, 18, 3, F, WMEM - 6, PMEM - 2, AMEM - 6, 0, G0, "ranges exactly full");
    expect_runx(4, 18, 3, F, WMEM - 5, 0, 0, 0, G0, "weights one past");
    expect_runx(4, 18, 3, F, 0, PMEM - 1, 0, 0, G0, "parameters one past");
    expect_runx(4, 18, 3, F, 0, 0, AMEM - 5, 0, G0, "input tensor one past");
    expect_runx(4, 18, 3, F, 0, 0, 0xFFFFFFFFu, 0, G0, "input base wrapping");
    expect_runx(0, 18, 3, F, 0, 0, 0, 0xFFFFFFFFu, G0, "output base unused when streaming");
    expect_runx(0, 18, 3, Fb, 0, 0, 0, AMEM - 8, G0, "output tensor exactly full");
    expect_runx(4, 18, 3, Fb, 0, 0, 0, AMEM - 7, G0, "output tensor one past");
    expect_runx(0, 18, 3, Fb | 2u << 22, 0, 0, 0, AMEM - 2, G0, "pooled output tensor (12 bytes) exactly full");
    expect_runx(4, 18, 3, Fb | 2u << 22, 0, 0, 0, AMEM - 1, G0, "pooled output tensor one past");
    /* 5 */
    expect_runx(5, 18, 3, FLAGS(1, NO, 0, 0, 0, 1, 0, 0), 0, 0, 0, 0, G0, "raw into a buffer");
    expect_runx(5, 18, 3, FLAGS(1, NO, 1, 0, 1, 1, 0, 0), 0, 0, 0, 0, G0, "a_src = a_dst into a buffer");
    expect_runx(0, 18, 3, FLAGS(1, NO, 1, 1, 1, 1, 0, 0), 0, 0, 0, 0, G0, "a_src = a_dst streaming");
    expect_runx(5, 18, 3, F | 1u << 22, 0, 0, 0, 0, G0, "pool 1");
    expect_runx(5, 18, 3, F | 3u << 22, 0, 0, 0, 0, G0, "pool 3");
    expect_runx(5, 18, 3, FLAGS(1, NO, 0, 1, 0, 1, 0, 2), 0, 0, 0, 0, G0, "pool 2 with RAW output");
    expect_runx(5, 18, 3, F | 1u << 24, 0, 0, 0, 0, G0, "reserved bit 24");
    expect_runx(5, 18, 3, F | 1u << 31, 0, 0, 0, 0, G0, "reserved bit 31");
    /* the lowest code */
    expect_runx(2, 17, 3, FLAGS(1, 5, 1, 1, 0, 1, 0, 1) | 1u << 10 | 1u << 24, WMEM, 0, 0, 0, G0, "2+3+4+5");
    expect_runx(3, 18, 3, FLAGS(1, 5, 1, 1, 0, 1, 0, 1) | 1u << 10 | 1u << 24, WMEM, 0, 0, 0, G0, "3+4+5");
    expect_runx(4, 18, 3, F | 1u << 24, WMEM, 0, 0, 0, G0, "4+5");
    expect_runx(2, 18, 3, FLAGS(1, NO, 0, 1, 0, 1, 0, 2), 0, 0, 0, 0, (geom){2, 4, 4, 3, 3, 1, 1, 3, 4},
                "2 (odd pool) + 5 (RAW pool)");
    /* the target is ignored; RUN is unchanged next to RUNX */
    fx_backend *b = fx_accel_model_new(&small);
    uint32_t w[1 + FX_RUNX_ARGS] = {(uint32_t)FX_OP_RUNX << 24 | 0xABCDEF, 1, 1, FLAGS(1, NO, 0, 1, 0, 1, 0, 0), 0, 0, 0,
                                    0, 1, 1 | 1u << 16, 1 | 1u << 8 | 1u << 16, 1 | 1u << 16}, r;
    wr(b, w, 1 + FX_RUNX_ARGS);
    CHECK(b->read(b, &r, 1) == 0 && b->error(b) == 0, "RUNX target ignored (error %u)", b->error(b));
    b->destroy(b);
}

/* ---- the driver on version-2 chains ----------------------------------------------------------------- */

static unsigned long long n_models, n_images;

/* Every image: the driver on the C model equals fx_ref_infer (logits and class). */
static void check_v2(const fx_hwcfg *cfg, const fx_model *m, uint64_t seed, const char *what)
{
    char err[512];
    fx_plan plan;
    fx_ref_net net;
    if (fx_driver_plan(cfg, m, &plan, err, sizeof err)) { CHECK(0, "%s: plan: %s", what, err); return; }
    if (fx_ref_prepare(&net, m, cfg, err, sizeof err)) { CHECK(0, "%s: ref: %s", what, err); return; }
    fx_backend *b = fx_accel_model_new(cfg);
    CHECK(fx_driver_load(b, cfg, m, &plan, err, sizeof err) == 0, "%s: load: %s", what, err);
    const size_t in = (size_t)m->in_c * m->in_h * m->in_w;
    uint8_t *x = malloc(in);
    int32_t *lr = malloc(m->n_classes * sizeof *lr), *lm = malloc(m->n_classes * sizeof *lm);
    uint64_t s = seed;
    for (int img = 0; img < 3; img++) {
        for (size_t i = 0; i < in; i++) {
            uint32_t r = (uint32_t)(fx_splitmix64(&s) >> 32);
            x[i] = r % 4 == 0 ? 0 : r % 4 == 1 ? 255 : (uint8_t)(r >> 8);
        }
        int cr = fx_ref_infer(&net, x, lr, NULL, NULL), cm = fx_driver_infer(b, cfg, m, &plan, x, lm, 1, NULL, NULL);
        CHECK(cm == cr && cm >= 0 && !memcmp(lr, lm, m->n_classes * sizeof *lr),
              "%s image %d: class %d vs reference %d, logit 0 %d vs %d (device error %u)", what, img, cm, cr, lm[0],
              lr[0], b->error(b));
        n_images++;
    }
    CHECK(b->error(b) == 0, "%s: device error %u", what, b->error(b));
    n_models++;
    free(x), free(lr), free(lm);
    b->destroy(b);
    fx_ref_free(&net);
}

typedef struct {
    int stride4, pool2, pad, fc, straddle, aligned, k_ragged, m_ragged, c3, raw_conv, pooled_logits;
} coverage;

static void random_chains(const fx_hwcfg *cfg, int count)
{
    coverage cov = {0};
    for (int i = 0; i < count; i++) {
        fx_model m;
        char what[96];
        snprintf(what, sizeof what, "cfg %s chain seed %d", cfg->name, i);
        if (fx_model_random_chain(&m, cfg, (uint64_t)i)) { CHECK(0, "%s: no chain", what); continue; }
        cov.c3 |= m.in_c == 3;
        for (uint32_t l = 0; l < m.n_layers; l++) {
            const fx_layer *y = &m.layers[l];
            cov.stride4 |= y->stride == 4, cov.pool2 |= y->pool == 2, cov.pad |= y->pad > 0;
            cov.fc |= y->type == FX_LAYER_FC, cov.straddle |= (y->flags & FX_F_STRADDLE) != 0;
            cov.aligned |= !(y->flags & FX_F_STRADDLE), cov.k_ragged |= y->K % cfg->n_out != 0;
            cov.m_ragged |= y->M % cfg->lanes != 0;
        }
        const fx_layer *last = &m.layers[m.n_layers - 1];
        cov.raw_conv |= last->type == FX_LAYER_CONV && !(last->flags & FX_F_RELU_U8);
        cov.pooled_logits |= last->pool == 2;
        check_v2(cfg, &m, 1000 + (uint64_t)i, what);
        fx_model_free(&m);
    }
    CHECK(cov.stride4 && cov.pool2 && cov.pad && cov.fc && cov.straddle && cov.aligned && cov.k_ragged &&
              cov.m_ragged == (cfg->lanes > 1) && cov.c3 && cov.raw_conv && cov.pooled_logits,
          "cfg %s: a case was not covered (s4 %d pool %d pad %d fc %d str %d al %d kr %d mr %d c3 %d rawconv %d "
          "pooled %d)", cfg->name, cov.stride4, cov.pool2, cov.pad, cov.fc, cov.straddle, cov.aligned, cov.k_ragged,
          cov.m_ragged, cov.c3, cov.raw_conv, cov.pooled_logits);
}

/* A hand-built chain: layer specs {type, M, kh, kw, stride, pad, pool, flags}, the last RAW unless pooled. */
typedef struct {
    uint32_t type, M, kh, kw, s, p, pool, flags;
} spec;

static int build_chain(fx_model *m, const fx_hwcfg *cfg, uint32_t c, uint32_t h, uint32_t w, const spec *sp, uint32_t n,
                       uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->version = FX_FORMAT_V2;
    m->cfg_hash = fx_hwcfg_hash(cfg);
    m->n_out = cfg->n_out, m->n_tap = cfg->n_tap, m->seed = cfg->seed;
    m->in_c = c, m->in_h = h, m->in_w = w;
    m->n_layers = n;
    uint64_t s = seed;
    for (uint32_t i = 0; i < n; i++) {
        fx_layer *l = &m->layers[i];
        const int conv = sp[i].type == FX_LAYER_CONV;
        *l = (fx_layer){.type = sp[i].type, .flags = sp[i].flags, .q = 1 + i % cfg->q_max, .M = sp[i].M, .in_c = c,
                        .in_h = h, .in_w = w, .kh = conv ? sp[i].kh : 1, .kw = conv ? sp[i].kw : 1,
                        .pool = sp[i].pool, .stride = conv ? sp[i].s : 1, .pad = conv ? sp[i].p : 0, .src = i};
        l->n_in = (l->flags & FX_F_ENCRYPTED) ? cfg->n_in[i % cfg->n_in_count] : cfg->n_out;
        l->K = conv ? c * l->kh * l->kw : c * h * w;
        fx_layer_out_shape(l, &c, &h, &w);
        if (fx_layer_alloc(l, cfg->n_out)) return -1;
        fx_layer_randomize(l, cfg->n_out, i ? 45.0 : 100.0, &s);
    }
    m->n_classes = m->layers[n - 1].M;
    char err[256];
    if (fx_model_validate(m, cfg, err, sizeof err)) {
        CHECK(0, "hand-built chain invalid: %s", err);
        return -1;
    }
    return 0;
}

static void edge_cases(const fx_hwcfg *cfg)
{
    const uint32_t R = FX_F_RELU_U8, E = FX_F_ENCRYPTED, S = FX_F_STRADDLE, NOUT = cfg->n_out, L = cfg->lanes;
    struct {
        const char *what;
        uint32_t c, h, w, n;
        spec sp[4];
    } cases[] = {
        /* 1x1 image, 3x3 kernel, padding 2: every column but the centre reads padding only */
        {"padding beyond the image edge", 1, 1, 1, 2, {{2, 5, 3, 3, 1, 2, 0, R}, {1, 4, 1, 1, 1, 0, 0, 0}}},
        {"padding 3 on a 2x3 image, stride 2", 2, 2, 3, 2, {{2, L + 1, 4, 4, 2, 3, 0, R | E}, {1, 3, 1, 1, 1, 0, 0, S}}},
        {"stride 4", 3, 13, 11, 2, {{2, 7, 4, 3, 4, 1, 0, R | S}, {1, 5, 1, 1, 1, 0, 0, E}}},
        {"K not a multiple of N_out, M not of LANES", 3, 8, 8, 3,
         {{2, 2 * L + 1, 3, 3, 1, 1, 2, R | E | S}, {2, NOUT + 1, 2, 2, 2, 0, 0, R}, {1, 3, 1, 1, 1, 0, 0, 0}}},
        {"K a multiple of N_out (one kernel position per chunk)", NOUT, 4, 4, 2,
         {{2, 3, 2, 2, 1, 1, 0, R}, {1, 2, 1, 1, 1, 0, 0, E}}},
        {"tensors ending mid-word, FC chain", 1, 5, 3, 4,
         {{2, 1, 2, 2, 1, 0, 0, R}, {1, NOUT + 3, 1, 1, 1, 0, 0, R | S}, {1, 7, 1, 1, 1, 0, 0, R | E},
          {1, 2, 1, 1, 1, 0, 0, 0}}},
        {"pooled uint8 logits", 2, 6, 6, 2, {{2, 4, 3, 3, 1, 1, 2, R}, {2, 3, 2, 2, 1, 0, 2, R}}},
        {"covering conv logits", 1, 5, 5, 2, {{2, 3, 1, 1, 1, 0, 0, R}, {2, 4, 5, 5, 1, 0, 0, E}}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx_model m;
        char what[128];
        snprintf(what, sizeof what, "cfg %s: %s", cfg->name, cases[i].what);
        if (build_chain(&m, cfg, cases[i].c, cases[i].h, cases[i].w, cases[i].sp, cases[i].n, 77 + i)) {
            CHECK(0, "%s: not built", what);
            fx_model_free(&m);
            continue;
        }
        check_v2(cfg, &m, 500 + i, what);
        fx_model_free(&m);
    }
}

/* ---- refusals --------------------------------------------------------------------------------------- */

/* A backend that answers ID as an interface-1.1 device (before RUNX). */
typedef struct {
    fx_backend be;
    fx_backend *inner;
} old_dev;
static int o_write(fx_backend *b, const uint32_t *w, size_t n) { return ((old_dev *)b)->inner->write(((old_dev *)b)->inner, w, n); }
static int o_read(fx_backend *b, uint32_t *w, size_t n)
{
    fx_backend *in = ((old_dev *)b)->inner;
    int rc = in->read(in, w, n);
    if (!rc && n == FX_ID_WORDS && w[0] >> 16 == FX_ID_MAGIC) w[0] = (w[0] & ~0xFFu) | 1u;
    return rc;
}
static uint32_t o_error(fx_backend *b) { return ((old_dev *)b)->inner->error(((old_dev *)b)->inner); }

static void expect_plan_refusal(const fx_hwcfg *cfg, const fx_model *m, const char *want, const char *what)
{
    char err[512] = "";
    fx_plan plan;
    CHECK(fx_driver_plan(cfg, m, &plan, err, sizeof err) == -1 && strstr(err, want) && !strchr(err, '\n'),
          "%s: '%s', expected '%s'", what, err, want);
}

static void test_refusals(void)
{
    const fx_hwcfg *def = fx_hwcfg_builtin();
    fx_model m;
    CHECK(fx_model_random_resnet8(&m, def, 1) == 0, "resnet8");
    expect_plan_refusal(def, &m, "layer 2: a residual add is not supported on the accelerator yet", "resnet8");
    fx_model_free(&m);
    /* a chain whose middle layer has a residual: the residual is named */
    const spec res[] = {{2, 4, 3, 3, 1, 1, 0, FX_F_RELU_U8}, {2, 4, 3, 3, 1, 1, 0, FX_F_RELU_U8}, {1, 3, 1, 1, 1, 0, 0, 0}};
    if (!build_chain(&m, def, 1, 6, 6, res, 3, 5)) {
        m.layers[1].res_kind = FX_RES_IDENTITY, m.layers[1].res_src = 1;
        expect_plan_refusal(def, &m, "layer 1: a residual add is not supported on the accelerator yet", "residual");
        m.layers[1].res_kind = 0, m.layers[1].res_src = 0;
        m.layers[1].pool = FX_POOL_AVG;
        expect_plan_refusal(def, &m, "layer 1: global average pooling is not supported", "avgpool");
        m.layers[1].pool = 0;
        m.layers[2].src = 1;
        expect_plan_refusal(def, &m, "layer 2: reads the output of layer 0, not the previous layer's output", "graph");
        m.layers[2].src = 2;
        /* tensors larger than a buffer */
        fx_hwcfg tiny = *def;
        tiny.amem_depth = 1;
        expect_plan_refusal(&tiny, &m, "layer 0: input tensor 1x6x6 (2 words)", "input too big");
        tiny.amem_depth = 35;
        expect_plan_refusal(&tiny, &m, "6x6 output positions", "columns beyond the counter");
        /* an interface-1.1 device refuses a version-2 model at load, naming both versions */
        fx_plan plan;
        char err[512] = "";
        CHECK(fx_driver_plan(def, &m, &plan, err, sizeof err) == 0, "plan: %s", err);
        old_dev od = {.be = {.name = "old-dev", .write = o_write, .read = o_read, .error = o_error},
                      .inner = fx_accel_model_new(def)};
        CHECK(fx_driver_load(&od.be, def, &m, &plan, err, sizeof err) == -1 &&
                  strstr(err, "old-dev: the device has interface version 1.1, a version-2 model needs RUNX (1.2)") &&
                  !strchr(err, '\n'),
              "old device: '%s'", err);
        od.inner->destroy(od.inner);
    }
    fx_model_free(&m);
}

int main(void)
{
    static const uint32_t nin_small[] = {4, NO};
    small = dt_cfg(NO, nin_small, 2, 2, LANES, QMAX, KMAX, WMEM, PMEM, AMEM);
    test_errors();

    fx_hwcfg cfgs[DT_CFGS];
    dt_cfgs(cfgs);
    for (size_t i = 0; i < DT_CFGS; i++) {
        uint64_t s = 42 + i;
        int pad_edge = 0;
        for (int k = 0; k < 150; k++) gather_case(&cfgs[i], &s, &pad_edge);
        CHECK(pad_edge, "cfg %s: no gather case with padding >= the kernel", cfgs[i].name);
        random_chains(&cfgs[i], 40);
        edge_cases(&cfgs[i]);
    }
    test_refusals();
    if (t_report("test_accel_runx")) return 1;
    printf("test_accel_runx: ok: %llu version-2 chains, %llu images equal to the reference\n", n_models, n_images);
    return 0;
}
