/* SPDX-License-Identifier: Apache-2.0 */
/* fx_backend over the Verilated RTL. The write path is split at RUN descriptors so that, whenever the
 * shim clocks the model, the RUN it executes is known (its M maps a tap's group to channels, and its
 * N·M tells where out_last must be). */
#define _POSIX_C_SOURCE 200809L
#include "rtl_backend.h"
#include "cmdstream.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flexor/clock.h"

#define SLICE_CYCLES 4096u /* cycles per shim call: the watchdog's granularity */

typedef struct {
    fx_rtl *rtl;
    const fx_hwcfg *cfg;
    fx_rtl_opts opt;
    fx_cmdstream cs;
    fx_run_desc run; /* the RUN executing (or last executed) */
    int have_run;
    uint64_t run_out; /* output words of that RUN so far */
    uint32_t id_left; /* words of an ID reply still to come (they precede any later RUN's) */
    uint64_t lane_taps, image;
    fx_taps taps;
    int have_taps;
    uint32_t *q; /* output FIFO: q[head .. head+len) */
    uint8_t *ql;
    size_t head, len, cap;
    char msg[320];
    double secs, cpu_secs;
} ctx_t;

static void on_chunk(void *user, uint64_t cycle, uint32_t col, uint32_t grp, uint32_t plane, uint32_t chunk,
                     const uint32_t *dec, const int32_t *psum)
{
    ctx_t *c = user;
    (void)cycle;
    if (!c->have_run || !c->taps.chunk) return;
    for (uint32_t l = 0; l < c->cfg->lanes; l++) {
        uint64_t m = (uint64_t)grp * c->cfg->lanes + l;
        if (m >= c->run.M) continue;
        int32_t p = ++c->lane_taps == c->opt.inject_tap && c->image == c->opt.inject_image ? psum[l] ^ 1 : psum[l];
        c->taps.chunk(c->taps.user, col, (uint32_t)m, plane, chunk, dec[l], p);
    }
}

static void on_acc(void *user, uint64_t cycle, uint32_t col, uint32_t grp, uint32_t plane, const int32_t *acc)
{
    ctx_t *c = user;
    (void)cycle;
    if (!c->have_run || !c->taps.acc) return;
    for (uint32_t l = 0; l < c->cfg->lanes; l++) {
        uint64_t m = (uint64_t)grp * c->cfg->lanes + l;
        if (m < c->run.M) c->taps.acc(c->taps.user, col, (uint32_t)m, plane, acc[l]);
    }
}

/* RUNX taps: a column chunk as the gather wrote it, and a destination word (its buffer is the RUNX's a_dst). */
static void on_gather(void *user, uint64_t cycle, uint32_t col, uint32_t chunk, const uint8_t *bytes)
{
    ctx_t *c = user;
    (void)cycle;
    if (c->have_run && c->taps.gather) c->taps.gather(c->taps.user, col, chunk, bytes);
}

static void on_write(void *user, uint64_t cycle, uint32_t addr, const uint8_t *bytes)
{
    ctx_t *c = user;
    (void)cycle;
    if (c->have_run && c->taps.write) c->taps.write(c->taps.user, (c->run.flags >> 15) & 1, addr, bytes);
}

/* Make room for at least `want` more output words after the queued ones. */
static int fifo_room(ctx_t *c, size_t want)
{
    if (c->head && c->head + c->len + want > c->cap) {
        memmove(c->q, c->q + c->head, c->len * sizeof *c->q);
        memmove(c->ql, c->ql + c->head, c->len);
        c->head = 0;
    }
    if (c->len + want <= c->cap) return 0;
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->len + want) cap *= 2;
    uint32_t *q = realloc(c->q, cap * sizeof *q);
    if (!q) return -1;
    c->q = q;
    uint8_t *ql = realloc(c->ql, cap);
    if (!ql) return -1;
    c->ql = ql;
    c->cap = cap;
    return 0;
}

/* Check out_last of freshly queued words against the executing RUN's output words (N·M; RUNX: its tensor). */
static int check_outputs(ctx_t *c, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (c->id_left) {
            if (!!c->ql[c->head + i] != (c->id_left == 1)) {
                snprintf(c->msg, sizeof c->msg, "protocol: out_last_o=%d on ID reply word %u of %d (cycle %llu)",
                         c->ql[c->head + i], FX_ID_WORDS + 1 - c->id_left, FX_ID_WORDS,
                         (unsigned long long)fx_rtl_cycle(c->rtl));
                return -1;
            }
            c->id_left--;
            continue;
        }
        uint64_t want = c->have_run ? fx_run_desc_out_words(&c->run) : 0;
        if (!want) {
            snprintf(c->msg, sizeof c->msg, "protocol: output word 0x%08x at cycle %llu while no streaming RUN runs",
                     c->q[c->head + i], (unsigned long long)fx_rtl_cycle(c->rtl));
            return -1;
        }
        c->run_out++;
        int last = c->run_out == want;
        if (!!c->ql[c->head + i] != last) {
            snprintf(c->msg, sizeof c->msg, "protocol: out_last_o=%d on output word %llu of %llu (cycle %llu)",
                     c->ql[c->head + i], (unsigned long long)c->run_out, (unsigned long long)want,
                     (unsigned long long)fx_rtl_cycle(c->rtl));
            return -1;
        }
        if (last) c->run_out = 0, c->have_run = 0;
    }
    return 0;
}

/* Clock until the given input words are accepted (in != NULL) or `want` words are queued. */
static int clock_rtl(ctx_t *c, const uint32_t *in, size_t n_in, size_t want)
{
    fx_rtl_io io = {.in = in, .n_in = n_in};
    double t0 = fx_wall_s(), c0 = fx_thread_cpu_s();
    int rc = 0;
    for (;;) {
        if (in ? io.in_done == n_in : c->len >= want) break;
        size_t room = in ? 1024 : want - c->len;
        if (fifo_room(c, room)) {
            snprintf(c->msg, sizeof c->msg, "out of memory for the output FIFO");
            rc = -1;
            break;
        }
        io.out = c->q + c->head + c->len;
        io.out_last = c->ql + c->head + c->len;
        io.out_cap = room;
        io.out_done = 0;
        fx_rtl_run(c->rtl, &io, in ? FX_RTL_UNTIL_IN : FX_RTL_UNTIL_OUT, SLICE_CYCLES);
        size_t old = c->len;
        c->len += io.out_done;
        if (check_outputs(c, old, c->len)) {
            rc = -1;
            break;
        }
        uint64_t cyc = fx_rtl_cycle(c->rtl), idle = cyc - fx_rtl_last_progress(c->rtl);
        if (idle >= c->opt.watchdog) {
            if (in)
                snprintf(c->msg, sizeof c->msg,
                         "deadlock: no handshake or tap for %llu cycles, at cycle %llu, input word %zu of %zu "
                         "(0x%08x) not accepted, busy_o=%d",
                         (unsigned long long)idle, (unsigned long long)cyc, io.in_done, n_in, in[io.in_done],
                         fx_rtl_busy(c->rtl));
            else
                snprintf(c->msg, sizeof c->msg,
                         "deadlock: no handshake or tap for %llu cycles, at cycle %llu, waiting for output word "
                         "%zu of %zu, busy_o=%d",
                         (unsigned long long)idle, (unsigned long long)cyc, c->len, want, fx_rtl_busy(c->rtl));
            rc = -1;
            break;
        }
    }
    c->secs += fx_wall_s() - t0;
    c->cpu_secs += fx_thread_cpu_s() - c0;
    return rc;
}

static int b_write(fx_backend *b, const uint32_t *w, size_t n)
{
    ctx_t *c = b->ctx;
    while (n) {
        fx_run_desc run;
        int got;
        size_t k = fx_cmdstream_feed(&c->cs, w, n, &run, &got);
        if (clock_rtl(c, w, k, 0)) return -1;
        if (got == FX_CS_RUN) c->run = run, c->have_run = 1, c->run_out = 0;
        if (got == FX_CS_ID) c->id_left = FX_ID_WORDS;
        w += k, n -= k;
    }
    return 0;
}

static int b_read(fx_backend *b, uint32_t *w, size_t n)
{
    ctx_t *c = b->ctx;
    if (c->len < n && clock_rtl(c, NULL, 0, n)) return -1;
    memcpy(w, c->q + c->head, n * sizeof *w);
    c->head += n, c->len -= n;
    if (!c->len) c->head = 0;
    return 0;
}

static void b_counters(fx_backend *b, fx_counters *out)
{
    uint64_t v[4];
    fx_rtl_counters(((ctx_t *)b->ctx)->rtl, v);
    *out = (fx_counters){v[0], v[1], v[2], v[3]};
}

static uint32_t b_error(fx_backend *b)
{
    uint32_t e = fx_rtl_error(((ctx_t *)b->ctx)->rtl);
    return e & 0x100 ? (e & 0xFF) : 0;
}

static void b_set_taps(fx_backend *b, const fx_taps *t)
{
    ctx_t *c = b->ctx;
    c->have_taps = t != NULL;
    if (t) c->taps = *t;
    if (t) fx_rtl_set_taps(c->rtl, on_chunk, on_acc, c);
    else fx_rtl_set_taps(c->rtl, NULL, NULL, NULL);
    fx_rtl_set_xtaps(c->rtl, t ? on_gather : NULL, t ? on_write : NULL);
}

static void b_destroy(fx_backend *b)
{
    if (!b) return;
    ctx_t *c = b->ctx;
    fx_rtl_free(c->rtl);
    free(c->q);
    free(c->ql);
    free(c);
    free(b);
}

fx_backend *fx_rtl_backend_new(const fx_hwcfg *cfg, const fx_rtl_opts *o)
{
    fx_backend *b = calloc(1, sizeof *b);
    ctx_t *c = calloc(1, sizeof *c);
    if (!b || !c) {
        free(b);
        free(c);
        return NULL;
    }
    c->cfg = cfg;
    c->opt = *o;
    if (!c->opt.watchdog) c->opt.watchdog = 100000;
    fx_cmdstream_init(&c->cs, cfg);
    c->rtl = fx_rtl_new(o->xseed);
    fx_rtl_set_stalls(c->rtl, o->stall, o->stall, o->stall_seed);
    fx_rtl_reset(c->rtl, FX_RTL_BACKEND_RESET_CYCLES);
    b->name = "rtl";
    b->ctx = c;
    b->write = b_write;
    b->read = b_read;
    b->counters = b_counters;
    b->error = b_error;
    b->set_taps = b_set_taps;
    b->destroy = b_destroy;
    return b;
}

fx_rtl *fx_rtl_backend_rtl(fx_backend *b) { return ((ctx_t *)b->ctx)->rtl; }

void fx_rtl_backend_image(fx_backend *b, uint64_t image)
{
    ctx_t *c = b->ctx;
    c->image = image;
    c->lane_taps = 0;
    /* a splitmix64 step of (seed, image): neighbouring images get unrelated patterns */
    uint64_t z = c->opt.stall_seed + (image + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    fx_rtl_set_stalls(c->rtl, c->opt.stall, c->opt.stall, z ^ (z >> 31));
}
const char *fx_rtl_backend_msg(fx_backend *b) { return ((ctx_t *)b->ctx)->msg; }
double fx_rtl_backend_seconds(fx_backend *b) { return ((ctx_t *)b->ctx)->secs; }
double fx_rtl_backend_cpu_seconds(fx_backend *b) { return ((ctx_t *)b->ctx)->cpu_secs; }
