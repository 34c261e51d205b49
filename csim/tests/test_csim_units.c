/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the co-simulation's own machinery, with the C model standing in for the RTL: the
 * command-stream follower finds RUN and ID boundaries however the words are split, and the tap book
 * catches a corrupted, missing, duplicated or reordered tap and names it exactly. Also the RTL's ID
 * command against the C model's, and the driver's config-hash check through the RTL backend. */
#include "test_util.h"
#include "cmdstream.h"
#include "flexor_rtl.h"
#include "flexor/driver.h"
#include "flexor/model_random.h"
#include "regress_case.h"
#include "rtl_backend.h"
#include "tapbook.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a C model whose taps are tampered with on the way to the tap book ---- */
enum { T_NONE, T_FLIP_PSUM, T_FLIP_DEC, T_DROP, T_DUP, T_SWAP, T_FLIP_ACC, T_FLIP_GAT, T_SWAP_GAT, T_FLIP_WR, T_DROP_WR };
typedef struct {
    fx_backend *real;
    fx_taps up;
    int mode;
    uint64_t nth, seen, acc_seen, gat_seen, wr_seen;
    uint32_t gheld[2], n_out;
    uint8_t gbytes[64];
    uint32_t held[6];
    int32_t held_psum;
    int holding;
} evil_t;

static void ev_chunk(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    evil_t *e = u;
    uint64_t k = e->seen++;
    if (k == e->nth) {
        switch (e->mode) {
        case T_FLIP_PSUM: psum ^= 4; break;
        case T_FLIP_DEC: dec ^= 1; break;
        case T_DROP: return;
        case T_DUP: e->up.chunk(e->up.user, col, m, plane, chunk, dec, psum); break;
        case T_SWAP: /* hold this one back, deliver it after the next */
            e->held[0] = col, e->held[1] = m, e->held[2] = plane, e->held[3] = chunk, e->held[4] = dec;
            e->held_psum = psum, e->holding = 1;
            return;
        }
    }
    e->up.chunk(e->up.user, col, m, plane, chunk, dec, psum);
    if (e->holding && k == e->nth + 1) {
        e->holding = 0;
        e->up.chunk(e->up.user, e->held[0], e->held[1], e->held[2], e->held[3], e->held[4], e->held_psum);
    }
}
static void ev_acc(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    evil_t *e = u;
    if (e->mode == T_FLIP_ACC && e->acc_seen == e->nth) acc += 1;
    e->acc_seen++;
    e->up.acc(e->up.user, col, m, plane, acc);
}
/* RUNX streams: a flipped byte (5 of the entry), a dropped write, two gather entries swapped */
static void ev_gather(void *u, uint32_t col, uint32_t chunk, const uint8_t *bytes)
{
    evil_t *e = u;
    const uint64_t k = e->gat_seen++;
    uint8_t b[64];
    memcpy(b, bytes, e->n_out);
    if (k == e->nth && e->mode == T_FLIP_GAT) b[5] ^= 0x10;
    if (k == e->nth && e->mode == T_SWAP_GAT) {
        e->gheld[0] = col, e->gheld[1] = chunk, e->holding = 1;
        memcpy(e->gbytes, bytes, e->n_out);
        return;
    }
    e->up.gather(e->up.user, col, chunk, b);
    if (e->holding && k == e->nth + 1) {
        e->holding = 0;
        e->up.gather(e->up.user, e->gheld[0], e->gheld[1], e->gbytes);
    }
}
static void ev_wr(void *u, uint32_t buf, uint32_t addr, const uint8_t *bytes)
{
    evil_t *e = u;
    const uint64_t k = e->wr_seen++;
    uint8_t b[64];
    memcpy(b, bytes, e->n_out);
    if (k == e->nth && e->mode == T_DROP_WR) return;
    if (k == e->nth && e->mode == T_FLIP_WR) b[5] ^= 0x10;
    e->up.write(e->up.user, buf, addr, b);
}
static int ev_write(fx_backend *b, const uint32_t *w, size_t n) { return ((evil_t *)b->ctx)->real->write(((evil_t *)b->ctx)->real, w, n); }
static int ev_read(fx_backend *b, uint32_t *w, size_t n) { return ((evil_t *)b->ctx)->real->read(((evil_t *)b->ctx)->real, w, n); }
static void ev_counters(fx_backend *b, fx_counters *c) { ((evil_t *)b->ctx)->real->counters(((evil_t *)b->ctx)->real, c); }
static uint32_t ev_error(fx_backend *b) { return ((evil_t *)b->ctx)->real->error(((evil_t *)b->ctx)->real); }
static void ev_set_taps(fx_backend *b, const fx_taps *t)
{
    evil_t *e = b->ctx;
    e->up = *t;
    fx_taps mine = {.chunk = ev_chunk, .acc = ev_acc, .user = e, .gather = ev_gather, .write = ev_wr};
    e->real->set_taps(e->real, &mine);
}
static void ev_destroy(fx_backend *b)
{
    evil_t *e = b->ctx;
    e->real->destroy(e->real);
    free(e);
    free(b);
}
static fx_backend *evil_new(const fx_hwcfg *cfg, int mode, uint64_t nth)
{
    fx_backend *b = calloc(1, sizeof *b);
    evil_t *e = calloc(1, sizeof *e);
    e->real = fx_accel_model_new(cfg), e->mode = mode, e->nth = nth, e->n_out = cfg->n_out;
    *b = (fx_backend){.name = "evil", .ctx = e, .write = ev_write, .read = ev_read, .counters = ev_counters,
                      .error = ev_error, .set_taps = ev_set_taps, .destroy = ev_destroy};
    return b;
}

/* Record a case on the C model, check a tampered C model against it; returns the tap book's verdict. */
static fx_divergence run_tampered(const fx_hwcfg *cfg, const fx_rcase *c, int mode, uint64_t nth, uint64_t *n_chunk)
{
    uint32_t *words;
    size_t nw = fx_rcase_words(c, cfg, &words);
    size_t nout = (size_t)c->N * c->m.layers[c->m.n_layers - 1].M;
    uint32_t *out = malloc(nout * sizeof *out);
    fx_tapbook tb;
    fx_tapbook_init(&tb, cfg->lanes);
    fx_backend *good = fx_accel_model_new(cfg), *bad = evil_new(cfg, mode, nth);
    fx_backend *gs = fx_tap_spy_new(good, &tb, cfg), *bs = fx_tap_spy_new(bad, &tb, cfg);
    fx_tapbook_rewind(&tb, FX_TB_RECORD);
    char err[256];
    CHECK(!fx_driver_load(gs, cfg, &c->m, &c->plan, err, sizeof err) && !gs->write(gs, words, nw) &&
              !gs->read(gs, out, nout),
          "C model run failed");
    CHECK(!tb.first.set, "recording diverged: %s", tb.first.what);
    fx_tapbook_rewind(&tb, FX_TB_CHECK);
    CHECK(!fx_driver_load(bs, cfg, &c->m, &c->plan, err, sizeof err) && !bs->write(bs, words, nw) &&
              !bs->read(bs, out, nout),
          "tampered run failed");
    fx_tapbook_finish(&tb);
    fx_divergence d = tb.first;
    if (n_chunk) *n_chunk = ((evil_t *)bad->ctx)->seen;
    gs->destroy(gs), bs->destroy(bs), good->destroy(good), bad->destroy(bad);
    fx_tapbook_free(&tb);
    free(out), free(words);
    return d;
}

static void test_tapbook(const fx_hwcfg *cfg)
{
    fx_rcase c;
    /* a case with enough taps to tamper with in the middle */
    for (uint64_t i = 0;; i++) {
        CHECK(!fx_rcase_make(&c, cfg, fx_rcase_seed(7, i), 300, 0), "case generation");
        if (c.m.n_layers == 1 && c.m.layers[0].M > cfg->lanes && c.N > 1 && c.m.layers[0].K > 2 * cfg->n_out) break;
        fx_rcase_free(&c);
    }
    uint64_t total;
    fx_divergence d = run_tampered(cfg, &c, T_NONE, 0, &total);
    CHECK(!d.set, "an untampered run diverged: %s", d.what);
    const fx_layer *l = &c.m.layers[0];
    const uint32_t CH = (l->K + cfg->n_out - 1) / cfg->n_out, L = cfg->lanes, G = (l->M + L - 1) / L;
    CHECK(total == (uint64_t)c.N * l->M * l->q * CH, "chunk taps %llu, want N*M*q*CH", (unsigned long long)total);
    uint64_t nth = total / 2;

    d = run_tampered(cfg, &c, T_FLIP_PSUM, nth, NULL);
    CHECK(d.set && strstr(d.what, "psum") && d.actual == (d.expected ^ 4), "flipped psum: %s %lld %lld", d.what,
          (long long)d.expected, (long long)d.actual);
    /* the C model reports taps n-major, then group, plane, chunk, lane: decode nth the same way */
    uint64_t k = nth;
    uint32_t n = 0, g = 0, p = 0, j = 0, ln = 0;
    for (uint32_t nn = 0; nn < c.N && !ln; nn++)
        for (uint32_t gg = 0; gg < G; gg++) {
            uint32_t lanes = l->M - gg * L < L ? l->M - gg * L : L;
            uint64_t per = (uint64_t)l->q * CH * lanes;
            if (k >= per) {
                k -= per;
                continue;
            }
            n = nn, g = gg, p = (uint32_t)(k / lanes / CH), j = (uint32_t)(k / lanes % CH), ln = 1 + (uint32_t)(k % lanes);
            break;
        }
    CHECK(d.n == n && d.m == g * L + ln - 1 && d.plane == p && d.chunk == j,
          "flipped psum named n=%u m=%u plane=%u chunk=%u, want %u %u %u %u", d.n, d.m, d.plane, d.chunk, n,
          g * L + ln - 1, p, j);
    d = run_tampered(cfg, &c, T_FLIP_DEC, nth, NULL);
    CHECK(d.set && strstr(d.what, "dec") && (d.expected ^ d.actual) == 1, "flipped dec bit: %s", d.what);
    d = run_tampered(cfg, &c, T_DROP, nth, NULL);
    CHECK(d.set && strstr(d.what, "missing psum"), "dropped tap: %s", d.set ? d.what : "not detected");
    d = run_tampered(cfg, &c, T_DUP, nth, NULL);
    CHECK(d.set && (strstr(d.what, "duplicate") || strstr(d.what, "order")), "duplicated tap: %s",
          d.set ? d.what : "not detected");
    d = run_tampered(cfg, &c, T_SWAP, nth, NULL);
    CHECK(d.set && strstr(d.what, "out of order"), "swapped taps: %s", d.set ? d.what : "not detected");
    d = run_tampered(cfg, &c, T_FLIP_ACC, 3, NULL);
    CHECK(d.set && strstr(d.what, "acc") && d.actual == d.expected + 1, "acc: %s", d.set ? d.what : "not detected");
    fx_rcase_free(&c);
}

static void test_cmdstream(const fx_hwcfg *cfg)
{
    const fx_widths wd = fx_hwcfg_widths(cfg);
    uint32_t w[64], n = 0;
    w[n++] = FX_OP_LOAD_W << 24 | 3, w[n++] = 0, w[n++] = 2, w[n++] = 0x04000000, w[n++] = 0x04000000; /* data looks like RUN */
    w[n++] = FX_OP_LOAD_P << 24, w[n++] = 0, w[n++] = 1;
    for (uint32_t i = 0; i < wd.p_words; i++) w[n++] = 0x04000000;
    w[n++] = 0x7F000000;                                              /* unknown opcode: one word */
    w[n++] = FX_OP_CLEAR_COUNTERS << 24;
    const uint32_t id_at = n;
    w[n++] = FX_OP_ID << 24;                                          /* ID: one word, then its reply */
    const uint32_t run_at = n;
    w[n++] = FX_OP_RUN << 24, w[n++] = 45, w[n++] = 17, w[n++] = 3, w[n++] = 2 | 1u << 13, w[n++] = 5, w[n++] = 6,
    w[n++] = 7, w[n++] = 8;
    w[n++] = FX_OP_LOAD_A << 24 | 1, w[n++] = 0, w[n++] = 1;
    for (uint32_t i = 0; i < wd.a_words; i++) w[n++] = 0x04000000;
    /* every split point gives the same boundary */
    for (uint32_t split = 0; split <= n; split++) {
        fx_cmdstream cs;
        fx_cmdstream_init(&cs, cfg);
        fx_run_desc d;
        int got = 0, runs = 0, ids = 0;
        size_t pos = 0, end = 0, id_end = 0;
        for (uint32_t part = 0; part < 2; part++) {
            size_t lim = part ? n : split;
            while (pos < lim) {
                size_t k = fx_cmdstream_feed(&cs, w + pos, lim - pos, &d, &got);
                pos += k;
                if (got == FX_CS_RUN) runs++, end = pos;
                if (got == FX_CS_ID) ids++, id_end = pos;
            }
        }
        CHECK(runs == 1 && end == run_at + 9, "split %u: %d RUNs, boundary %zu (want %u)", split, runs, end, run_at + 9);
        CHECK(ids == 1 && id_end == id_at + 1, "split %u: %d IDs, boundary %zu (want %u)", split, ids, id_end, id_at + 1);
        CHECK(d.K == 45 && d.M == 17 && d.N == 3 && d.q == 2 && d.stream == 1 && d.ch == 3 && d.a_dst_base == 8,
              "split %u: descriptor fields", split);
        CHECK(cs.hdr_n == 0 && cs.data_left == 0, "split %u: parser not idle at the end", split);
    }
}

/* Seeded X randomisation: the counters' registers before reset come from the seed, reproducibly. */
static void test_xrand(void)
{
    uint64_t v[4][4];
    const uint64_t seeds[4] = {0, 123, 123, 124};
    for (int i = 0; i < 4; i++) {
        fx_rtl *r = fx_rtl_new(seeds[i]);
        fx_rtl_counters(r, v[i]);
        fx_rtl_free(r);
    }
    CHECK(!v[0][0] && !v[0][1] && !v[0][2] && !v[0][3], "seed 0 must start at zero");
    CHECK(!memcmp(v[1], v[2], sizeof v[1]), "the same seed must give the same initial values");
    CHECK(memcmp(v[1], v[3], sizeof v[1]) && (v[1][0] | v[1][3]), "seeds 123 and 124 must differ from each other and from 0");
}

/* The Verilated RTL answers ID like the C model, word for word (interface version, the configured hash,
 * out_last on the second word, checked by the backend), at the start, behind a streaming RUN and twice in
 * a row, under stalls; and the driver refuses, through the RTL, a model stamped with another
 * configuration's hash before loading anything. */
static void test_id(const fx_hwcfg *cfg)
{
    fx_rtl_opts ro = {.xseed = 5, .stall = 0.3, .stall_seed = 5, .watchdog = 20000};
    fx_backend *rtl = fx_rtl_backend_new(cfg, &ro), *mod = fx_accel_model_new(cfg);
    const uint32_t id = (uint32_t)FX_OP_ID << 24 | 0x000123;
    const uint32_t want0 = (uint32_t)FX_ID_MAGIC << 16 | FX_IF_MAJOR << 8 | FX_IF_MINOR;
    fx_model m;
    fx_plan plan;
    char err[300] = "";
    CHECK(!fx_model_random(&m, cfg, "mlp", 0, 2) && !fx_driver_plan(cfg, &m, &plan, err, sizeof err), "mlp: %s", err);
    m.cfg_hash ^= 0x5A5A5A5Au;
    CHECK(fx_driver_load(rtl, cfg, &m, &plan, err, sizeof err) == -1 && strstr(err, "rtl: the hardware's config hash") &&
              strstr(err, "differs from the model's"),
          "the RTL backend accepted a model of another configuration: '%s' %s", err, fx_rtl_backend_msg(rtl));
    uint64_t cnt[4];
    fx_rtl_counters(fx_rtl_backend_rtl(rtl), cnt);
    CHECK(cnt[3] == 0 && rtl->error(rtl) == 0, "the refused load left slices %llu, error %u",
          (unsigned long long)cnt[3], rtl->error(rtl));
    m.cfg_hash ^= 0x5A5A5A5Au;
    CHECK(!fx_driver_load(rtl, cfg, &m, &plan, err, sizeof err) && !fx_driver_load(mod, cfg, &m, &plan, err, sizeof err),
          "own model: %s %s", err, fx_rtl_backend_msg(rtl));
    uint8_t img[784];
    for (int i = 0; i < 784; i++) img[i] = (uint8_t)(i * 13);
    int32_t lr[10], lm[10];
    for (int k = 0; k < 4; k++) {
        uint32_t wr[FX_ID_WORDS] = {0}, wm[FX_ID_WORDS] = {0};
        if (k == 1) /* right behind the last RUN's result stream */
            CHECK(fx_driver_infer(rtl, cfg, &m, &plan, img, lr, 1, NULL, NULL) ==
                      fx_driver_infer(mod, cfg, &m, &plan, img, lm, 1, NULL, NULL) && !memcmp(lr, lm, sizeof lr),
                  "inference differs: %s", fx_rtl_backend_msg(rtl));
        CHECK(!rtl->write(rtl, &id, 1) && !rtl->read(rtl, wr, FX_ID_WORDS), "RTL: no ID reply: %s",
              fx_rtl_backend_msg(rtl));
        CHECK(!mod->write(mod, &id, 1) && !mod->read(mod, wm, FX_ID_WORDS), "C model: no ID reply");
        CHECK(wr[0] == wm[0] && wr[1] == wm[1] && wr[0] == want0 && wr[1] == fx_hwcfg_hash(cfg),
              "ID %d: RTL %08x %08x, C model %08x %08x, expected %08x %08x", k, wr[0], wr[1], wm[0], wm[1], want0,
              fx_hwcfg_hash(cfg));
    }
    CHECK(rtl->error(rtl) == 0 && mod->error(mod) == 0, "errors: RTL %u, C model %u", rtl->error(rtl), mod->error(mod));
    fx_model_free(&m);
    rtl->destroy(rtl);
    mod->destroy(mod);
}

/* RUNX on a version-2 chain: the tap book follows the gather and write streams (and the pool-2 column order
 * of the chunk taps) and names a flipped byte, a dropped write and two swapped gather entries. */
static fx_divergence run_v2(const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, int mode, uint64_t nth,
                            uint64_t *n_gat, uint64_t *n_wr)
{
    fx_tapbook tb;
    fx_tapbook_init(&tb, cfg->lanes);
    tb.plan = plan, tb.n_layers = m->n_layers;
    fx_backend *good = fx_accel_model_new(cfg), *bad = evil_new(cfg, mode, nth);
    fx_backend *gs = fx_tap_spy_new(good, &tb, cfg), *bs = fx_tap_spy_new(bad, &tb, cfg);
    uint8_t *x = calloc((size_t)m->in_c * m->in_h * m->in_w, 1);
    for (size_t i = 0; i < (size_t)m->in_c * m->in_h * m->in_w; i++) x[i] = (uint8_t)(i * 37 + 11);
    char err[256];
    fx_tapbook_rewind(&tb, FX_TB_RECORD);
    CHECK(!fx_driver_load(gs, cfg, m, plan, err, sizeof err) && fx_driver_infer(gs, cfg, m, plan, x, NULL, 0, NULL, NULL) >= 0,
          "C model v2 run failed: %s", err);
    CHECK(!tb.first.set, "recording diverged: %s", tb.first.what);
    fx_tapbook_rewind(&tb, FX_TB_CHECK);
    CHECK(!fx_driver_load(bs, cfg, m, plan, err, sizeof err) && fx_driver_infer(bs, cfg, m, plan, x, NULL, 0, NULL, NULL) >= 0,
          "tampered v2 run failed: %s", err);
    fx_tapbook_finish(&tb);
    fx_divergence d = tb.first;
    if (n_gat) *n_gat = ((evil_t *)bad->ctx)->gat_seen, *n_wr = ((evil_t *)bad->ctx)->wr_seen;
    gs->destroy(gs), bs->destroy(bs), good->destroy(good), bad->destroy(bad);
    fx_tapbook_free(&tb);
    free(x);
    return d;
}

static void test_tapbook_runx(const fx_hwcfg *cfg)
{
    fx_model m;
    fx_plan plan;
    char err[256];
    /* a chain with a pooled conv first (its chunk taps come in window order) and at least two layers */
    for (uint64_t seed = 0;; seed++) {
        CHECK(!fx_model_random_chain(&m, cfg, seed), "chain generation");
        if (m.n_layers >= 2 && m.layers[0].pool == FX_POOL_MAX2) break;
        fx_model_free(&m);
    }
    CHECK(!fx_driver_plan(cfg, &m, &plan, err, sizeof err), "plan: %s", err);
    uint64_t ng = 0, nwr = 0;
    fx_divergence d = run_v2(cfg, &m, &plan, T_NONE, 0, &ng, &nwr);
    CHECK(!d.set, "an untampered v2 run diverged: %s (n %u m %u chunk %u)", d.what, d.n, d.m, d.chunk);
    CHECK(ng > 4 && nwr > 2, "too few RUNX taps: %llu gather, %llu write", (unsigned long long)ng,
          (unsigned long long)nwr);
    const uint32_t CH0 = (m.layers[0].K + cfg->n_out - 1) / cfg->n_out;
    d = run_v2(cfg, &m, &plan, T_FLIP_GAT, 3, NULL, NULL);
    CHECK(d.set && !strcmp(d.what, "gather (column chunk byte)") && d.layer == 0 && d.m == 5 && d.chunk == 3 % CH0 &&
              (d.expected ^ d.actual) == 0x10,
          "flipped gather byte: %s layer %d n %u m %u chunk %u", d.what, d.layer, d.n, d.m, d.chunk);
    d = run_v2(cfg, &m, &plan, T_SWAP_GAT, 1, NULL, NULL);
    CHECK(d.set && strstr(d.what, "gather tap index") && d.layer == 0, "swapped gather taps: %s", d.what);
    d = run_v2(cfg, &m, &plan, T_FLIP_WR, 0, NULL, NULL); /* layer 0's first word: buffer 1, address 0 */
    CHECK(d.set && !strcmp(d.what, "write (activation word byte)") && d.layer == 0 && d.n == 0 && d.m == 5 &&
              d.plane == 1 && (d.expected ^ d.actual) == 0x10,
          "flipped write byte: %s layer %d n %u m %u plane %u", d.what, d.layer, d.n, d.m, d.plane);
    d = run_v2(cfg, &m, &plan, T_DROP_WR, nwr - 1, NULL, NULL);
    CHECK(d.set && (strstr(d.what, "missing write tap") || strstr(d.what, "write tap index")),
          "dropped last write: %s", d.what);
    fx_model_free(&m);
}

int main(void)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    test_id(cfg);
    test_cmdstream(cfg);
    test_tapbook(cfg);
    test_tapbook_runx(cfg);
    test_xrand();
    return t_report("test_csim_units");
}
